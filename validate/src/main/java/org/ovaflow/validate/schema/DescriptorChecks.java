package org.ovaflow.validate.schema;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.event.TarIndex;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Checks that what the descriptor declares agrees with itself and with the package: every File it references
 * is in the archive with the size it states, every Disk refers to a declared File, and there is something
 * to run.
 */
final class DescriptorChecks {

    private DescriptorChecks() {
    }

    static List<CheckResult> check(String descriptorName, ApplianceMetadata appliance, TarIndex tar) {
        List<CheckResult> checks = new ArrayList<>();
        Set<String> fileIds = new HashSet<>();
        for (ApplianceMetadata.File file : appliance.files()) {
            if (!fileIds.add(file.id())) {
                checks.add(CheckResult.fail("ovf.file-id-unique", descriptorName,
                        "File id '" + file.id() + "' is declared more than once in References"));
            }
            if (file.chunkSize() != null) {
                // chunked files are stored as href.000000000, href.000000001 …: present when the first chunk is
                if (tar.find(file.href() + ".000000000").isEmpty()) {
                    checks.add(CheckResult.fail("ovf.file-present", file.href(),
                            "References lists this chunked file, the archive holds no first chunk of it"));
                }
                continue;
            }
            Optional<TarEntry> entry = tar.find(file.href());
            if (entry.isEmpty()) {
                checks.add(CheckResult.fail("ovf.file-present", file.href(),
                        "References lists this file (id " + file.id() + "), the archive does not hold it"));
            } else if (file.size() != null && file.size() != entry.get().size()) {
                checks.add(CheckResult.fail("ovf.file-size", file.href(), "References says " + file.size()
                        + " bytes, the archive holds " + entry.get().size()));
            }
        }
        for (ApplianceMetadata.Disk disk : appliance.disks()) {
            if (disk.fileRef() != null && !fileIds.contains(disk.fileRef())) {
                checks.add(CheckResult.fail("ovf.disk-file-ref", descriptorName, "Disk '" + disk.diskId()
                        + "' refers to file '" + disk.fileRef() + "', which References does not declare"));
            }
        }
        if (appliance.virtualSystems().isEmpty()) {
            checks.add(CheckResult.fail("ovf.virtual-system", descriptorName, "the descriptor holds no VirtualSystem"));
        }
        if (checks.isEmpty()) {
            checks.add(CheckResult.pass("ovf.references", descriptorName, appliance.files().size()
                    + " referenced file(s) present with their sizes, " + appliance.disks().size() + " disk(s)"));
        }
        return checks;
    }
}
