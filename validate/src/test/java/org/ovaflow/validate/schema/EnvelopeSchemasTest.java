package org.ovaflow.validate.schema;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import org.ovaflow.core.testing.RealWorldCorpus;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.sample.SampleAppliance;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * The shipped envelope schemas on the real-world corpus, on ovaflow's own sample descriptors and on hand-broken
 * ones; and that validation never fetches anything a descriptor points at.
 */
class EnvelopeSchemasTest {

    private static final EnvelopeSchemas SCHEMAS = EnvelopeSchemas.shipped();

    /**
     * The real-world descriptors that do not conform to DSP0243, and what is wrong with each (a part of the message).
     * Every other descriptor of the corpus must be valid.
     */
    private static final Map<String, String> NON_CONFORMING = Map.of(
            // VirtualBox 2.2 export as Ganeti's tests keep it: Disk without the required ovf:capacity
            "ganeti-virtualbox-nocapacity.ovf", "Attribute 'capacity' belonging to the OVF namespace, must appear on element 'Disk'",
            "ganeti-export-gnt-section.ovf", "Attribute 'capacity' belonging to the OVF namespace, must appear on element 'Disk'",
            // VMware's security test: a File of -9223372036854775807 bytes
            "govmomi-negative-size-disk.ovf", "'-9223372036854775807' of attribute 'ovf:size' on element 'File' is not valid",
            // VMware's negative test: sections of xsi:types no OVF version defines
            "govmomi-unsupported-section-xen3.ovf", "Cannot resolve 'ovf:UnsupportedSectionFoo' to a type definition",
            // VMware's hand-written import test: ProductSection with VendorUrl before Version, against DSP8023's order
            "govmomi-complete-vsc-mixed-ovf1-ovf2.ovf", "starting with element 'ovf:Version'");

    /**
     * The real-world descriptors with sections in the OVF namespace that no OVF version defines, marked
     * ovf:required="false", and what the warning names: ignored, as DSP0243 lets a consumer do.
     */
    private static final Map<String, String> UNKNOWN_OPTIONAL_SECTIONS = Map.of(
            // virt-manager's test: a made-up TestSection in the OVF namespace itself, after the VirtualSystem
            "virtmanager-vcenter-test1.ovf", "line 119: TestSection",
            // VMware's negative test: besides the unknown section without the mark, which fails
            "govmomi-unsupported-section-xen3.ovf", "line 19: Section xsi:type=\"ovf:UnknwonSection_Type\"");

    // ------------------------------------------------------------------ real-world corpus

