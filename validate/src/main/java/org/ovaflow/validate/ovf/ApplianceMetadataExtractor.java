package org.ovaflow.validate.ovf;

import org.ovaflow.core.event.ApplianceMetadata;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/** Reads {@link ApplianceMetadata} out of an OVF Envelope already known to be one. */
final class ApplianceMetadataExtractor {

    private final OvfElement envelope;
    private final OvfVersion version;
    private final DeploymentOptions deploymentOptions;

    ApplianceMetadataExtractor(OvfElement envelope, OvfVersion version) {
        this.envelope = envelope;
        this.version = version;
        this.deploymentOptions = DeploymentOptions.of(envelope);
    }

    ApplianceMetadata extract() {
        List<OvfElement> productSections = envelope.descendantsAndSelf().filter(e -> e.is("ProductSection")).toList();
        OvfElement topContent = envelope.firstChild("VirtualSystem", "VirtualSystemCollection").orElse(null);
        List<ApplianceMetadata.VirtualSystem> virtualSystems = new ArrayList<>();
        if (topContent != null) {
            collectVirtualSystems(topContent, null, virtualSystems);
        }
        return new ApplianceMetadata(
                version.label(),
                firstNamed(productSections, "Vendor"),
                firstNamed(productSections, "Product"),
                firstNamed(productSections, "Version"),
                firstNamed(productSections, "FullVersion"),
                firstNamed(productSections, "ProductUrl"),
                topContent == null ? null : nameOf(topContent),
                virtualSystems,
                disks(),
                files(),
                networks(),
                deploymentOptions.ids(),
                deploymentOptions.defaultId(),
                envelope.descendantsAndSelf().anyMatch(e -> e.is("EulaSection")),
                envelope.descendantsAndSelf().filter(e -> e.is("AnnotationSection")).findFirst()
                        .map(section -> section.childText("Annotation")).orElse(null));
    }

    /** VirtualSystems in document order, at whatever depth of VirtualSystemCollections they sit. */
    private void collectVirtualSystems(OvfElement content, String collectionId,
                                       List<ApplianceMetadata.VirtualSystem> into) {
        if (content.is("VirtualSystem")) {
            into.add(virtualSystem(content, collectionId));
            return;
        }
        String id = content.attribute("id");
        for (OvfElement child : content.children("VirtualSystem", "VirtualSystemCollection")) {
            collectVirtualSystems(child, id, into);
        }
    }

    private ApplianceMetadata.VirtualSystem virtualSystem(OvfElement system, String collectionId) {
        List<OvfElement> productSections = system.children("ProductSection");
        OvfElement operatingSystem = system.firstChild("OperatingSystemSection").orElse(null);
        VirtualHardwareSummary hardware = system.firstChild("VirtualHardwareSection")
                .map(section -> VirtualHardwareSummary.of(section, deploymentOptions))
                .orElse(VirtualHardwareSummary.NONE);
        return new ApplianceMetadata.VirtualSystem(
                system.attribute("id"),
                system.childText("Name"),
                collectionId,
                firstNamed(productSections, "Product"),
                firstNamed(productSections, "Vendor"),
                firstNamed(productSections, "Version"),
                operatingSystem == null ? null : OvfElement.parseInteger(operatingSystem.attribute("id")),
                operatingSystem == null ? null : operatingSystem.childText("Description"),
                hardware.virtualSystemType(),
                hardware.cpus(),
                hardware.memoryMiB(),
                hardware.diskItems(),
                hardware.nicItems());
    }

    private List<ApplianceMetadata.Disk> disks() {
        return envelopeSectionEntries("DiskSection", "Disk", disk -> {
            String capacity = disk.attribute("capacity");
            String units = disk.attribute("capacityAllocationUnits");
            return new ApplianceMetadata.Disk(
                    disk.attribute("diskId"),
                    disk.attribute("fileRef"),
                    disk.attribute("parentRef"),
                    capacity,
                    units,
                    AllocationUnits.toBytes(OvfElement.parseLong(capacity), units),
                    disk.attribute("format"),
                    disk.longAttribute("populatedSize"));
        });
    }

    private List<ApplianceMetadata.File> files() {
        return envelopeSectionEntries("References", "File", file -> new ApplianceMetadata.File(
                file.attribute("id"),
                file.attribute("href"),
                file.longAttribute("size"),
                file.attribute("compression"),
                file.longAttribute("chunkSize")));
    }

    private List<String> networks() {
        return envelopeSectionEntries("NetworkSection", "Network", network -> network.attribute("name"));
    }

    /** Entries of an envelope-level section; these sections describe the whole package, not one VirtualSystem. */
    private <T> List<T> envelopeSectionEntries(String sectionKind, String entryKind, Function<OvfElement, T> reader) {
        return envelope.children(sectionKind).stream()
                .flatMap(section -> section.children(entryKind).stream())
                .map(reader)
                .filter(Objects::nonNull)
                .toList();
    }

    /** The Name element of a VirtualSystem or collection, falling back to its ovf:id. */
    private static String nameOf(OvfElement content) {
        String name = content.childText("Name");
        return name != null ? name : content.attribute("id");
    }

    /** The value from the first of the ProductSections that has this child at all. */
    private static String firstNamed(List<OvfElement> productSections, String child) {
        return productSections.stream().map(section -> section.childText(child)).filter(Objects::nonNull).findFirst()
                .orElse(null);
    }
}
