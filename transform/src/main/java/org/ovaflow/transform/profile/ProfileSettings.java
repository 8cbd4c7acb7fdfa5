package org.ovaflow.transform.profile;

import org.ovaflow.disk.TargetFormat;

import java.util.regex.Pattern;

/**
 * How the platform profiles are written ({@code ovaflow.profile.*}).
 *
 * @param vmwareHardwareFamily the {@code vmx-NN} a vmware descriptor declares when the vendor's names none
 *                             (vmx-10: ESXi 5.5 and every later release run it)
 * @param vmwareManifest       the vmware manifest's digest: SHA256, or SHA1 for vSphere before 6.5
 * @param vmwareSigner         re-signs the vmware manifest with ovaflow's own key (a .cert); null: no .cert
 * @param awsFormat            VMDK (streamOptimized, the smaller upload) or RAW
 * @param awsBucket            the S3 bucket the EC2 disk-container list names; null: the catalog bucket
 */
public record ProfileSettings(String vmwareHardwareFamily, ManifestAlgorithm vmwareManifest,
                              ManifestSigner vmwareSigner, TargetFormat awsFormat, String awsBucket) {

    public static final String DEFAULT_HARDWARE_FAMILY = "vmx-10";

    private static final Pattern VMX = Pattern.compile("vmx-\\d{2}");

    public static final ProfileSettings DEFAULTS = new ProfileSettings(DEFAULT_HARDWARE_FAMILY,
            ManifestAlgorithm.SHA256, null, TargetFormat.VMDK, null);

    public ProfileSettings {
        if (!VMX.matcher(vmwareHardwareFamily).matches()) {
            throw new IllegalArgumentException("ovaflow.profile.vmware.hardware-family '" + vmwareHardwareFamily
                    + "' is not vmx-NN (vmx-10, vmx-19, ...)");
        }
        if (awsFormat != TargetFormat.VMDK && awsFormat != TargetFormat.RAW) {
            throw new IllegalArgumentException("ovaflow.profile.aws.format must be vmdk or raw, not " + awsFormat.id());
        }
    }
}