    static Stream<Path> realWorldDescriptors() {
        return RealWorldCorpus.parameters();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("realWorldDescriptors")
    void realWorldDescriptorsAreValidUnlessTheyBreakTheSpec(Path descriptor) throws Exception {
        RealWorldCorpus.assumePresent(descriptor);
        String name = descriptor.getFileName().toString();

        List<CheckResult> checks = SCHEMAS.check(name, Files.readAllBytes(descriptor));
        CheckResult check = checks.get(0);

        assertThat(check.id()).isEqualTo("ovf.schema");
        if (UNKNOWN_OPTIONAL_SECTIONS.containsKey(name)) {
            assertThat(checks).hasSize(2).last().satisfies(warning -> {
                assertThat(warning.id()).isEqualTo("ovf.unknown-section");
                assertThat(warning.status()).isEqualTo(CheckResult.Status.WARN);
                assertThat(warning.message()).contains(UNKNOWN_OPTIONAL_SECTIONS.get(name));
            });
        } else {
            assertThat(checks).hasSize(1);
        }
        assertThat(check.file()).isEqualTo(name);
        if (NON_CONFORMING.containsKey(name)) {
            assertThat(check.status()).as(check.message()).isEqualTo(CheckResult.Status.FAIL);
            assertThat(check.message()).contains(NON_CONFORMING.get(name)).containsPattern("line \\d+: ");
        } else {
            assertThat(check.status()).as(check.message()).isEqualTo(CheckResult.Status.PASS);
        }
        // the corpus's own notes mark some descriptors as schema-invalid: they must be among the failures
        JsonNode notes = new ObjectMapper().readTree(descriptor.resolveSibling("expected.json").toFile())
                .path("files").path(name).path("notes");
        if (notes.toString().contains("SCHEMA-INVALID")) {
            assertThat(NON_CONFORMING).containsKey(name);
        }
    }

    @Test
    void everyListedNonConformingDescriptorIsInTheCorpus() throws IOException {
        Optional<Path> corpus = RealWorldCorpus.directory();
        Assumptions.assumeTrue(corpus.isPresent(), "real-world OVF corpus (shared/realworld-ovf) not found");
        for (String name : UNKNOWN_OPTIONAL_SECTIONS.keySet()) {
            assertThat(corpus.get().resolve(name)).exists();
        }
        for (String name : NON_CONFORMING.keySet()) {
            assertThat(corpus.get().resolve(name)).exists();
        }
    }


    // ------------------------------------------------------------------ ovaflow's own descriptors

    @Test
    void theSampleApplianceIsValid() {
        assertValid(sample());
        assertValid(SampleAppliance.descriptor("Ünïcode & <Co>", "\"Quoted\" product", "1.0-beta", "disk 1.img", 1));
    }

    @Test
    void sectionsMayComeInAnyOrderInsideAVirtualSystem() {
        // the catalog tests put a EulaSection in front of the OperatingSystemSection
        assertValid(sample().replace("<OperatingSystemSection", "<EulaSection>\n<Info>License agreement</Info>\n"
                + "<License>Use it well.</License>\n</EulaSection>\n<OperatingSystemSection"));
    }

    // ------------------------------------------------------------------ sections the schema does not know

    @Test
    void anUnknownSectionMarkedNotRequiredIsIgnoredWithAWarning() {
        String descriptor = sample().replace("<OperatingSystemSection", "<FutureSection ovf:required=\"false\" "
                + "xmlns:future=\"urn:future\" future:level=\"3\">\n<Info>From a later OVF</Info>\n<Setting>on</Setting>\n"
                + "</FutureSection>\n<OperatingSystemSection");

        List<CheckResult> checks = SCHEMAS.check("test.ovf", bytes(descriptor));

        assertThat(checks).extracting(CheckResult::id, CheckResult::status).containsExactly(
                tuple("ovf.schema", CheckResult.Status.PASS), tuple("ovf.unknown-section", CheckResult.Status.WARN));
        assertThat(checks.get(0).message()).contains("ignoring 1 unknown optional section(s)");
        assertThat(checks.get(1).file()).isEqualTo("test.ovf");
        assertThat(checks.get(1).message()).contains("1 section(s)", "line " + lineOf(descriptor, "<FutureSection")
                + ": FutureSection", "ovf:required=\"false\"", "DSP0243");
        // at the envelope's level, in OVF 2, and as a Section of an unknown xsi:type too
        assertThat(SCHEMAS.check("test.ovf", bytes(ovf2(descriptor)))).extracting(CheckResult::status)
                .containsExactly(CheckResult.Status.PASS, CheckResult.Status.WARN);
        String typed = sample().replace("<NetworkSection>", "<Section xsi:type=\"ovf:FutureSection_Type\" "
                + "ovf:required=\"0\"><Info>Later</Info></Section>\n<NetworkSection>");
        assertThat(SCHEMAS.check("test.ovf", bytes(typed))).extracting(CheckResult::status)
                .containsExactly(CheckResult.Status.PASS, CheckResult.Status.WARN);
    }

    @Test
    void anUnknownSectionThatIsRequiredOrUnmarkedStillFails() {
        for (String mark : List.of("", " ovf:required=\"true\"")) {
            String descriptor = sample().replace("<OperatingSystemSection", "<FutureSection" + mark
                    + "><Info>From a later OVF</Info></FutureSection>\n<OperatingSystemSection");

            assertThat(SCHEMAS.check("test.ovf", bytes(descriptor))).as(mark).singleElement()
                    .extracting(CheckResult::status).isEqualTo(CheckResult.Status.FAIL);
            assertInvalid(descriptor, lineOf(descriptor, "<FutureSection"), "'ovf:FutureSection'");
        }
    }

    @Test
    void onlySectionsAreIgnoredNotUnknownElementsInsideAKnownSection() {
        // a Disk's place is no section's: an unknown element there fails whatever it says of itself
        String descriptor = sample().replace("</DiskSection>",
                "<Extra ovf:required=\"false\"><Info>x</Info></Extra></DiskSection>");

        assertThat(SCHEMAS.check("test.ovf", bytes(descriptor))).singleElement()
                .extracting(CheckResult::status).isEqualTo(CheckResult.Status.FAIL);
        // and a known section marked not required is validated as any other
        assertInvalid(sample().replace("<NetworkSection>", "<NetworkSection ovf:required=\"false\">")
                .replace("<Info>Logical networks</Info>", ""), 0, "ovf:Info");
    }

    // ------------------------------------------------------------------ what the 1.x schema requires

    @Test
    void anEnvelopeWithoutReferencesIsInvalid() {
        String descriptor = sample().replaceAll("(?s)<References>.*</References>", "");

        assertInvalid(descriptor, lineOf(descriptor, "<DiskSection>"), "'ovf:DiskSection'", "'ovf:References' is expected");
    }

    @Test
    void aFileWithoutHrefIsInvalid() {
        String descriptor = sample().replaceAll("<File [^>]*/>", "<File ovf:id=\"file1\" ovf:size=\"20000\"/>");

        assertInvalid(descriptor, lineOf(descriptor, "<File "), "'href'", "must appear on element 'File'");
    }

    @Test
    void aFileWithoutIdOrWithANonNumericSizeIsInvalid() {
        assertInvalid(sample().replaceAll("<File [^>]*/>", "<File ovf:href=\"disk1.img\"/>"), 8, "'id'");
        assertInvalid(sample().replaceAll("<File [^>]*/>", "<File ovf:id=\"f\" ovf:href=\"disk1.img\" ovf:size=\"20 kB\"/>"),
                8, "'20 kB'", "'ovf:size'", "unsignedLong");
        assertInvalid(sample().replaceAll("<File [^>]*/>", "<File ovf:id=\"f\" ovf:href=\"d\" ovf:chunkSize=\"0\"/>"),
                8, "'ovf:chunkSize'");
    }

    @Test
    void aDiskWithoutCapacityIsInvalid() {
        String descriptor = sample().replaceAll("(?s)<Disk [^>]*/>", "<Disk ovf:diskId=\"vmdisk1\" ovf:fileRef=\"file1\"/>");

        assertInvalid(descriptor, lineOf(descriptor, "<Disk "), "'capacity'", "must appear on element 'Disk'");
    }

    @Test
    void aDiskCapacityIsANumberOrAPropertyReference() {
        assertValid(diskWithCapacity("${disk.size}"));
        assertValid(diskWithCapacity("8589934592"));
        assertInvalid(diskWithCapacity("lots"), 0, "'lots'", "'ovf:capacity'");
        assertInvalid(diskWithCapacity("${}"), 0, "'${}'");
    }

    @Test
    void anOperatingSystemIdMustBeAnInteger() {
        String descriptor = sample().replace("<OperatingSystemSection ovf:id=\"101\">",
                "<OperatingSystemSection ovf:id=\"linux\">");

        assertInvalid(descriptor, lineOf(descriptor, "ovf:id=\"linux\""), "'linux'", "'ovf:id'",
                "'OperatingSystemSection'", "unsignedShort");
        assertInvalid(sample().replace("<OperatingSystemSection ovf:id=\"101\">", "<OperatingSystemSection>"),
                0, "'id'", "must appear on element 'OperatingSystemSection'");
    }

    @Test
    void anUnknownElementOfTheOvfNamespaceIsInvalid() {
        String atEnvelope = sample().replace("<VirtualSystem ", "<TestSection><Info>?</Info></TestSection>\n<VirtualSystem ");
        assertInvalid(atEnvelope, lineOf(atEnvelope, "<TestSection>"), "'ovf:TestSection'");

        String inSection = sample().replace("<Product>", "<Colour>blue</Colour>\n<Product>");
        assertInvalid(inSection, lineOf(inSection, "<Colour>"), "'ovf:Colour'");

        String inItem = sample().replace("<rasd:ResourceType>3</rasd:ResourceType>", "<ovf:Cores>2</ovf:Cores>");
        assertInvalid(inItem, lineOf(inItem, "<ovf:Cores>"), "'ovf:Cores'");
    }

    @Test
    void sectionsAndContentNeedTheirInfo() {
        String section = sample().replace("<Info>Logical networks</Info>", "");
        assertInvalid(section, lineOf(section, "<Network "), "'ovf:Network'", "'ovf:Info' is expected");

        String content = sample().replace("<Info>A sample appliance</Info>", "");
        assertInvalid(content, lineOf(content, "<Name>"), "'ovf:Name'", "'ovf:Info' is expected");
    }

    @Test
    void anEnvelopeHoldsExactlyOneContent() {
        String two = sample().replace("</Envelope>",
                "<VirtualSystem ovf:id=\"second\"><Info>Another</Info></VirtualSystem>\n</Envelope>");
        assertInvalid(two, lineOf(two, "ovf:id=\"second\""), "'ovf:VirtualSystem'");

        String none = sample().replaceAll("(?s)<VirtualSystem .*</VirtualSystem>", "");
        assertInvalid(none, 0, "'Envelope' is not complete");
    }

    @Test
    void aVirtualSystemNeedsItsId() {
        assertInvalid(sample().replaceAll("<VirtualSystem ovf:id=\"[^\"]*\">", "<VirtualSystem>"), 0,
                "'id'", "must appear on element 'VirtualSystem'");
    }

    @Test
    void requiredChildrenOfTheStandardSectionsAreRequired() {
        assertInvalid(sample().replaceAll("<Annotation>.*</Annotation>", ""), 0, "'ovf:Annotation' is expected");
        assertInvalid(sample().replace("<Network ovf:name=\"VM Network\">", "<Network>"), 0, "'name'");
        assertInvalid(sample().replace("</FullVersion>", "</FullVersion>\n<Property ovf:key=\"k\"/>"),
                0, "'type'", "'Property'");
        assertInvalid(sample().replace("</VirtualSystem>", """
                <StartupSection><Info>Start</Info><Item ovf:id="x" ovf:order="first"/></StartupSection>
                </VirtualSystem>"""), 0, "'first'", "'ovf:order'");
        assertInvalid(sample().replace("<VirtualSystem ", """
                <DeploymentOptionSection><Info>Sizes</Info>
                <Configuration ovf:id="small"><Description>Small</Description></Configuration>
                </DeploymentOptionSection>
                <VirtualSystem\s"""), 0, "'ovf:Description'", "'ovf:Label' is expected");
        assertInvalid(sample().replace("</VirtualSystem>", "<EulaSection><Info>EULA</Info></EulaSection>\n</VirtualSystem>"),
                0, "'ovf:License' is expected");
    }

    @Test
    void theSectionsOfTheSpecAreValidWithTheirChildren() {
        assertValid(sample().replace("<VirtualSystem ", """
                <DeploymentOptionSection><Info>Sizes</Info>
                  <Configuration ovf:id="small" ovf:default="true"><Label>Small</Label><Description>2 CPUs</Description></Configuration>
                  <Configuration ovf:id="large"><Label ovf:msgid="large.label">Large</Label><Description>8 CPUs</Description></Configuration>
                </DeploymentOptionSection>
                <VirtualSystem\s""").replace("</VirtualSystem>", """
                <ProductSection ovf:class="com.example" ovf:instance="1" ovf:required="false">
                  <Info>Settings</Info><Product>Widget</Product><Icon ovf:fileRef="icon" ovf:height="32" ovf:width="32" ovf:mimeType="image/png"/>
                  <Category>Network</Category>
                  <Property ovf:key="ip" ovf:type="string" ovf:userConfigurable="true" ovf:password="false">
                    <Label>IP</Label><Description>The address</Description><Value ovf:value="10.0.0.2" ovf:configuration="large"/>
                  </Property>
                </ProductSection>
                <StartupSection><Info>Start</Info><Item ovf:id="a" ovf:order="1" ovf:startDelay="30" ovf:waitingForGuest="true" ovf:startAction="powerOn" ovf:stopAction="guestShutdown"/></StartupSection>
                <ResourceAllocationSection><Info>Reservations</Info><Item ovf:configuration="large"><rasd:Reservation>1024</rasd:Reservation></Item></ResourceAllocationSection>
                <InstallSection ovf:initialBootStopDelay="300"><Info>Boots once to install</Info></InstallSection>
                </VirtualSystem>
                <Strings xml:lang="de-DE"><Msg ovf:msgid="large.label">Groß</Msg></Strings>""")
                .replace("<VirtualHardwareSection>", "<VirtualHardwareSection ovf:transport=\"iso com.vmware.guestInfo\">"));
    }

    @Test
    void aCollectionNestsContentAndItsSections() {
        String collection = sample().replaceAll("(?s)<VirtualSystem (.*)</VirtualSystem>", """
                <VirtualSystemCollection ovf:id="vapp"><Info>A vApp</Info><Name>vApp</Name>
                <StartupSection><Info>Order</Info><Item ovf:id="inner" ovf:order="0"/></StartupSection>
                <VirtualSystemCollection ovf:id="tier"><Info>A tier</Info>
                <VirtualSystem $1</VirtualSystem>
                </VirtualSystemCollection>
                </VirtualSystemCollection>""");
        assertValid(collection);
        assertInvalid(collection.replace("<VirtualSystemCollection ovf:id=\"tier\">", "<VirtualSystemCollection>"),
                0, "'id'", "'VirtualSystemCollection'");
    }

    @Test
    void theNumericAndBooleanRasdSettingsOfAnItemAreTyped() {
        String cpu = sample().replace("<rasd:ResourceType>3</rasd:ResourceType>", "<rasd:ResourceType>cpu</rasd:ResourceType>");
        assertInvalid(cpu, lineOf(cpu, ">cpu<"), "'cpu' is not a valid value", "'rasd:ResourceType'");

        String quantity = sample().replace("<rasd:VirtualQuantity>1024</rasd:VirtualQuantity>",
                "<rasd:VirtualQuantity>1 GB</rasd:VirtualQuantity>");
        assertInvalid(quantity, lineOf(quantity, ">1 GB<"), "'1 GB' is not a valid value", "'rasd:VirtualQuantity'");

        assertInvalid(sample().replace("<rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>",
                "<rasd:AutomaticAllocation>yes</rasd:AutomaticAllocation>"), 0, "'yes' is not a valid value for 'boolean'", "'rasd:AutomaticAllocation'");

        // nil settings, settings of any other name and in any order pass
        assertValid(sample().replace("xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">",
                        "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:vmw=\"http://www.vmware.com/schema/ovf\">")
                .replace("<rasd:VirtualQuantity>2</rasd:VirtualQuantity>", "<rasd:VirtualQuantity>2</rasd:VirtualQuantity>"
                        + "<rasd:Reservation xsi:nil=\"true\"/><rasd:Limit vmw:unit=\"MHz\">2000</rasd:Limit>"
                        + "<rasd:Weight>1000</rasd:Weight><rasd:CustomSetting>anything</rasd:CustomSetting>"
                        + "<rasd:Caption>before its place in the alphabet</rasd:Caption>"));
    }

    // ------------------------------------------------------------------ extensions and xsi:type sections

    @Test
    void vendorExtensionsPassUnvalidated() {
        String descriptor = sample()
                .replace("xmlns:xsi=", "xmlns:vmw=\"http://www.vmware.com/schema/ovf\" xmlns:vbox=\"http://www.virtualbox.org/ovf/machine\""
                        + " xmlns:gnt=\"http://ganeti\" xmlns:sasd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_StorageAllocationSettingData\""
                        + " vmw:buildId=\"build-1\" xmlns:xsi=")
                .replace("<DiskSection>", "<vmw:IpAssignmentSection ovf:required=\"false\" vmw:protocols=\"IPv4\"><Info>IP</Info></vmw:IpAssignmentSection>\n"
                        + "<gnt:GanetiSection><gnt:Version>2.16</gnt:Version></gnt:GanetiSection>\n<DiskSection>")
                .replace("<OperatingSystemSection ovf:id=\"101\">", "<OperatingSystemSection ovf:id=\"101\" vmw:osType=\"otherLinux64Guest\">")
                .replace("</VirtualHardwareSection>", "<vmw:Config ovf:required=\"false\" vmw:key=\"firmware\" vmw:value=\"efi\"/>\n"
                        + "<vmw:ExtraConfig vmw:key=\"a\" vmw:value=\"b\"/>\n</VirtualHardwareSection>")
                .replace("<rasd:VirtualQuantity>2</rasd:VirtualQuantity>", "<rasd:VirtualQuantity>2</rasd:VirtualQuantity>\n"
                        + "<vmw:CoresPerSocket ovf:required=\"false\">2</vmw:CoresPerSocket><sasd:Whatever>x</sasd:Whatever>")
                .replace("</VirtualSystem>", "<vbox:Machine ovf:required=\"false\" version=\"1.12\" uuid=\"{0}\" name=\"w\">"
                        + "<vbox:Hardware/></vbox:Machine>\n</VirtualSystem>");

        assertValid(descriptor);
    }

    @Test
    void ovfRequiredIsABooleanWhereverItAppears() {
        String descriptor = sample().replace("xmlns:xsi=", "xmlns:vmw=\"http://www.vmware.com/schema/ovf\" xmlns:xsi=")
                .replace("</VirtualHardwareSection>", "<vmw:Config ovf:required=\"maybe\" vmw:key=\"k\" vmw:value=\"v\"/>\n</VirtualHardwareSection>");

        assertInvalid(descriptor, lineOf(descriptor, "ovf:required=\"maybe\""), "'maybe'", "boolean");
    }

    @Test
    void sectionsMayBeWrittenWithXsiType() {
        String descriptor = sample()
                .replace("<DiskSection>", "<Section xsi:type=\"ovf:DiskSection_Type\">").replace("</DiskSection>", "</Section>")
                .replace("<AnnotationSection>", "<Section xsi:type=\"ovf:AnnotationSection_Type\">").replace("</AnnotationSection>", "</Section>");
        assertValid(descriptor);

        // the named type is validated as such
        assertInvalid(descriptor.replaceAll("(?s)<Disk [^>]*/>", "<Disk ovf:diskId=\"d\"/>"), 0, "'capacity'");
        // and has to exist
        assertInvalid(descriptor.replace("ovf:AnnotationSection_Type", "ovf:CommentSection_Type"), 0,
                "Cannot resolve 'ovf:CommentSection_Type' to a type definition");
        // a plain Section names no type, and Section_Type is abstract
        assertInvalid(descriptor.replace(" xsi:type=\"ovf:AnnotationSection_Type\"", ""), 0, "abstract");
    }

    @Test
    void contentMayBeWrittenWithXsiType() {
        assertValid(sample().replace("<VirtualSystem ", "<Content xsi:type=\"ovf:VirtualSystem_Type\" ")
                .replace("</VirtualSystem>", "</Content>"));
    }

    // ------------------------------------------------------------------ OVF 2.x

    @Test
    void aDescriptorOfTheOvf2NamespaceIsValidatedByThe2xSchema() {
        CheckResult check = SCHEMAS.validate("two.ovf", bytes(ovf2(sample())));

        assertThat(check.status()).as(check.message()).isEqualTo(CheckResult.Status.PASS);
        assertThat(check.message()).contains("OVF 2.x envelope schema");
    }

    @Test
    void theOvf2SectionsAndItemsAreKnownToThe2xSchema() {
        String descriptor = ovf2(sample())
                .replace("xmlns:xsi=", "xmlns:epasd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_EthernetPortAllocationSettingData\""
                        + " xmlns:sasd=\"http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_StorageAllocationSettingData\" xmlns:xsi=")
                .replace("<NetworkSection>", """
                        <SharedDiskSection><Info>Shared</Info><SharedDisk ovf:diskId="data" ovf:capacity="1073741824" ovf:readOnly="true"/></SharedDiskSection>
                        <EnvironmentFilesSection ovf:transport="iso"><Info>Config</Info><File ovf:fileRef="file1" ovf:path="setup/cfg.xml"/></EnvironmentFilesSection>
                        <PlacementGroupSection ovf:id="web" ovf:policy="availability"><Info>Spread</Info><Description>Web tier</Description></PlacementGroupSection>
                        <NetworkSection>""")
                .replace("<Description>The service network</Description>",
                        "<Description>The service network</Description><NetworkPortProfileURI>http://example.com/p</NetworkPortProfileURI>")
                .replace("</VirtualHardwareSection>", """
                        <EthernetPortItem><epasd:Connection>VM Network</epasd:Connection><epasd:InstanceID>6</epasd:InstanceID></EthernetPortItem>
                        <StorageItem><sasd:HostResource>ovf:/disk/data</sasd:HostResource><sasd:InstanceID>7</sasd:InstanceID></StorageItem>
                        </VirtualHardwareSection>
                        <BootDeviceSection><Info>Boot order</Info></BootDeviceSection>
                        <PlacementSection ovf:group="web"><Info>In the web group</Info></PlacementSection>""");
        assertValid(descriptor);

        assertInvalid(descriptor.replace("<Info>Shared</Info>", ""), 0, "'ovf:SharedDisk'", "'ovf:Info' is expected");
        assertInvalid(descriptor.replace(" ovf:path=\"setup/cfg.xml\"", ""), 0, "'path'");
        assertInvalid(descriptor.replace("<PlacementGroupSection ovf:id=\"web\"", "<PlacementGroupSection"), 0, "'id'");
        // 2.x elements are not 1.x elements
        assertInvalid(descriptor.replace("http://schemas.dmtf.org/ovf/envelope/2", "http://schemas.dmtf.org/ovf/envelope/1"),
                0, "'ovf:SharedDiskSection'");
    }

    @Test
    void the1xSchemaLeavesOvf2ElementsInA1xEnvelopeToTheirNamespace() {
        // VMware's writers put ovf2:ScaleOutSection into 1.x envelopes; to the 1.x schema it is an extension
        assertValid(sample().replace("xmlns:xsi=", "xmlns:ovf2=\"http://schemas.dmtf.org/ovf/envelope/2\" xmlns:xsi=")
                .replace("<AnnotationSection>", "<ovf2:ScaleOutSection ovf2:id=\"x\"><Info>Scale</Info>"
                        + "<ovf2:InstanceCount ovf2:default=\"1\"/></ovf2:ScaleOutSection>\n<AnnotationSection>"));
    }

    // ------------------------------------------------------------------ OVF 0.9

    private static final String OVF_09 = """
            <?xml version="1.0" encoding="UTF-8"?>
            <ovf:Envelope xmlns:ovf="http://www.vmware.com/schema/ovf/1/envelope" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" ovf:version="0.9">
              <References>
                <File ovf:href="disk1.vmdk" ovf:id="file1" ovf:size="1024"/>
              </References>
              <Section xsi:type="ovf:DiskSection_Type">
                <Info>Disks</Info>
                <Disk ovf:capacity="1073741824" ovf:diskId="vmdisk1" ovf:fileRef="file1"/>
              </Section>
              <Content ovf:id="vm" xsi:type="ovf:VirtualSystem_Type">
                <Info>A virtual machine</Info>
                <Section ovf:id="75" xsi:type="ovf:OperatingSystemSection_Type"><Info>OS</Info></Section>
              </Content>
            </ovf:Envelope>
            """;

    @Test
    void ovf09IsCheckedByALaxSchemaThatSaysSo() {
        CheckResult check = SCHEMAS.validate("old.ovf", bytes(OVF_09));
        assertThat(check.status()).as(check.message()).isEqualTo(CheckResult.Status.PASS);
        assertThat(check.message()).contains("lax OVF 0.9", "DMTF publishes none");

        // qualified child elements, as VMware Studio and VirtualBox write them
        assertValid(OVF_09.replaceAll("<(/?)(References|File|Section|Info|Disk|Content)\\b", "<$1ovf:$2"));
    }

    @Test
    void ovf09StillNeedsReferencesKnownSectionTypesAndInfo() {
        assertInvalid(OVF_09.replaceAll("(?s)<References>.*</References>", ""), 0, "'Section'");
        assertInvalid(OVF_09.replace("ovf:DiskSection_Type", "ovf:FloppySection_Type"), 0,
                "Cannot resolve 'ovf:FloppySection_Type'");
        assertInvalid(OVF_09.replace("<Info>Disks</Info>", ""), 0, "'Disk'");
        assertInvalid(OVF_09.replace(" ovf:href=\"disk1.vmdk\"", ""), 0, "'href'");
    }

    // ------------------------------------------------------------------ bounds and safety

    @Test
    void errorsAreAllCountedButOnlyTheFirstTenQuoted() {
        StringBuilder files = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            files.append("<File ovf:id=\"f").append(i).append("\"/>\n");
        }
        String descriptor = sample().replaceAll("<File [^>]*/>", files.toString());

        CheckResult check = SCHEMAS.validate("many.ovf", bytes(descriptor));

        assertThat(check.failed()).isTrue();
        assertThat(check.message()).contains("50 error(s), the first 10: line 8: ");
        assertThat(check.message().split("line \\d+: ", -1)).hasSize(11);
        assertThat(check.message()).contains("line 17: ").doesNotContain("line 18: ");
    }

