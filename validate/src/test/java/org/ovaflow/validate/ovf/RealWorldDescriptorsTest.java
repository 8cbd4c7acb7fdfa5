package org.ovaflow.validate.ovf;

import org.ovaflow.core.testing.RealWorldCorpus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ovaflow.core.event.ApplianceMetadata;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * Parses every real-world descriptor of the shared corpus and compares the result with the corpus's
 * expected.json, field by field for every field that ApplianceMetadata carries.
 */
class RealWorldDescriptorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final OvfDescriptorParser parser = new OvfDescriptorParser();

    static Stream<Path> descriptors() {
        return RealWorldCorpus.parameters();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("descriptors")
    void parsesAsExpected(Path descriptor) throws Exception {
        RealWorldCorpus.assumePresent(descriptor);
        String fileName = descriptor.getFileName().toString();
        JsonNode expected = expectations(descriptor.getParent()).path("files").path(fileName);
        assertThat(expected.isObject()).as("expected.json has an entry for %s", fileName).isTrue();
        expected = withResolvedCapacities(fileName, expected);

        ApplianceMetadata metadata;
        try (InputStream in = Files.newInputStream(descriptor)) {
            metadata = parser.parse(fileName, in);
        }

        assertThat(comparable(actualAsExpectedShape(metadata), FULL_SHAPE).toPrettyString())
                .as(fileName)
                .isEqualTo(comparable(expected, FULL_SHAPE).toPrettyString());
        // every EulaSection of the corpus has a License text, so the text is there exactly when a section is
        assertThat(metadata.eula() != null).as(fileName + " has EULA text").isEqualTo(metadata.hasEula());
    }

    /**
     * Capacities given as {@code ${property}} references, which expected.json leaves null and ovaflow resolves
     * from the property's default: read off the XML by hand (every one in byte * 2^30).
     */
    private static final Map<String, Map<String, Long>> RESOLVED_CAPACITIES = Map.of(
            // esxiN-OSDiskSize 2, esxiN-ssdDiskSize 4, esxiN-mdDiskSize 8 for each of the three hosts
            "govmomi-nested-esxi-vsan-3node.ovf", Map.of(
                    "vmdisk1", 2L << 30, "vmdisk2", 4L << 30, "vmdisk3", 8L << 30,
                    "vmdisk4", 2L << 30, "vmdisk5", 4L << 30, "vmdisk6", 8L << 30,
                    "vmdisk7", 2L << 30, "vmdisk8", 4L << 30, "vmdisk9", 8L << 30),
            // scratch_space_size_small 10 and scratch_space_size_large 20, one per deployment option
            "govmomi-ovftool400-multiple-disks-deployopts.ovf", Map.of(
                    "scratch_small", 10L << 30, "scratch_large", 20L << 30));

    private static JsonNode withResolvedCapacities(String fileName, JsonNode expected) {
        Map<String, Long> resolved = RESOLVED_CAPACITIES.getOrDefault(fileName, Map.of());
        if (resolved.isEmpty()) {
            return expected;
        }
        ObjectNode copy = expected.deepCopy();
        int seen = 0;
        for (JsonNode disk : copy.path("disks")) {
            Long bytes = resolved.get(disk.path("diskId").asText());
            if (bytes != null) {
                assertThat(disk.path("capacity").asText()).as("expected.json's capacity of %s", disk).startsWith("${");
                assertThat(disk.path("capacityBytes").isNull()).as("expected.json leaves %s null", disk).isTrue();
                ((ObjectNode) disk).put("capacityBytes", bytes);
                seen++;
            }
        }
        assertThat(seen).as("disks of %s with a resolved capacity", fileName).isEqualTo(resolved.size());
        return copy;
    }

    /** Property keys, types and defaults of the CSR1000V's ProductSection, read off the XML by hand. */
    @Test
    void theCsr1000vPropertiesAreKeyedByClassAndInstance() throws Exception {
        ApplianceMetadata metadata = corpusFile("cot-csr1000v.ovf");

        assertThat(metadata.properties()).hasSize(27).allSatisfy(p -> {
            assertThat(p.owner()).isEqualTo("com.cisco.csr1000v");
            assertThat(p.key()).startsWith("com.cisco.csr1000v.").endsWith(".1");
        });
        assertThat(metadata.propertiesCut()).isNull();
        assertThat(property(metadata, "com.cisco.csr1000v.config-version.1"))
                .isEqualTo(new ApplianceMetadata.Property("com.cisco.csr1000v", "com.cisco.csr1000v.config-version.1",
                        "string", "1.0", false, null, null, "DO NOT CHANGE THIS VALUE"));
        assertThat(property(metadata, "com.cisco.csr1000v.mgmt-interface.1")).satisfies(p -> {
            assertThat(p.defaultValue()).isEqualTo("GigabitEthernet1");
            assertThat(p.userConfigurable()).isTrue();
            assertThat(p.label()).isEqualTo("Management Interface");
        });
        assertThat(property(metadata, "com.cisco.csr1000v.enable-ssh-server.1")).satisfies(p -> {
            assertThat(p.type()).isEqualTo("boolean");
            assertThat(p.defaultValue()).isEqualTo("false");
        });
        assertThat(property(metadata, "com.cisco.csr1000v.login-password.1")).satisfies(p -> {
            assertThat(p.password()).isTrue();
            assertThat(p.defaultValue()).as("a password's default is not published").isNull();
        });
    }

    /** A collection's properties (the vApp's) come before those of its members, each named by its owner. */
    @Test
    void aCollectionsPropertiesAndEulasAreKeptApartFromItsMembers() throws Exception {
        ApplianceMetadata metadata = corpusFile("govmomi-complete-vsc-mixed-ovf1-ovf2.ovf");

        assertThat(metadata.properties()).extracting(ApplianceMetadata.Property::owner, ApplianceMetadata.Property::key)
                .containsExactly(
                        tuple("vsc1", "com.vmware.test.username.vapp"),
                        tuple("vsc1", "com.vmware.test.dbIp.vapp"),
                        tuple("vsc1", "com.vmware.test.webIp.vapp"),
                        tuple("vsc1", "com.vmware.test.optional0.vapp"),
                        tuple("vs1", "com.vmware.test.ip.vm1"),
                        tuple("vs2", "com.vmware.test.ip.vm2"));
        assertThat(property(metadata, "com.vmware.test.ip.vm1").defaultValue()).isEqualTo("${dbIp}");
        assertThat(metadata.eula()).isEqualTo("Contents of vApp license\n\nContents of VM license");
        assertThat(metadata.virtualSystems()).extracting(ApplianceMetadata.VirtualSystem::eula)
                .containsExactly("Contents of VM license", null);
    }

    @Test
    void severalEulaSectionsGiveTheirTextsOnce() throws Exception {
        ApplianceMetadata metadata = corpusFile("govmomi-vmwarestudio-vapp-eula.ovf");

        assertThat(metadata.eula()).isEqualTo("EULA 1\n\nEULA 2");
        assertThat(metadata.virtualSystems()).extracting(ApplianceMetadata.VirtualSystem::eula)
                .containsExactly("EULA 1\n\nEULA 2", "EULA 1\n\nEULA 2");
    }

    /** Disks and their controllers as the VirtualBox export wires them: IDE ICH6 and SATA AHCI. */
    @Test
    void disksNameTheControllerTheirParentPointsTo() throws Exception {
        ApplianceMetadata metadata = corpusFile("govmomi-vbox22-all-storage-controllers.ovf");

        assertThat(metadata.virtualSystems()).singleElement().satisfies(vs -> {
            assertThat(vs.disks()).extracting(ApplianceMetadata.VirtualDisk::diskId,
                            ApplianceMetadata.VirtualDisk::controller, ApplianceMetadata.VirtualDisk::controllerModel)
                    .containsExactly(tuple("vmdisk1", "ide", "ich6"),
                            tuple("vmdisk2", "sata", "ahci"));
            assertThat(vs.networks()).containsExactly("NAT");
        });
    }

    private ApplianceMetadata corpusFile(String name) throws Exception {
        Optional<Path> corpus = RealWorldCorpus.directory();
        Assumptions.assumeTrue(corpus.isPresent(), "real-world OVF corpus not found");
        try (InputStream in = Files.newInputStream(corpus.get().resolve(name))) {
            return parser.parse(name, in);
        }
    }

    private static ApplianceMetadata.Property property(ApplianceMetadata metadata, String key) {
        return metadata.properties().stream().filter(p -> p.key().equals(key)).findFirst()
                .orElseThrow(() -> new AssertionError("no property " + key));
    }

    /** The real-world corpus: the system property if it names a directory, else shared/realworld-ovf above the working directory. */
    private static JsonNode expectations(Path corpus) throws IOException {
        return JSON.readTree(corpus.resolve("expected.json").toFile());
    }

    /** Our metadata in expected.json's vocabulary (e.g. disks without format, "virtualSystems" as a count). */
    private static ObjectNode actualAsExpectedShape(ApplianceMetadata m) {
        ObjectNode actual = NODES.objectNode();
        actual.put("ovfVersion", m.ovfVersion());
        ArrayNode files = actual.putArray("files");
        m.files().forEach(f -> files.addObject()
                .put("id", f.id()).put("href", f.href()).put("size", f.size())
                .put("compression", f.compression()).put("chunkSize", f.chunkSize()));
        ArrayNode disks = actual.putArray("disks");
        m.disks().forEach(d -> disks.addObject()
                .put("diskId", d.diskId()).put("fileRef", d.fileRef()).put("parentRef", d.parentRef())
                .put("capacity", d.capacity()).put("capacityAllocationUnits", d.capacityAllocationUnits())
                .put("capacityBytes", d.capacityBytes()));
        actual.put("diskCount", m.disks().size());
        m.networks().forEach(actual.putArray("networks")::add);
        actual.put("virtualSystems", m.virtualSystems().size());
        ArrayNode systems = actual.putArray("virtualSystemList");
        m.virtualSystems().forEach(vs -> systems.addObject()
                .put("id", vs.id()).put("inCollection", vs.inCollection())
                .put("product", vs.product()).put("vendor", vs.vendor()).put("version", vs.version())
                .put("osId", vs.osId()).put("virtualSystemType", vs.virtualSystemType())
                .put("cpus", vs.cpus()).put("memoryMiB", vs.memoryMiB())
                .put("diskItems", vs.diskItems()).put("nicItems", vs.nicItems()));
        if (m.deploymentOptions().isEmpty()) {
            actual.putNull("deploymentOptions"); // expected.json writes null for "no DeploymentOptionSection"
        } else {
            m.deploymentOptions().forEach(actual.putArray("deploymentOptions")::add);
        }
        actual.put("defaultDeploymentOption", m.defaultDeploymentOption());
        actual.put("hasEula", m.hasEula());
        actual.put("hasProperties", !m.properties().isEmpty());
        return actual;
    }

    /**
     * expected.json reduced to the fields ApplianceMetadata carries (those {@link #actualAsExpectedShape} writes),
     * with integral numbers as longs so that 1 and 1L compare equal.
     */
    private static JsonNode comparable(JsonNode expected, JsonNode actualShape) {
        if (expected.isObject() && actualShape.isObject()) {
            ObjectNode kept = NODES.objectNode();
            actualShape.fieldNames().forEachRemaining(name -> kept.set(name,
                    expected.has(name) ? comparable(expected.get(name), actualShape.get(name)) : NODES.textNode("<not in expected.json>")));
            return kept;
        }
        if (expected.isArray()) {
            ArrayNode kept = NODES.arrayNode();
            JsonNode elementShape = actualShape.isArray() && !actualShape.isEmpty() ? actualShape.get(0) : NODES.nullNode();
            expected.forEach(element -> kept.add(comparable(element, elementShape)));
            return kept;
        }
        return expected.isIntegralNumber() ? NODES.numberNode(expected.asLong()) : expected;
    }

    /** One of everything, so that the comparison knows the field names of every nested record. */
    private static final ObjectNode FULL_SHAPE = actualAsExpectedShape(new ApplianceMetadata("1.x", null, null, null,
            null, null, null,
            List.of(new ApplianceMetadata.VirtualSystem("id", null, null, null, null, null, 1, null, null, 1, 1L, 0, 0)),
            List.of(new ApplianceMetadata.Disk("d", null, null, null, null, null, null, null)),
            List.of(new ApplianceMetadata.File("f", null, null, null, null)),
            List.of("n"), List.of("o"), "o", false));
}
