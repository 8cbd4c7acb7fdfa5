package org.ovaflow.validate.schema;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ManifestVerdict;
import org.ovaflow.core.event.TarIndex;
import org.ovaflow.validate.ovf.OvfDescriptor;

import java.util.ArrayList;
import java.util.List;

/**
 * With a manifest, every file the descriptor references (each chunk of a chunked one) must be among those whose
 * digest the checksum stage verified: a disk outside the manifest would ride along unverified in a package that
 * otherwise looks signed and checked. The checksum stage only warns of unlisted files, since it cannot tell a
 * referenced one from a stray; the descriptor can.
 */
final class ManifestCoverage {

    private ManifestCoverage() {
    }

    static List<CheckResult> check(OvfDescriptor descriptor, TarIndex tar, ManifestVerdict manifest) {
        if (manifest == null || !manifest.present()) {
            return List.of();
        }
        PackagePaths archive = new PackagePaths(tar);
        List<CheckResult> checks = new ArrayList<>();
        int covered = 0;
        for (ApplianceMetadata.File file : descriptor.appliance().files()) {
            if (file.href() == null || PackagePaths.outsidePackage(file.href()).isPresent()) {
                continue;
            }
            // files missing from the archive are ovf.file-present's to report
            for (String name : archive.entryNames(file)) {
                if (manifest.verified().containsKey(name)) {
                    covered++;
                } else {
                    checks.add(CheckResult.fail("manifest.coverage", name, "References names this file (id "
                            + file.id() + "), but " + manifest.manifestFile() + " does not list it with a digest"
                            + " that was verified"));
                }
            }
        }
        if (checks.isEmpty() && covered > 0) {
            checks.add(CheckResult.pass("manifest.coverage", manifest.manifestFile(), covered
                    + " referenced file(s) all verified against " + manifest.manifestFile()));
        }
        return checks;
    }
}
