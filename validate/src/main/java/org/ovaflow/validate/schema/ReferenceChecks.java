package org.ovaflow.validate.schema;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.event.TarIndex;
import org.ovaflow.validate.ValidationSettings;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * References and DiskSection against themselves and the archive: ids unique, every File inside the package
 * (whole or in contiguous chunks) with the size it states and a compression ovaflow reads, every Disk naming
 * a declared File.
 */
final class ReferenceChecks {

    /** DSP0243 defines gzip; ovftool also writes identity, which means none. */
    private static final Set<String> COMPRESSIONS = Set.of("gzip", "identity");

    private final String descriptorName;
    private final ValidationSettings settings;
    private final List<CheckResult> checks = new ArrayList<>();

    private ReferenceChecks(String descriptorName, ValidationSettings settings) {
        this.descriptorName = descriptorName;
        this.settings = settings;
    }

    static List<CheckResult> check(String descriptorName, ApplianceMetadata appliance, TarIndex tar,
                                   ValidationSettings settings) {
        ReferenceChecks references = new ReferenceChecks(descriptorName, settings);
        references.files(appliance.files(), new PackagePaths(tar));
        references.disks(appliance.disks(), appliance.files());
        if (references.checks.stream().noneMatch(CheckResult::failed)) {
            references.checks.add(CheckResult.pass("ovf.references", descriptorName, appliance.files().size()
                    + " referenced file(s) present with their sizes, " + appliance.disks().size() + " disk(s)"));
        }
        return references.checks;
    }

    private void files(List<ApplianceMetadata.File> files, PackagePaths archive) {
        Set<String> ids = new HashSet<>();
        for (ApplianceMetadata.File file : files) {
            if (!ids.add(file.id())) {
                checks.add(CheckResult.fail("ovf.file-id-unique", descriptorName,
                        "File id '" + file.id() + "' is declared more than once in References"));
            }
            if (file.compression() != null
                    && !COMPRESSIONS.contains(file.compression().trim().toLowerCase(Locale.ROOT))) {
                checks.add(CheckResult.fail("ovf.compression", file.href() != null ? file.href() : descriptorName,
                        "File '" + file.id() + "' has compression '" + file.compression() + "'; expected none, 'identity' or 'gzip'"));
            }
            if (file.href() == null) {
                checks.add(CheckResult.fail("ovf.file-present", descriptorName,
                        "File '" + file.id() + "' of References has no href"));
                continue;
            }
            Optional<String> outside = PackagePaths.outsidePackage(file.href());
            if (file.size() != null && file.size() < 0) {
                checks.add(CheckResult.fail("ovf.file-size", file.href(), "References gives File '" + file.id()
                        + "' the negative size " + file.size()));
            } else if (outside.isPresent()) {
                remote(file, outside.get());
            } else if (file.chunkSize() != null) {
                chunked(file, archive);
            } else {
                whole(file, archive);
            }
        }
    }

    private void remote(ApplianceMetadata.File file, String why) {
        String message = "References names '" + file.href() + "' (id " + file.id() + "), outside the package: "
                + why + ". ovaflow never fetches such files";
        checks.add(settings.remoteHrefs() == ValidationSettings.RemoteHrefPolicy.REFUSE
                ? CheckResult.fail("ovf.href-remote", file.href(),
                message + ", and ovaflow.validate.remote-hrefs is refuse")
                : CheckResult.warn("ovf.href-remote", file.href(),
                message + "; accepted because ovaflow.validate.remote-hrefs is allow, but what it holds is missing"));
    }

    private void whole(ApplianceMetadata.File file, PackagePaths archive) {
        Optional<TarEntry> entry = archive.entry(file.href());
        if (entry.isEmpty()) {
            checks.add(CheckResult.fail("ovf.file-present", file.href(),
                    "References lists this file (id " + file.id() + "), the archive does not hold it"));
        } else if (file.size() != null && file.size() != entry.get().size()) {
            checks.add(CheckResult.fail("ovf.file-size", file.href(), "References says " + file.size()
                    + " bytes, the archive holds " + entry.get().size()));
        }
    }

    /**
     * A chunked file is the concatenation of href.000000000, href.000000001, …: every chunk but the last is
     * exactly chunkSize bytes, and together they are the File's size.
     */
    private void chunked(ApplianceMetadata.File file, PackagePaths archive) {
        long chunkSize = file.chunkSize();
        if (chunkSize <= 0) {
            checks.add(CheckResult.fail("ovf.file-size", file.href(), "File '" + file.id() + "' has chunkSize "
                    + chunkSize + "; a chunk size must be positive"));
            return;
        }
        List<TarEntry> chunks = archive.chunks(file.href());
        if (chunks.isEmpty() || PackagePaths.chunkIndex(chunks.get(0)) != 0) {
            checks.add(CheckResult.fail("ovf.file-present", PackagePaths.chunkName(file.href(), 0),
                    "References lists '" + file.href() + "' (id " + file.id() + ") in chunks of " + chunkSize
                            + " bytes, the archive holds no first chunk of it"));
            return;
        }
        long total = 0;
        for (int i = 0; i < chunks.size(); i++) {
            TarEntry chunk = chunks.get(i);
            if (PackagePaths.chunkIndex(chunk) != i) {
                checks.add(CheckResult.fail("ovf.file-present", PackagePaths.chunkName(file.href(), i),
                        "chunk " + i + " of '" + file.href() + "' is missing, the archive goes on with "
                                + chunk.name()));
                return;
            }
            boolean last = i == chunks.size() - 1;
            if (!last && chunk.size() != chunkSize || last && chunk.size() > chunkSize) {
                checks.add(CheckResult.fail("ovf.file-size", chunk.name(), "chunk of " + chunk.size()
                        + " bytes; every chunk but the last must be exactly the chunkSize of " + chunkSize
                        + " bytes, and the last no more"));
                return;
            }
            total += chunk.size();
        }
        if (file.size() != null && file.size() != total) {
            checks.add(CheckResult.fail("ovf.file-size", file.href(), "References says " + file.size()
                    + " bytes, its " + chunks.size() + " chunk(s) hold " + total));
        }
    }

    private void disks(List<ApplianceMetadata.Disk> disks, List<ApplianceMetadata.File> files) {
        Set<String> fileIds = new HashSet<>();
        files.forEach(file -> fileIds.add(file.id()));
        Set<String> diskIds = new HashSet<>();
        for (ApplianceMetadata.Disk disk : disks) {
            if (!diskIds.add(disk.diskId())) {
                checks.add(CheckResult.fail("ovf.disk-id-unique", descriptorName,
                        "Disk id '" + disk.diskId() + "' is declared more than once in the DiskSection"));
            }
            if (disk.fileRef() != null && !fileIds.contains(disk.fileRef())) {
                checks.add(CheckResult.fail("ovf.disk-file-ref", descriptorName, "Disk '" + disk.diskId()
                        + "' refers to file '" + disk.fileRef() + "', which References does not declare"));
            }
        }
    }
}
