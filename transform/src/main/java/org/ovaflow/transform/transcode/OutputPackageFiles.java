package org.ovaflow.transform.transcode;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.transform.profile.ManifestAlgorithm;
import org.ovaflow.transform.profile.ManifestSigner;
import org.ovaflow.transform.profile.PlatformFiles;
import org.ovaflow.transform.profile.PlatformProfile;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.w3c.dom.Document;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The files that make an output's disks and files a package: its rewritten descriptor, its manifest and
 * certificate, and its platform's own files (Glance image properties, AWS disk containers).
 */
final class OutputPackageFiles {

    private static final Logger LOG = LoggerFactory.getLogger(TranscodeStage.class);

    private final TranscodeSettings settings;
    private final CatalogLocation catalog;
    private final ImportEvent event;
    private final ImportStaging staging;
    /** SHA-1s of staged objects by key, for the outputs whose manifest is SHA1; null when none is. */
    private final Map<String, String> sha1s;

    OutputPackageFiles(TranscodeSettings settings, CatalogLocation catalog, ImportEvent event, ImportStaging staging,
                       Map<String, String> sha1s) {
        this.settings = settings;
        this.catalog = catalog;
        this.event = event;
        this.staging = staging;
        this.sha1s = sha1s;
    }

    /**
     * The output's descriptor, manifest, signature and platform files added to {@code files}, its disks and files:
     * the descriptor first.
     */
    List<StagedArtifact> finish(TranscodeSettings.Output output, List<StagedArtifact> files, String descriptorName,
                                byte[] original, Map<String, DescriptorRewriter.FileChange> changes,
                                Set<String> absorbedIds, List<PlatformFiles.ConvertedDisk> converted)
            throws IOException {
        ApplianceMetadata appliance = event.appliance();
        PlatformProfile profile = output.profile();
        byte[] rewritten = profile == null
                ? DescriptorRewriter.rewrite(original, changes, absorbedIds)
                : DescriptorRewriter.rewrite(original, changes, absorbedIds, document -> {
                    List<String> dropped = profile.adaptDescriptor(document, settings.profileSettings());
                    if (!dropped.isEmpty()) {
                        LOG.info("{}: the {} descriptor leaves out what OVF 1.x lacks: {}", event.importId(),
                                profile.id(), dropped);
                    }
                });
        files.add(0, stage(output, descriptorName, "descriptor", rewritten, "application/xml"));
        ManifestAlgorithm algorithm = manifestAlgorithm(output, settings);
        String manifestName = manifestName(descriptorName);
        byte[] manifest = manifest(files, algorithm, sha1s);
        files.add(stage(output, manifestName, "manifest", manifest, "text/plain"));
        ManifestSigner signer = settings.profileSettings().vmwareSigner();
        if (profile == PlatformProfile.VMWARE && signer != null) {
            files.add(stage(output, certificateName(descriptorName), "certificate",
                    signer.certificateFile(manifestName, manifest, algorithm), "text/plain"));
        }
        if (profile == PlatformProfile.OPENSTACK) {
            Document adapted = DescriptorRewriter.parse(rewritten);
            for (PlatformFiles.ConvertedDisk disk : converted) {
                files.add(stage(output, disk.fileName() + ".glance.json", "platform",
                        PlatformFiles.glanceImage(appliance, adapted, disk), "application/json"));
            }
        } else if (profile == PlatformProfile.AWS) {
            String bucket = Objects.requireNonNullElse(settings.profileSettings().awsBucket(), catalog.bucket());
            files.add(stage(output, "disk-containers.json", "platform", PlatformFiles.awsDiskContainers(
                    appliance, converted, output.format(), bucket,
                    catalog.importFolder(event) + output.folder() + "/"), "application/json"));
        }
        return files;
    }

    private StagedArtifact stage(TranscodeSettings.Output output, String fileName, String role, byte[] bytes,
                                 String contentType) {
        return staging.made(output.folder(), fileName, role, bytes, contentType, sha1s);
    }

    /** The digest the output's manifest lists: SHA256, or what the vmware profile is configured with. */
    static ManifestAlgorithm manifestAlgorithm(TranscodeSettings.Output output, TranscodeSettings settings) {
        return output.profile() == PlatformProfile.VMWARE ? settings.profileSettings().vmwareManifest()
                : ManifestAlgorithm.SHA256;
    }

    /** {@code SHA256(name)= hex} (or SHA1) for every file of an output, the descriptor first. */
    static byte[] manifest(List<StagedArtifact> files, ManifestAlgorithm algorithm, Map<String, String> sha1s) {
        StringBuilder lines = new StringBuilder();
        for (StagedArtifact file : files) {
            String name = file.name().substring(file.name().indexOf('/') + 1);
            String digest = algorithm == ManifestAlgorithm.SHA1 ? sha1s.get(file.key()) : file.sha256();
            lines.append(algorithm.manifestName()).append('(').append(name).append(")= ").append(digest).append('\n');
        }
        return lines.toString().getBytes(StandardCharsets.UTF_8);
    }

    static String manifestName(String descriptorName) {
        return stem(descriptorName) + ".mf";
    }

    static String certificateName(String descriptorName) {
        return stem(descriptorName) + ".cert";
    }

    private static String stem(String descriptorName) {
        int dot = descriptorName.lastIndexOf('.');
        return dot > 0 ? descriptorName.substring(0, dot) : descriptorName;
    }
}
