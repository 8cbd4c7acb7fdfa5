package org.ovaflow.validate.ovf;

import org.ovaflow.core.event.ApplianceMetadata;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Reads {@link ApplianceMetadata} out of an OVF Envelope already known to be one, and the hardware sections as
 * written for the semantic checks. Works on what the sections mean, not on how a producer spells them: VMware's
 * vmw: and VirtualBox's vbox: extensions, OVF 0.9's xsi:type sections and OVF 2's split Items give the same
 * fields for the same appliance.
 */
final class ApplianceMetadataExtractor {

    /** A capacity set from a ProductSection property, as DSP0243 allows: {@code ${osDiskSize}}. */
    private static final Pattern PROPERTY_REFERENCE = Pattern.compile("\\$\\{([^}]+)}");

    /** Property values quoted in a problem are cut to this: they are the descriptor's text. */
    private static final int MAX_QUOTED_VALUE = 64;

    private final OvfElement envelope;
    private final OvfVersion version;
    private final DeploymentOptions deploymentOptions;
    private final List<ApplianceMetadata.Disk> disks;
    private final List<ApplianceMetadata.File> files;
    private final Map<String, ApplianceMetadata.Disk> disksById = new LinkedHashMap<>();
    private final Set<String> fileIds = new LinkedHashSet<>();
    private final LongTexts systemTexts = new LongTexts();
    private final ProductProperties properties = new ProductProperties();
    private final List<HardwareSection> hardware = new ArrayList<>();
    private final List<CapacityReference> capacityReferences = new ArrayList<>();
    /** Every ProductSection Property by full key and by bare ovf:key, read once a capacity names one. */
    private Map<String, List<OvfElement>> propertiesByKey;

    ApplianceMetadataExtractor(OvfElement envelope, OvfVersion version) {
        this.envelope = envelope;
        this.version = version;
        this.deploymentOptions = DeploymentOptions.of(envelope);
        this.disks = disks();
        this.files = files();
        disks.forEach(disk -> disksById.putIfAbsent(disk.diskId(), disk));
        files.forEach(file -> fileIds.add(file.id()));
    }

    OvfDescriptor extract() {
        List<OvfElement> productSections = envelope.descendantsAndSelf().filter(e -> e.is("ProductSection")).toList();
        OvfElement topContent = envelope.firstChild("VirtualSystem", "VirtualSystemCollection").orElse(null);
        List<ApplianceMetadata.VirtualSystem> virtualSystems = new ArrayList<>();
        if (topContent != null) {
            collectVirtualSystems(topContent, null, virtualSystems);
        }
        List<OvfElement> eulaSections = envelope.descendantsAndSelf().filter(e -> e.is("EulaSection")).toList();
        ApplianceMetadata appliance = new ApplianceMetadata(
                version.label(),
                firstNamed(productSections, "Vendor"),
                firstNamed(productSections, "Product"),
                firstNamed(productSections, "Version"),
                firstNamed(productSections, "FullVersion"),
                firstNamed(productSections, "ProductUrl"),
                topContent == null ? null : nameOf(topContent),
                virtualSystems,
                disks,
                files,
                networks(),
                deploymentOptions.ids(),
                deploymentOptions.defaultId(),
                !eulaSections.isEmpty(),
                envelope.descendantsAndSelf().filter(e -> e.is("AnnotationSection")).findFirst()
                        .map(section -> section.childText("Annotation")).orElse(null),
                firstNamed(productSections, "VendorUrl"),
                eula(eulaSections),
                properties.properties(),
                properties.cut());
        return new OvfDescriptor(appliance, hardware, capacityReferences);
    }

    /**
     * VirtualSystems in document order, at whatever depth of VirtualSystemCollections they sit; the properties
     * of every ProductSection on the way, a collection's before those of its members.
     */
    private void collectVirtualSystems(OvfElement content, String collectionId,
                                       List<ApplianceMetadata.VirtualSystem> into) {
        String id = content.attribute("id");
        content.children("ProductSection").forEach(section -> properties.add(id, section));
        if (content.is("VirtualSystem")) {
            into.add(virtualSystem(content, collectionId));
            return;
        }
        for (OvfElement child : content.children("VirtualSystem", "VirtualSystemCollection")) {
            collectVirtualSystems(child, id, into);
        }
    }

