package org.ovaflow.validate.checksum;

import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ManifestVerdict;
import org.ovaflow.core.event.TarIndex;
import org.ovaflow.validate.signature.VerifiedSigner;

import java.util.List;

/**
 * What one streaming read of an OVA established: its tar index, the manifest verdict and every check, and the
 * signer of a package whose signature verified (null when unsigned, unverified or signatures are ignored).
 */
public record PackageVerification(TarIndex tarIndex, ManifestVerdict manifest, List<CheckResult> checks,
                                  long bytesRead, VerifiedSigner signer) {

    public PackageVerification(TarIndex tarIndex, ManifestVerdict manifest, List<CheckResult> checks, long bytesRead) {
        this(tarIndex, manifest, checks, bytesRead, null);
    }

    public boolean rejected() {
        return checks.stream().anyMatch(CheckResult::failed);
    }
}