    @Test
    void validationStopsCountingAtAHundredErrors() {
        String descriptor = sample().replaceAll("<File [^>]*/>", "<File/>\n".repeat(5_000));

        CheckResult check = SCHEMAS.validate("lots.ovf", bytes(descriptor));

        assertThat(check.message()).contains("more than 100 error(s), the first 10");
        assertThat(check.message().length()).isLessThan(5_000);
    }

    @Test
    void oneBadValueIsOneError() {
        CheckResult check = SCHEMAS.validate("size.ovf", bytes(sample().replaceAll("ovf:size=\"\\d+\"", "ovf:size=\"-1\"")));

        assertThat(check.message()).contains("1 error(s): line 8: ", "minInclusive", "'ovf:size'");
    }

    @Test
    void schemaLocationHintsInADescriptorAreNeverFetched() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            requests.incrementAndGet();
            byte[] schema = """
                    <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="http://www.vmware.com/schema/ovf">
                      <xs:element name="Config"><xs:complexType><xs:sequence><xs:element name="Never"/></xs:sequence></xs:complexType></xs:element>
                    </xs:schema>""".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, schema.length);
            exchange.getResponseBody().write(schema);
            exchange.close();
        });
        server.start();
        try {
            String base = "http://127.0.0.1:" + server.getAddress().getPort();
            String descriptor = sample()
                    .replace("xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"",
                            "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:vmw=\"http://www.vmware.com/schema/ovf\""
                                    + " xsi:schemaLocation=\"http://schemas.dmtf.org/ovf/envelope/1 " + base + "/dsp8023.xsd"
                                    + " http://www.vmware.com/schema/ovf " + base + "/vmware.xsd\"")
                    .replace("</VirtualHardwareSection>", "<vmw:Config xsi:schemaLocation=\"http://www.vmware.com/schema/ovf "
                            + base + "/again.xsd\" xsi:noNamespaceSchemaLocation=\"" + base + "/none.xsd\" vmw:key=\"k\"/>\n"
                            + "</VirtualHardwareSection>");

            CheckResult check = SCHEMAS.validate("hints.ovf", bytes(descriptor));

            assertThat(check.status()).as(check.message()).isEqualTo(CheckResult.Status.PASS);
            assertThat(requests).as("requests to the schemaLocation server").hasValue(0);
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aDescriptorOfNoKnownNamespaceFailsWithoutAnException() {
        CheckResult check = SCHEMAS.validate("other.ovf", bytes("<Envelope xmlns=\"urn:other\"/>"));
        assertThat(check.failed()).isTrue();
        assertThat(check.message()).contains("urn:other");

        CheckResult garbage = SCHEMAS.validate("garbage.ovf", bytes("not xml"));
        assertThat(garbage.failed()).isTrue();
    }

    // ------------------------------------------------------------------ helpers

    private static String sample() {
        return SampleAppliance.descriptor("Acme", "Widget", "1.0", "disk1.img", 20_000);
    }

    private static String ovf2(String descriptor) {
        return descriptor.replace("http://schemas.dmtf.org/ovf/envelope/1", "http://schemas.dmtf.org/ovf/envelope/2");
    }

    private static String diskWithCapacity(String capacity) {
        return sample().replaceAll("ovf:capacity=\"\\d+\"", Matcher.quoteReplacement("ovf:capacity=\"" + capacity + "\""));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /** The 1-based line of the first occurrence of {@code marker}. */
    private static int lineOf(String text, String marker) {
        int at = text.indexOf(marker);
        assertThat(at).as("marker %s in the descriptor", marker).isNotNegative();
        return (int) text.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
    }

    private static void assertValid(String descriptor) {
        CheckResult check = SCHEMAS.validate("test.ovf", bytes(descriptor));
        assertThat(check.status()).as(check.message()).isEqualTo(CheckResult.Status.PASS);
        assertThat(check.id()).isEqualTo("ovf.schema");
    }

    /** @param line the line the first error must name; 0 when any line will do */
    private static void assertInvalid(String descriptor, int line, String... inMessage) {
        CheckResult check = SCHEMAS.validate("test.ovf", bytes(descriptor));
        assertThat(check.status()).as(check.message()).isEqualTo(CheckResult.Status.FAIL);
        assertThat(check.id()).isEqualTo("ovf.schema");
        assertThat(check.file()).isEqualTo("test.ovf");
        assertThat(check.message()).contains(inMessage).containsPattern("error\\(s\\).*: line \\d+: ");
        if (line > 0) {
            assertThat(check.message()).contains("error(s): line " + line + ": ");
        }
    }
}
