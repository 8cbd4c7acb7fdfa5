package org.ovaflow.validate.checksum;

import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ManifestVerdict;
import org.ovaflow.core.event.TarIndex;

import java.util.List;

/** What one streaming read of an OVA established: its tar index, the manifest verdict and every check. */
public record PackageVerification(TarIndex tarIndex, ManifestVerdict manifest, List<CheckResult> checks,
                                  long bytesRead) {

    public boolean rejected() {
        return checks.stream().anyMatch(CheckResult::failed);
    }
}
