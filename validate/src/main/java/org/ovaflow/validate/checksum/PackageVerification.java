package org.ovaflow.validate.checksum;

import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ManifestVerdict;
import org.ovaflow.core.event.TarIndex;
import org.ovaflow.core.event.VerifiedSigner;

import java.util.List;

/**
 * What one streaming read of an OVA established: its tar index, the manifest verdict and every check, and the
 * signer of a package whose signature verified (null when unsigned, unverified or signatures are ignored).
 */
public record PackageVerification(TarIndex tarIndex, ManifestVerdict manifest, List<CheckResult> checks,
                                  long bytesRead) {

    /** Who signed the manifest, when its signature verified; null otherwise. */
    public VerifiedSigner signer() {
        return manifest.signer();
    }

    public boolean rejected() {
        return checks.stream().anyMatch(CheckResult::failed);
    }
}
