package org.ovaflow.publish.catalog;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CatalogNames;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.StagedArtifact;
import org.ovaflow.core.event.TarIndex;
import org.ovaflow.core.ova.OvaBuilder;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Imports as the transcode stage leaves them in a real store: the OVA in the incoming bucket, its files staged. */
final class StagedImports {

    static final String INCOMING = "ova-incoming";
    static final String STAGING = "ova-staging";
    static final Instant ARRIVED = Instant.parse("2024-05-01T10:00:00Z");

    private final ObjectStore store;

    StagedImports(ObjectStore store) {
        this.store = store;
    }

    /** The files of a sample appliance of Acme Corp's Widget Server; {@code seed} varies the disk content. */
    static Map<String, byte[]> files(String version, long seed) {
        return files("Acme Corp", "Widget Server", version, seed);
    }

    static Map<String, byte[]> files(String vendor, String product, String version, long seed) {
        byte[] disk = SampleAppliance.disk(30_000, seed);
        var ova = SampleAppliance.ova(vendor, product, version, 30_000, seed);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("widget.ovf", SampleAppliance.descriptor(vendor, product, version, "disk1.img", disk.length)
                .getBytes(StandardCharsets.UTF_8));
        files.put("widget.mf", ova.manifest().getBytes(StandardCharsets.UTF_8));
        files.put("disk1.img", disk);
        return files;
    }

    /** An import of Acme Corp's Widget Server {@code version} dropped as {@code fileName}, transcoded into {@code files}. */
    ImportEvent transcoded(String fileName, String version, Map<String, byte[]> files) {
        return transcoded(fileName, "Acme Corp", "Widget Server", version, files);
    }

    ImportEvent transcoded(String fileName, String vendor, String product, String version, long seed) {
        return transcoded(fileName, vendor, product, version, files(vendor, product, version, seed));
    }

    /**
     * Drops an OVA as {@code fileName} and writes {@code files} as the pipeline's transcode stage does: straight
     * into the import's own folder of its entry in {@code catalog}, {@code <entry>/<importId>/}, with a copy of the
     * OVA (the entry's kept OVA, with the whole OVA's digest the checksum stage records).
     */
    ImportEvent transcodedInto(String catalog, String fileName, String version, Map<String, byte[]> files) {
        return transcoded(fileName, "Acme Corp", "Widget Server", version, files, catalog);
    }

    /** Drops an OVA as {@code fileName}, stages {@code files} as the transcode stage would and returns its event. */
    ImportEvent transcoded(String fileName, String vendor, String product, String version, Map<String, byte[]> files) {
        return transcoded(fileName, vendor, product, version, files, null);
    }

    private ImportEvent transcoded(String fileName, String vendor, String product, String version,
                                   Map<String, byte[]> files, String catalog) {
        byte[] ova = ova(files);
        ObjectInfo dropped = store.write(INCOMING, fileName, ova, "application/x-tar");
        ImportEvent arrived = ImportEvent.arrived(new ObjectRef(INCOMING, fileName, dropped.etag(), ova.length, null),
                "scan", ARRIVED);
        List<StagedArtifact> artifacts = new ArrayList<>();
        String folder = catalog == null ? "imports/" + arrived.importId() + "/"
                : CatalogPath.slug(vendor, "x") + "/" + CatalogPath.slug(product, "x") + "/" + version + "/"
                + arrived.importId() + "/";
        for (Map.Entry<String, byte[]> file : files.entrySet()) {
            String bucket = catalog == null ? STAGING : catalog;
            String stagedKey = folder + file.getKey();
            ObjectInfo staged = store.write(bucket, stagedKey, file.getValue(), "application/octet-stream");
            String role = file.getKey().endsWith(".ovf") ? "descriptor" : file.getKey().endsWith(".mf") ? "manifest" : "disk";
            artifacts.add(new StagedArtifact(role, file.getKey(), bucket, stagedKey, file.getValue().length,
                    sha256(file.getValue()), role.equals("disk") ? SampleAppliance.RAW_FORMAT : null, null,
                    staged.etag()));
        }
        if (catalog != null) {
            String name = CatalogNames.keptOva(arrived, candidate -> files.keySet().stream()
                    .anyMatch(candidate::equalsIgnoreCase));
            ObjectInfo kept = store.copy(INCOMING, fileName, ova.length, dropped.etag(), catalog, folder + name);
            artifacts.add(new StagedArtifact(CatalogNames.KEPT_OVA_ROLE, name, catalog, folder + name, ova.length,
                    sha256(ova), null, null, kept.etag()));
        }
        ApplianceMetadata appliance = new ApplianceMetadata("1.x", vendor, product, version, version,
                null, "widget-server", List.of(), List.of(), List.of(), List.of("VM Network"), List.of(), null, false);
        return arrived.withTarIndex(new TarIndex(List.of(), catalog == null ? null : sha256(ova)))
                .withAppliance(appliance)
                .withChecks(List.of(CheckResult.pass("manifest.digest", "widget.mf", "3 digest(s) verified")))
                .withArtifacts(artifacts);
    }

    /** The files as one tar, which is what an OVA is. */
    private static byte[] ova(Map<String, byte[]> files) {
        OvaBuilder builder = new OvaBuilder("widget.ovf", new String(files.get("widget.ovf"),
                StandardCharsets.UTF_8));
        files.forEach((name, content) -> {
            if (!name.endsWith(".ovf") && !name.endsWith(".mf")) {
                builder.file(name, content);
            }
        });
        return builder.toBytes();
    }

    byte[] read(String bucket, String key) throws Exception {
        try (InputStream in = store.read(bucket, key)) {
            return in.readAllBytes();
        }
    }

    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
