package org.ovaflow.validate.schema;

import org.ovaflow.core.testing.RealWorldCorpus;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.event.TarIndex;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.ovf.OvfDescriptor;
import org.ovaflow.validate.ovf.OvfDescriptorParser;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The semantic checks that need no package (capacities, hardware references, CPU and memory) on every real-world
 * descriptor of the shared corpus, and the reference checks against the archive each descriptor promises (the
 * corpus comes without its disk files): shipped appliances pass them, and the broken ones fail exactly where
 * they are broken.
 */
class RealWorldSemanticsTest {


    /** Descriptors that are broken on purpose, and the checks that must say so. */
    private static final Map<String, List<String>> BROKEN = Map.of(
            // COT's invalid.ovf: Disk flash2's fileRef names no File, and a disk drive's HostResource is the bare
            // "nonexistent.vmdk"
            "cot-invalid.ovf", List.of("ovf.disk-file-ref", "ovf.hardware-disk"),
            // VMware's security test content: both Files have ovf:size -9223372036854775807
            "govmomi-negative-size-disk.ovf", List.of("ovf.file-size"),
            // Ganeti's export keeps the disk's Parent 3 but writes no Item 3 (its Items are 1, 2, 5 and 7)
            "ganeti-export-gnt-section.ovf", List.of("ovf.hardware-parent"));

    static Stream<Path> descriptors() {
        return RealWorldCorpus.parameters();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("descriptors")
    void onlyTheBrokenOnesFail(Path descriptor) throws Exception {
        RealWorldCorpus.assumePresent(descriptor);
        String name = descriptor.getFileName().toString();
        OvfDescriptor parsed;
        try (InputStream in = Files.newInputStream(descriptor)) {
            parsed = new OvfDescriptorParser().read(name, in);
        }
        List<CheckResult> checks = new ArrayList<>();
        checks.addAll(ReferenceChecks.check(name, parsed.appliance(), archiveAsDeclared(parsed.appliance()),
                ValidationSettings.DEFAULTS));
        checks.addAll(CapacityChecks.check(name, parsed, ValidationSettings.DEFAULTS));
        checks.addAll(HardwareChecks.check(name, parsed));

        assertThat(checks.stream().filter(CheckResult::failed).map(CheckResult::id).distinct().toList())
                .as(name + ": " + checks.stream().filter(CheckResult::failed).map(CheckResult::message).toList())
                .isEqualTo(BROKEN.getOrDefault(name, List.of()));
    }

    /**
     * The archive the descriptor promises: each File whole, or in chunks of its chunkSize, with the size it
     * states. Presence and sizes then pass by construction and the other reference checks run for real.
     */
    private static TarIndex archiveAsDeclared(ApplianceMetadata appliance) {
        List<TarEntry> entries = new ArrayList<>();
        for (ApplianceMetadata.File file : appliance.files()) {
            long size = file.size() == null ? 0 : Math.max(0, file.size());
            if (file.chunkSize() == null || file.chunkSize() <= 0) {
                entries.add(new TarEntry(file.href(), 0, size, null));
                continue;
            }
            long index = 0;
            for (long left = size; index == 0 || left > 0; left -= file.chunkSize(), index++) {
                entries.add(new TarEntry(PackagePaths.chunkName(file.href(), index), 0,
                        Math.min(left, file.chunkSize()), null));
            }
        }
        return new TarIndex(entries);
    }

    /** shared/realworld-ovf above the working directory: git worktrees sit beside the main checkout. */
}
