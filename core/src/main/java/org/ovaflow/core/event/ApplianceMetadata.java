package org.ovaflow.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * What an OVF descriptor says about the appliance: product identity, virtual systems and their hardware,
 * disks, files and networks. Extracted once by the schema stage; the catalog is organised by it.
 *
 * <p>The metadata travels in every event of the import and Kafka records stop at 1 MB, so its free texts are
 * bounded: the annotation at {@value #MAX_ANNOTATION} characters, EULA texts at {@value #MAX_EULA}, at most
 * {@value #MAX_PROPERTIES} ProductSection properties; whatever is cut ends with "…" or sets {@code propertiesCut}.
 *
 * @param ovfVersion "0.9", "1.x" or "2.x", from the envelope namespace
 * @param vendor     from the first ProductSection that names one, null when no section does
 * @param product    likewise
 * @param version    likewise
 * @param annotation the first AnnotationSection's text (release notes, a description), at most
 *                   {@value #MAX_ANNOTATION} characters; null when the descriptor has none
 * @param vendorUrl  from the first ProductSection that names one
 * @param eula       the license texts of every EulaSection, distinct ones in document order, separated by a blank
 *                   line and cut at {@value #MAX_EULA} characters; null when there is none (or all are blank)
 * @param properties the ProductSection properties of every VirtualSystem and VirtualSystemCollection, in
 *                   document order, the first {@value #MAX_PROPERTIES} of them
 * @param propertiesCut true when the descriptor has more properties (or more property text) than kept; null
 *                   otherwise
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
        String annotation,
        String vendorUrl,
        String eula,
        @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Property> properties,
        Boolean propertiesCut) {

    /** Annotations travel in every event of the import: longer ones are cut (Kafka's records stop at 1 MB). */
    public static final int MAX_ANNOTATION = 8192;

    /** EULAs are often 10-30 KB of legal text; the catalog links the full one from the kept descriptor. */
    public static final int MAX_EULA = 16384;

    /** vCenter's own appliance declares about 60; a few hundred is what hand-made descriptors reach. */
    public static final int MAX_PROPERTIES = 256;

    /** Metadata of a descriptor read before vendor URLs, EULA texts and properties were extracted. */
    public ApplianceMetadata(String ovfVersion, String vendor, String product, String version, String fullVersion,
                             String productUrl, String name, List<VirtualSystem> virtualSystems, List<Disk> disks,
                             List<File> files, List<String> networks, List<String> deploymentOptions,
                             String defaultDeploymentOption, boolean hasEula, String annotation) {
        this(ovfVersion, vendor, product, version, fullVersion, productUrl, name, virtualSystems, disks, files, networks,
                deploymentOptions, defaultDeploymentOption, hasEula, annotation, null, null, List.of(), null);
    }

    /** Metadata of a descriptor without an annotation. */
    public ApplianceMetadata(String ovfVersion, String vendor, String product, String version, String fullVersion,
                             String productUrl, String name, List<VirtualSystem> virtualSystems, List<Disk> disks,
                             List<File> files, List<String> networks, List<String> deploymentOptions,
                             String defaultDeploymentOption, boolean hasEula) {
        this(ovfVersion, vendor, product, version, fullVersion, productUrl, name, virtualSystems, disks, files, networks,
                deploymentOptions, defaultDeploymentOption, hasEula, null);
    }

    public ApplianceMetadata {
        annotation = cut(annotation, MAX_ANNOTATION);
        eula = cut(eula, MAX_EULA);
        virtualSystems = virtualSystems == null ? List.of() : List.copyOf(virtualSystems);
        disks = disks == null ? List.of() : List.copyOf(disks);
        files = files == null ? List.of() : List.copyOf(files);
        networks = networks == null ? List.of() : List.copyOf(networks);
        deploymentOptions = deploymentOptions == null ? List.of() : List.copyOf(deploymentOptions);
        properties = properties == null ? List.of() : List.copyOf(properties);
        if (properties.size() > MAX_PROPERTIES) {
            properties = properties.subList(0, MAX_PROPERTIES);
            propertiesCut = true;
        }
        propertiesCut = Boolean.TRUE.equals(propertiesCut) ? Boolean.TRUE : null;
    }

    /** The same metadata with another References list (hrefs resolved to the archive's names). */
    public ApplianceMetadata withFiles(List<File> resolved) {
        return new ApplianceMetadata(ovfVersion, vendor, product, version, fullVersion, productUrl, name, virtualSystems,
                disks, resolved, networks, deploymentOptions, defaultDeploymentOption, hasEula, annotation, vendorUrl,
                eula, properties, propertiesCut);
    }

    /** {@code text} cut to {@code max} characters, marked with "…" when it was; null stays null. */
    public static String cut(String text, int max) {
        return text == null || text.length() <= max ? text : text.substring(0, max) + "…";
    }

    /**
     * One VirtualSystem element (at any depth of VirtualSystemCollections) and its default hardware.
     *
     * <p>fullVersion, productUrl and vendorUrl come from this system's own ProductSections, as product does.
     *
     * @param annotation its own AnnotationSection's text, at most {@value #MAX_ANNOTATION} characters, and less
     *                   (down to a lone "…") once the systems of one descriptor have used their shared budget of
     *                   64 Ki characters of annotations and EULAs
     * @param eula       its own EulaSections' license texts, at most {@value #MAX_EULA} characters, under the same
     *                   shared budget
     * @param disks      its disk drives under the default configuration, with the disk and controller behind each
     * @param networks   the networks its ethernet adapters connect to under the default configuration, distinct
     */
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
            int nicItems,
            String fullVersion,
            String productUrl,
            String vendorUrl,
            String annotation,
            String eula,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<VirtualDisk> disks,
            @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> networks) {

        public VirtualSystem {
            annotation = cut(annotation, MAX_ANNOTATION);
            eula = cut(eula, MAX_EULA);
            disks = disks == null ? List.of() : List.copyOf(disks);
            networks = networks == null ? List.of() : List.copyOf(networks);
        }

        /** A virtual system as read before its URLs, texts, disks and networks were extracted. */
        public VirtualSystem(String id, String name, String inCollection, String product, String vendor, String version,
                             Integer osId, String osDescription, String virtualSystemType, Integer cpus, Long memoryMiB,
                             int diskItems, int nicItems) {
            this(id, name, inCollection, product, vendor, version, osId, osDescription, virtualSystemType, cpus,
                    memoryMiB, diskItems, nicItems, null, null, null, null, null, List.of(), List.of());
        }
    }

    /**
     * A disk drive of a virtual system: the Disk (or File) its HostResource names and the controller Item its
     * Parent names.
     *
     * @param diskId          the DiskSection Disk it is backed by; null when it names a File or nothing known
     * @param fileRef         the File holding its image: the Disk's fileRef, or the File the HostResource names
     * @param capacityBytes   the Disk's capacity in bytes (a ${property} capacity from the property's default), null
     *                        when unknown (missing, not a number, a reference that does not resolve)
     * @param format          the Disk's format URI
     * @param controller      the controller's bus: ide, scsi, sata, nvme, fc, iscsi, ib or other (CIM ResourceType
     *                        5, 6, 20, 7, 8, 9; 20 is "other storage" and named by its subtype); null without a Parent
     * @param controllerModel the controller's ResourceSubType in lower case (lsilogic, lsilogicsas, buslogic,
     *                        virtualscsi, piix4, ahci, …; VMware's "vmware.sata.ahci" reads as ahci), null when none
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record VirtualDisk(String diskId, String fileRef, Long capacityBytes, String format, String controller,
                              String controllerModel) {
    }

    /**
     * A Property of a ProductSection, as the deployer is asked for it.
     *
     * @param owner            the ovf:id of the VirtualSystem or VirtualSystemCollection whose ProductSection
     *                         declares it
     * @param key              the key as the OVF environment names it: {@code class.key.instance}, with the
     *                         ProductSection's ovf:class and ovf:instance where it has them (DSP0243 9.5)
     * @param type             ovf:type (string, boolean, uint16, …)
     * @param defaultValue     ovf:value; left out for password properties, whose defaults are not published
     * @param userConfigurable ovf:userConfigurable, false when absent as the standard says
     * @param password         true when ovf:password="true"; null otherwise
     * @param label            its Label, at most {@value #MAX_PROPERTY_TEXT} characters
     * @param description      its Description, at most {@value #MAX_PROPERTY_DESCRIPTION} characters
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Property(String owner, String key, String type, String defaultValue, boolean userConfigurable,
                           Boolean password, String label, String description) {

        /** Keys, types, defaults and labels are short in every real descriptor; this bounds hostile ones. */
        public static final int MAX_PROPERTY_TEXT = 256;

        public static final int MAX_PROPERTY_DESCRIPTION = 1024;

        public Property {
            owner = cut(owner, MAX_PROPERTY_TEXT);
            key = cut(key, MAX_PROPERTY_TEXT);
            type = cut(type, MAX_PROPERTY_TEXT);
            password = Boolean.TRUE.equals(password) ? Boolean.TRUE : null;
            defaultValue = password != null ? null : cut(defaultValue, MAX_PROPERTY_TEXT);
            label = cut(label, MAX_PROPERTY_TEXT);
            description = cut(description, MAX_PROPERTY_DESCRIPTION);
        }
    }

    /**
     * A Disk of the DiskSection; capacity as written, capacityBytes in bytes: a {@code ${key}} capacity resolved from
     * the default of the ProductSection property {@code key}, null when capacity is missing or does not resolve.
     */
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