    private ApplianceMetadata.VirtualSystem virtualSystem(OvfElement system, String collectionId) {
        List<OvfElement> productSections = system.children("ProductSection");
        OvfElement operatingSystem = system.firstChild("OperatingSystemSection").orElse(null);
        List<OvfElement> hardwareSections = system.children("VirtualHardwareSection");
        hardwareSections.forEach(section -> hardware.add(
                new HardwareSection(system.attribute("id"), VirtualHardwareSummary.itemsAsWritten(section))));
        VirtualHardwareSummary summary = hardwareSections.isEmpty() ? VirtualHardwareSummary.NONE
                : VirtualHardwareSummary.of(hardwareSections.get(0), deploymentOptions, disksById, fileIds);
        return new ApplianceMetadata.VirtualSystem(
                system.attribute("id"),
                system.childText("Name"),
                collectionId,
                firstNamed(productSections, "Product"),
                firstNamed(productSections, "Vendor"),
                firstNamed(productSections, "Version"),
                operatingSystem == null ? null : OvfElement.parseInteger(operatingSystem.attribute("id")),
                operatingSystem == null ? null : operatingSystem.childText("Description"),
                summary.virtualSystemType(),
                summary.cpus(),
                summary.memoryMiB(),
                summary.diskItems(),
                summary.nicItems(),
                firstNamed(productSections, "FullVersion"),
                firstNamed(productSections, "ProductUrl"),
                firstNamed(productSections, "VendorUrl"),
                systemTexts.take(system.firstChild("AnnotationSection").map(s -> s.childText("Annotation"))
                        .orElse(null), ApplianceMetadata.MAX_ANNOTATION),
                systemTexts.take(eula(system.children("EulaSection")), ApplianceMetadata.MAX_EULA),
                summary.disks(),
                summary.networks());
    }

    /** The License texts of these EulaSections, distinct ones joined, null when all are blank. */
    private static String eula(List<OvfElement> eulaSections) {
        return LongTexts.join(eulaSections.stream().map(section -> section.childText("License"))
                .filter(Objects::nonNull).toList(), ApplianceMetadata.MAX_EULA);
    }

    private List<ApplianceMetadata.Disk> disks() {
        return envelopeSectionEntries("DiskSection", "Disk", disk -> {
            String capacity = disk.attribute("capacity");
            String units = disk.attribute("capacityAllocationUnits");
            String number = capacity;
            Matcher reference = capacity == null ? null : PROPERTY_REFERENCE.matcher(capacity.trim());
            if (reference != null && reference.matches()) {
                CapacityReference resolved = resolve(disk.attribute("diskId"), capacity.trim(), reference.group(1));
                capacityReferences.add(resolved);
                number = resolved.value();
            }
            return new ApplianceMetadata.Disk(
                    disk.attribute("diskId"),
                    disk.attribute("fileRef"),
                    disk.attribute("parentRef"),
                    capacity,
                    units,
                    AllocationUnits.toBytes(OvfElement.parseLong(number), units),
                    disk.attribute("format"),
                    disk.longAttribute("populatedSize"));
        });
    }

    /**
     * A capacity {@code ${key}} resolved from the default (ovf:value) of the ProductSection property of that key:
     * the size the appliance gets when the deployer keeps the default, which is what ovaflow imports. The full key
     * ({@code class.key.instance}) is looked up first, then the bare ovf:key.
     */
    private CapacityReference resolve(String diskId, String reference, String key) {
        List<OvfElement> declared = propertiesByKey().getOrDefault(key, List.of());
        if (declared.isEmpty()) {
            return new CapacityReference(diskId, reference, key, null,
                    "names no ProductSection property '" + ApplianceMetadata.cut(key, MAX_QUOTED_VALUE) + "'");
        }
        Set<String> defaults = declared.stream().map(p -> p.attribute("value"))
                .map(v -> v == null ? "" : v.trim())
                .collect(Collectors.toCollection(LinkedHashSet::new));
        if (defaults.size() > 1) {
            return new CapacityReference(diskId, reference, key, null, "names " + declared.size()
                    + " ProductSection properties '" + key + "' with different defaults ("
                    + defaults.stream().map(v -> "'" + ApplianceMetadata.cut(v, MAX_QUOTED_VALUE) + "'")
                    .collect(Collectors.joining(", ")) + ")");
        }
        String value = defaults.iterator().next();
        if (value.isEmpty()) {
            return new CapacityReference(diskId, reference, key, null,
                    "names the ProductSection property '" + key + "', which has no default (ovf:value)");
        }
        if (!value.matches("\\d+")) {
            return new CapacityReference(diskId, reference, key, null, "names the ProductSection property '" + key
                    + "', whose default '" + ApplianceMetadata.cut(value, MAX_QUOTED_VALUE)
                    + "' is not a whole number");
        }
        return new CapacityReference(diskId, reference, key, value, null);
    }

    private Map<String, List<OvfElement>> propertiesByKey() {
        if (propertiesByKey == null) {
            Map<String, List<OvfElement>> byFullKey = new HashMap<>();
            Map<String, List<OvfElement>> byBareKey = new HashMap<>();
            envelope.descendantsAndSelf().filter(e -> e.is("ProductSection")).forEach(section -> {
                for (OvfElement property : section.children("Property")) {
                    byFullKey.computeIfAbsent(ProductProperties.fullKey(section, property), k -> new ArrayList<>())
                            .add(property);
                    String bare = property.attribute("key");
                    if (bare != null) {
                        byBareKey.computeIfAbsent(bare.trim(), k -> new ArrayList<>()).add(property);
                    }
                }
            });
            byBareKey.forEach(byFullKey::putIfAbsent);
            propertiesByKey = byFullKey;
        }
        return propertiesByKey;
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
