package org.ovaflow.validate.checksum;

import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.stage.StageOutcome;
import org.ovaflow.core.store.ObjectStore;

import java.io.IOException;
import java.io.InputStream;

/** The checksum stage: one streaming GET of the OVA, verified by {@link PackageVerifier}. */
public final class ChecksumStage {

    public static final String NAME = "checksum";

    private final ObjectStore store;
    private final PackageVerifier verifier;

    public ChecksumStage(ObjectStore store, PackageVerifier verifier) {
        this.store = store;
        this.verifier = verifier;
    }

    public StageOutcome verify(ImportEvent event) throws IOException {
        PackageVerification verification;
        try (InputStream ova = store.read(event.source())) {
            verification = verifier.verify(event.source().fileName(), ova);
        }
        StageMetrics.bytes(NAME, "in", verification.bytesRead());
        ImportEvent verified = event.withTarIndex(verification.tarIndex())
                .withManifest(verification.manifest())
                .withChecks(verification.checks());
        if (verification.rejected()) {
            return StageOutcome.reject(verified);
        }
        return StageOutcome.forward(Topics.VERIFIED, verified, StatusEvent.State.VERIFIED,
                verification.tarIndex().entries().size() + " files, manifest "
                        + (verification.manifest().present() ? "verified" : "absent"));
    }
}
