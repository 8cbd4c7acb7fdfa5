package org.ovaflow.validate.checksum;

import org.apache.commons.io.input.CloseShieldInputStream;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.ova.PackageForm;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.store.StreamingUpload;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Set;

/**
 * The checksum stage: one streaming GET of the OVA, verified by {@link PackageVerifier}. A compressed OVA or an
 * unpacked package has no tar offsets for the later stages to read at, so in the same single pass that verifies
 * it, its plain tar ({@link PackageSources}) is also uploaded to {@code <staging>/packages/<importId>/<name>.ova},
 * which the event then names as the OVA to read ({@link ImportEvent#ova()}).
 */
public final class ChecksumStage {

    public static final String NAME = "checksum";

    /**
     * Every check this stage can reject an import for: the FAIL ids of docs/checks.md's checksum section
     * (ChecksCatalogueTest holds them to it). Their ovaflow_rejects_total series start at 0.
     */
    public static final Set<String> REJECTING_CHECKS = Set.of(
            "tar.readable", "tar.truncated", "tar.entry-count", "tar.entry-type", "tar.entry-name",
            "tar.duplicate-name", "tar.descriptor-first", "manifest.present", "manifest.syntax",
            "manifest.entry-missing", "manifest.digest", "signature.present", "signature.syntax", "signature.valid",
            "signature.chain", "signature.expiry", "package.compression", "package.size", "package.file-count",
            "disk.header");

    private final ObjectStore store;
    private final PackageVerifier verifier;
    private final PackageSources sources;
    private final String stagingBucket;
    private final StageMetrics metrics;

    /** A stage that takes every object for a plain OVA. */
    public ChecksumStage(ObjectStore store, PackageVerifier verifier, StageMetrics metrics) {
        this(store, verifier, null, null, metrics);
    }

    /** A stage that also accepts compressed OVAs and unpacked packages, normalised into {@code stagingBucket}. */
    public ChecksumStage(ObjectStore store, PackageVerifier verifier, PackageSources sources, String stagingBucket,
                         StageMetrics metrics) {
        this.store = store;
        this.verifier = verifier;
        this.sources = sources;
        this.stagingBucket = stagingBucket;
        this.metrics = metrics;
    }

    /** Where the plain OVA of a normalised import is staged (outside {@code imports/<importId>/}, which transcode clears). */
    public static String normalisedKey(String importId, String plainName) {
        return "packages/" + importId + "/" + plainName;
    }

    public StageOutcome verify(ImportEvent event) throws IOException {
        PackageForm form = PackageForm.of(event.source().fileName());
        if (!form.plain() && sources != null) {
            return verifyNormalised(event, form);
        }
        PackageVerification verification;
        try (InputStream ova = store.read(event.source())) {
            verification = verifier.verify(event.source().fileName(), ova);
        }
        metrics.bytes(NAME, "in", verification.bytesRead());
        return outcome(event, verification);
    }

    private StageOutcome verifyNormalised(ImportEvent event, PackageForm form) throws IOException {
        PackageSources.PlainTar plain;
        try {
            plain = form == PackageForm.UNPACKED
                    ? sources.unpacked(event.source(), PackageSources.Store.of(store))
                    : sources.inflate(event.source().fileName(), store.read(event.source()));
        } catch (PackageSourceException e) {
            return rejectSource(event, e, e.members());
        }
        String key = normalisedKey(event.importId(), plain.name());
        try (plain; StreamingUpload upload = new StreamingUpload(store, stagingBucket, key, "application/x-tar")) {
            InputStream copied = new CopyingInputStream(plain.stream(), upload);
            PackageVerification verification;
            try {
                // shielded: the verifier closes what it read, and the rest must still be read into the copy
                verification = verifier.verify(plain.name(), CloseShieldInputStream.wrap(copied));
                // what the verifier left (nothing, unless it stopped early on a bad tar): the copy must be whole
                if (!verification.rejected()) {
                    copied.transferTo(OutputStream.nullOutputStream());
                }
            } catch (IOException | RuntimeException e) {
                throwStoreFailure(plain);
                if (plain.rejection() != null) {
                    return rejectSource(event, plain.rejection(), plain.members());
                }
                throw e;
            }
            // the tar walk takes any short read for a truncated tar: the source's own verdict comes first
            throwStoreFailure(plain);
            if (plain.rejection() != null) {
                return rejectSource(event, plain.rejection(), plain.members());
            }
            metrics.bytes(NAME, "in", verification.bytesRead());
            if (verification.rejected()) {
                return outcome(event.withNormalised(null, plain.members()), verification);
            }
            ObjectInfo staged = upload.complete();
            metrics.bytes(NAME, "out", staged.size());
            return outcome(event.withNormalised(staged.ref(), plain.members()), verification);
        }
    }

    private static void throwStoreFailure(PackageSources.PlainTar plain) throws IOException {
        Exception failure = plain.storeFailure();
        if (failure instanceof IOException io) {
            throw io;
        } else if (failure instanceof RuntimeException runtime) {
            throw runtime;
        }
    }

    private static StageOutcome rejectSource(ImportEvent event, PackageSourceException e, List<ObjectRef> members) {
        return StageOutcome.reject(event.withNormalised(null, members)
                .withChecks(List.of(CheckResult.fail(e.checkId(), e.file(), e.getMessage()))));
    }

    private static StageOutcome outcome(ImportEvent event, PackageVerification verification) {
        ImportEvent verified = event.withTarIndex(verification.tarIndex())
                .withManifest(verification.manifest())
                .withChecks(verification.checks());
        if (verification.rejected()) {
            return StageOutcome.reject(verified);
        }
        return StageOutcome.forward(Topics.VERIFIED, verified, StatusEvent.State.VERIFIED,
                verification.tarIndex().entries().size() + " files, manifest "
                        + (verification.manifest().present() ? "verified" : "absent")
                        + (event.normalised() != null ? ", staged as plain OVA " + event.normalised().key() : ""));
    }

    /** Every byte read through it is also written to {@code copy}, on the reading thread. */
    private static final class CopyingInputStream extends FilterInputStream {

        private final OutputStream copy;

        CopyingInputStream(InputStream in, OutputStream copy) {
            super(in);
            this.copy = copy;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                try {
                    copy.write(b, off, n);
                } catch (IOException e) {
                    throw new UncheckedIOException("uploading the plain OVA failed", e);
                }
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            // skipped bytes are part of the copy too
            byte[] buffer = new byte[(int) Math.min(n, 64 * 1024)];
            int read = read(buffer, 0, (int) Math.min(n, buffer.length));
            return Math.max(read, 0);
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
