package org.ovaflow.core.sample;

import org.ovaflow.core.ova.OvaBuilder;

import java.util.Random;

/**
 * Small but well-formed appliances for the demo and the tests: an OVF 1.0 descriptor with a ProductSection,
 * one virtual system (CPUs, memory, a disk controller, a disk and a NIC), a network, and a raw disk image
 * with real data patterns (random blocks, zero runs, data in the last sector).
 */
public final class SampleAppliance {

    /** oVirt's format URI for a raw disk image (DSP0243 defines none). */
    public static final String RAW_FORMAT = "http://en.wikipedia.org/wiki/Byte";

    private SampleAppliance() {
    }

    /** An OVA of {@code vendor}/{@code product}/{@code version} with a disk of {@code diskBytes} bytes. */
    public static OvaBuilder ova(String vendor, String product, String version, int diskBytes, long seed) {
        byte[] disk = disk(diskBytes, seed);
        return new OvaBuilder(slug(product) + ".ovf", descriptor(vendor, product, version, "disk1.img", disk.length))
                .file("disk1.img", disk);
    }

    /** A disk image: 4 KiB blocks, alternately random and zero, and a random last sector. */
    public static byte[] disk(int size, long seed) {
        Random random = new Random(seed);
        byte[] disk = new byte[size];
        for (int block = 0; block * 4096 < size; block += 2) {
            byte[] data = new byte[Math.min(4096, size - block * 4096)];
            random.nextBytes(data);
            System.arraycopy(data, 0, disk, block * 4096, data.length);
        }
        byte[] tail = new byte[Math.min(512, size)];
        random.nextBytes(tail);
        System.arraycopy(tail, 0, disk, size - tail.length, tail.length);
        return disk;
    }

    public static String descriptor(String vendor, String product, String version, String diskFile, long diskSize) {
        long capacityMiB = Math.max(1, (diskSize + (1 << 20) - 1) >> 20);
        return """
                <?xml version="1.0" encoding="UTF-8"?>
                <Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"
                          xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
                          xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
                          xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData"
                          xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
                  <References>
                    <File ovf:id="file1" ovf:href="%4$s" ovf:size="%5$d"/>
                  </References>
                  <DiskSection>
                    <Info>Virtual disks</Info>
                    <Disk ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:capacity="%6$d"
                          ovf:capacityAllocationUnits="byte * 2^20" ovf:format="%7$s"/>
                  </DiskSection>
                  <NetworkSection>
                    <Info>Logical networks</Info>
                    <Network ovf:name="VM Network">
                      <Description>The service network</Description>
                    </Network>
                  </NetworkSection>
                  <VirtualSystem ovf:id="%8$s">
                    <Info>A sample appliance</Info>
                    <Name>%2$s</Name>
                    <AnnotationSection>
                      <Info>Release notes</Info>
                      <Annotation>%2$s %3$s, built by ovaflow's samples.</Annotation>
                    </AnnotationSection>
                    <ProductSection>
                      <Info>Product information</Info>
                      <Product>%2$s</Product>
                      <Vendor>%1$s</Vendor>
                      <Version>%3$s</Version>
                      <FullVersion>%3$s</FullVersion>
                    </ProductSection>
                    <OperatingSystemSection ovf:id="101">
                      <Info>The guest operating system</Info>
                      <Description>Linux 64-bit</Description>
                    </OperatingSystemSection>
                    <VirtualHardwareSection>
                      <Info>Virtual hardware requirements</Info>
                      <System>
                        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
                        <vssd:InstanceID>0</vssd:InstanceID>
                        <vssd:VirtualSystemType>vmx-13</vssd:VirtualSystemType>
                      </System>
                      <Item>
                        <rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>
                        <rasd:Description>Number of virtual CPUs</rasd:Description>
                        <rasd:ElementName>2 virtual CPU(s)</rasd:ElementName>
                        <rasd:InstanceID>1</rasd:InstanceID>
                        <rasd:ResourceType>3</rasd:ResourceType>
                        <rasd:VirtualQuantity>2</rasd:VirtualQuantity>
                      </Item>
                      <Item>
                        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>
                        <rasd:Description>Memory size</rasd:Description>
                        <rasd:ElementName>1024MB of memory</rasd:ElementName>
                        <rasd:InstanceID>2</rasd:InstanceID>
                        <rasd:ResourceType>4</rasd:ResourceType>
                        <rasd:VirtualQuantity>1024</rasd:VirtualQuantity>
                      </Item>
                      <Item>
                        <rasd:Address>0</rasd:Address>
                        <rasd:ElementName>SCSI controller 0</rasd:ElementName>
                        <rasd:InstanceID>3</rasd:InstanceID>
                        <rasd:ResourceSubType>lsilogic</rasd:ResourceSubType>
                        <rasd:ResourceType>6</rasd:ResourceType>
                      </Item>
                      <Item>
                        <rasd:AddressOnParent>0</rasd:AddressOnParent>
                        <rasd:ElementName>Hard disk 1</rasd:ElementName>
                        <rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource>
                        <rasd:InstanceID>4</rasd:InstanceID>
                        <rasd:Parent>3</rasd:Parent>
                        <rasd:ResourceType>17</rasd:ResourceType>
                      </Item>
                      <Item>
                        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>
                        <rasd:Connection>VM Network</rasd:Connection>
                        <rasd:ElementName>Network adapter 1</rasd:ElementName>
                        <rasd:InstanceID>5</rasd:InstanceID>
                        <rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType>
                        <rasd:ResourceType>10</rasd:ResourceType>
                      </Item>
                    </VirtualHardwareSection>
                  </VirtualSystem>
                </Envelope>
                """.formatted(escape(vendor), escape(product), escape(version), escape(diskFile), diskSize,
                capacityMiB, RAW_FORMAT, slug(product));
    }

    static String slug(String text) {
        String slug = text.toLowerCase().replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
        return slug.isEmpty() ? "appliance" : slug;
    }

    private static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
