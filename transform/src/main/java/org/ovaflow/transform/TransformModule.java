package org.ovaflow.transform;

import org.apache.camel.RoutesBuilder;
import org.ovaflow.core.config.Setting;
import org.ovaflow.core.config.Settings;
import org.ovaflow.core.config.SharedSettings;
import org.ovaflow.core.event.CatalogFolder;
import org.ovaflow.core.stage.StageContext;
import org.ovaflow.core.stage.StageModule;
import org.ovaflow.core.stage.StageRoutes;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.disk.TargetFormat;
import org.ovaflow.transform.profile.ManifestAlgorithm;
import org.ovaflow.transform.profile.ManifestSigner;
import org.ovaflow.transform.profile.ProfileSettings;
import org.ovaflow.transform.route.TransformStageDefinitions;
import org.ovaflow.transform.transcode.CatalogLocation;
import org.ovaflow.transform.transcode.TranscodeSettings;
import org.ovaflow.transform.transcode.TranscodeStage;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/** The transcode stage: what it publishes of each OVA ({@code ovaflow.transcode.*}, {@code ovaflow.profile.*}) and its route. */
public final class TransformModule implements StageModule {

    public static final String TRANSCODE = "transcode";

    public static final Setting<String> TARGETS = Setting.ofText("ovaflow.transcode.targets",
                    TranscodeSettings.DEFAULT_TARGETS, "what is published of each OVA: `original` (the package's "
                    + "files as shipped), disk formats `qcow2`, `vhd` (dynamic), `vhd-fixed`, `raw`, `vmdk` "
                    + "(streamOptimized), each under `<target>/` with the vendor's descriptor rewritten for it and a "
                    + "manifest, and platform profiles `vmware`, `virtualbox`, `openstack`, `aws`, `hyperv` (see "
                    + "[Platform profiles](formats.md#platform-profiles))")
            .checkedBy(targets -> TranscodeSettings.parse(targets, false, 1));
    public static final Setting<Boolean> VHD_ROUND_TO_MIB = Setting.ofBoolean("ovaflow.transcode.vhd-round-to-mib",
            true, "VHD targets round the disk up to a whole MiB (Azure refuses other sizes)");
    public static final Setting<Long> MAX_VIRTUAL_SIZE = Setting.ofBytes("ovaflow.transcode.max-virtual-size",
            ReadOptions.DEFAULT_MAX_VIRTUAL_SIZE, 1, Long.MAX_VALUE, "disks (image header or descriptor capacity) "
                    + "declaring more are rejected before any data is read");
    public static final Setting<String> VMWARE_HARDWARE_FAMILY = Setting.ofText(
                    "ovaflow.profile.vmware.hardware-family", ProfileSettings.DEFAULT_HARDWARE_FAMILY, "the `vmx-NN` a "
                    + "vmware descriptor declares when the vendor's names none (a VirtualBox export)")
            .checkedBy(family -> new ProfileSettings(family, ManifestAlgorithm.SHA256, null, TargetFormat.VMDK, null));
    public static final Setting<ManifestAlgorithm> VMWARE_MANIFEST = Setting.of("ovaflow.profile.vmware.manifest",
            "sha256", ManifestAlgorithm::of, "the vmware manifest's digest: `sha256`, or `sha1` for vSphere before 6.5");
    public static final Setting<Path> VMWARE_SIGNING_KEY = Setting.ofPath("ovaflow.profile.vmware.signing-key",
            "a PKCS12 file (key and certificate chain, as keytool writes it): the vmware package gets a `.cert` "
                    + "signing its manifest with it, as ovftool signs");
    public static final Setting<String> VMWARE_SIGNING_KEY_PASSWORD = Setting.ofText(
                    "ovaflow.profile.vmware.signing-key-password", null, "its password; better from the environment "
                    + "variable, which `ps` does not show")
            .orEnvironment("OVAFLOW_PROFILE_SIGNING_PASSWORD").secret();
    public static final Setting<TargetFormat> AWS_FORMAT = Setting.of("ovaflow.profile.aws.format", "vmdk",
            TargetFormat::of, "the aws disks: `vmdk` (streamOptimized, the smaller upload) or `raw`")
            .checkedBy(format -> {
                if (format != TargetFormat.VMDK && format != TargetFormat.RAW) {
                    throw new IllegalArgumentException("expected vmdk or raw");
                }
            });
    public static final Setting<String> AWS_BUCKET = Setting.ofText("ovaflow.profile.aws.bucket", null,
            "the bucket `disk-containers.json` names (where EC2's VM Import reads the disks)")
            .documentedDefault("the catalog bucket");

    @Override
    public List<String> stages() {
        return List.of(TRANSCODE);
    }

    @Override
    public List<Setting<?>> settings() {
        return List.of(TARGETS, VHD_ROUND_TO_MIB, MAX_VIRTUAL_SIZE, VMWARE_HARDWARE_FAMILY, VMWARE_MANIFEST,
                VMWARE_SIGNING_KEY, VMWARE_SIGNING_KEY_PASSWORD, AWS_FORMAT, AWS_BUCKET);
    }

    /** Needs the process's {@link CatalogFolder}: the disk-container list names the objects publish will write. */
    @Override
    public RoutesBuilder routes(String stage, StageContext context) {
        if (!stage.equals(TRANSCODE)) {
            throw new IllegalArgumentException("the transform module has no stage " + stage);
        }
        Settings settings = context.settings();
        CatalogFolder folder = Objects.requireNonNull(context.service(CatalogFolder.class),
                "the transcode stage needs the catalog's folders (CatalogFolder)");
        return new StageRoutes(TransformStageDefinitions.transcode(new TranscodeStage(context.store(),
                settings.get(SharedSettings.STAGING_BUCKET), transcodeSettings(settings),
                CatalogLocation.holdingOutputs(settings.get(SharedSettings.CATALOG_BUCKET), folder::of,
                        settings.get(SharedSettings.KEEP_OVA)), context.metrics())),
                context.metrics());
    }

    /** {@code ovaflow.transcode.*}: the targets and profiles, VHD rounding and the largest disk accepted. */
    public static TranscodeSettings transcodeSettings(Settings settings) {
        return TranscodeSettings.parse(settings.get(TARGETS), settings.get(VHD_ROUND_TO_MIB),
                settings.get(MAX_VIRTUAL_SIZE), profileSettings(settings));
    }

    /** {@code ovaflow.profile.*}: how the platform profiles are written. */
    public static ProfileSettings profileSettings(Settings settings) {
        Path signingKey = settings.get(VMWARE_SIGNING_KEY);
        String password = settings.get(VMWARE_SIGNING_KEY_PASSWORD);
        return new ProfileSettings(settings.get(VMWARE_HARDWARE_FAMILY), settings.get(VMWARE_MANIFEST),
                signingKey == null ? null : ManifestSigner.load(signingKey,
                        password == null ? new char[0] : password.toCharArray()),
                settings.get(AWS_FORMAT), settings.get(AWS_BUCKET));
    }
}
