package org.ovaflow.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * What an OVF descriptor says about the appliance: product identity, virtual systems and their hardware,
 * disks, files and networks. Extracted once by the schema stage; the catalog is organised by it.
 *
 * @param ovfVersion "0.9", "1.x" or "2.x", from the envelope namespace
 * @param vendor     from the first ProductSection that names one, null when no section does
 * @param product    likewise
 * @param version    likewise
 * @param annotation the first AnnotationSection's text (release notes, a description), at most
 *                   {@value #MAX_ANNOTATION} characters; null when the descriptor has none
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ApplianceMetadata(
        String ovfVersion,
        String vendor,
        String product,
        String version,
        String fullVersion,
        String productUrl,
        String name,
        List<VirtualSystem> virtualSystems,
        List<Disk> disks,
        List<File> files,
        List<String> networks,
        List<String> deploymentOptions,
        String defaultDeploymentOption,
        boolean hasEula,
        String annotation) {

    /** Annotations travel in every event of the import: longer ones are cut (Kafka's records stop at 1 MB). */
    public static final int MAX_ANNOTATION = 8192;

    /** Metadata of a descriptor without an annotation. */
    public ApplianceMetadata(String ovfVersion, String vendor, String product, String version, String fullVersion,
                             String productUrl, String name, List<VirtualSystem> virtualSystems, List<Disk> disks,
                             List<File> files, List<String> networks, List<String> deploymentOptions,
                             String defaultDeploymentOption, boolean hasEula) {
        this(ovfVersion, vendor, product, version, fullVersion, productUrl, name, virtualSystems, disks, files, networks,
                deploymentOptions, defaultDeploymentOption, hasEula, null);
    }

    public ApplianceMetadata {
        annotation = annotation == null || annotation.length() <= MAX_ANNOTATION ? annotation
                : annotation.substring(0, MAX_ANNOTATION) + "…";
        virtualSystems = virtualSystems == null ? List.of() : List.copyOf(virtualSystems);
        disks = disks == null ? List.of() : List.copyOf(disks);
        files = files == null ? List.of() : List.copyOf(files);
        networks = networks == null ? List.of() : List.copyOf(networks);
        deploymentOptions = deploymentOptions == null ? List.of() : List.copyOf(deploymentOptions);
    }

    /** One VirtualSystem element (at any depth of VirtualSystemCollections) and its default hardware. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record VirtualSystem(
            String id,
            String name,
            String inCollection,
            String product,
            String vendor,
            String version,
            Integer osId,
            String osDescription,
            String virtualSystemType,
            Integer cpus,
            Long memoryMiB,
            int diskItems,
            int nicItems) {
    }

    /** A Disk of the DiskSection; capacityBytes is null when capacity is missing or a ${property}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Disk(
            String diskId,
            String fileRef,
            String parentRef,
            String capacity,
            String capacityAllocationUnits,
            Long capacityBytes,
            String format,
            Long populatedSize) {
    }

    /** A File of the References section: the package's files as the descriptor declares them. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record File(String id, String href, Long size, String compression, Long chunkSize) {
    }
}
