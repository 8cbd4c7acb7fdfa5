package org.ovaflow.app.cli;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.ovaflow.app.Ovaflow;
import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckConcern;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.inspect.Inspection;
import org.ovaflow.validate.inspect.OvaInspector;
import org.ovaflow.core.event.VerifiedSigner;
import org.ovaflow.disk.ReadOptions;
import org.ovaflow.core.event.ImportEvent;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code ovaflow inspect FILE.ova}: the checksum and schema stages' checks on a local file, offline, no servers,
 * and the disk images read to their end by the transcode stage's readers ({@code disk.read}).
 * Exit 0 when the OVA would be accepted, 1 when it would be rejected, 2 on a usage error.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
        description = "Checks a local OVA offline with the checksum and schema stages' code (streamed, never "
                + "extracted) and prints its metadata or every failed check.")
public final class InspectCommand extends CommandOutput implements Callable<Integer> {

    /** Where the trust store's password comes from when there is one: never the command line, seen in ps. */
    static final String PASSWORD_ENV = "OVAFLOW_TRUST_STORE_PASSWORD";

    @Parameters(paramLabel = "FILE", description = "the OVA to inspect: .ova, .ova.gz, .ova.xz, or an unpacked "
            + "package's .ovf (its files read from the same folder)")
    Path file;

    @Option(names = "--json", description = "print the verdict as JSON, in the shape of the quarantine's report.json")
    boolean json;

    @Option(names = "--trust-store", paramLabel = "PATH",
            description = "certificates a signature must chain to: a folder of PEM files or a PKCS12 file "
                    + "(its password from $" + PASSWORD_ENV + ")")
    Path trustStore;

    @Option(names = "--signature", paramLabel = "POLICY",
            description = "require, verify-if-present or ignore (default: ${DEFAULT-VALUE})")
    String signature = "verify-if-present";

    @Option(names = "--manifest", paramLabel = "POLICY", description = "optional or require (default: ${DEFAULT-VALUE})")
    String manifest = "optional";

    @Option(names = "--max-capacity", paramLabel = "BYTES",
            description = "refuse disks declaring more than this (default: ${DEFAULT-VALUE})")
    long maxCapacity = ValidationSettings.DEFAULT_MAX_CAPACITY;

    @Option(names = "--allow-remote-hrefs", description = "accept, with a warning, References to files outside the "
            + "package (they are never fetched)")
    boolean allowRemoteHrefs;

    @Option(names = "--max-virtual-size", paramLabel = "BYTES",
            description = "refuse disk images whose header declares more, as the transcode stage does "
                    + "(default: ${DEFAULT-VALUE})")
    long maxVirtualSize = ReadOptions.DEFAULT_MAX_VIRTUAL_SIZE;

    @Override
    public Integer call() throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + " is not a file");
        }
        if (trustStore != null && !Files.exists(trustStore)) {
            throw new IllegalArgumentException("trust store " + trustStore + " does not exist");
        }
        String password = System.getenv(PASSWORD_ENV);
        ValidationSettings settings = ValidationSettings.DEFAULTS
                .withManifest(ValidationSettings.policy(ValidationSettings.ManifestPolicy.class, "--manifest", manifest))
                .withSignature(ValidationSettings.policy(ValidationSettings.SignaturePolicy.class, "--signature",
                        signature), trustStore, password == null || password.isEmpty() ? null : password.toCharArray())
                .withMaxCapacity(maxCapacity)
                .withRemoteHrefs(allowRemoteHrefs ? ValidationSettings.RemoteHrefPolicy.ALLOW
                        : ValidationSettings.RemoteHrefPolicy.REFUSE);
        Inspection inspection = OvaInspector.readingDisks(settings, maxVirtualSize).inspect(file);
        if (json) {
            out().println(new String(EventCodec.toPrettyJson(Report.of(inspection)), StandardCharsets.UTF_8));
        } else {
            print(inspection, out());
        }
        return inspection.valid() ? Ovaflow.OK : Ovaflow.REJECTED;
    }

    /**
     * {@code inspect --json}: {@code failed}, {@code warnings} (each with its severity and remedy) and
     * {@code checks} as in the quarantine's report.json, with what a local file has instead of an object (its path,
     * size and sha256) and the metadata found.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Report(int schemaVersion, String source, long size, String sha256, String verdict,
                  List<CheckConcern> failed, List<CheckConcern> warnings, List<CheckResult> checks,
                  VerifiedSigner signer, ApplianceMetadata appliance) {

        static Report of(Inspection inspection) {
            List<CheckResult> checks = inspection.event().checks();
            return new Report(1, inspection.event().source().key(), inspection.size(), inspection.sha256(),
                    inspection.valid() ? "valid" : "rejected", CheckConcern.failed(checks),
                    CheckConcern.warnings(checks), checks, inspection.signer(), inspection.event().appliance());
        }
    }

    private static void print(Inspection inspection, PrintWriter out) {
        out.printf("%s: %s%n", inspection.file(), inspection.valid() ? "valid" : "REJECTED");
        ApplianceMetadata appliance = inspection.event().appliance();
        if (appliance != null) {
            out.printf("  %s %s by %s, OVF %s%n", text(appliance.product()), text(appliance.version()),
                    text(appliance.vendor()), appliance.ovfVersion());
            for (ApplianceMetadata.VirtualSystem vm : appliance.virtualSystems()) {
                out.printf("  virtual system %s: %s CPU(s), %s MiB, %d disk(s), %d NIC(s)%s%n", vm.id(),
                        text(vm.cpus()), text(vm.memoryMiB()), vm.diskItems(), vm.nicItems(),
                        vm.osDescription() != null ? ", " + vm.osDescription() : "");
            }
            for (ApplianceMetadata.Disk disk : appliance.disks()) {
                out.printf("  disk %s: %s bytes, %s%n", disk.diskId(), text(disk.capacityBytes()), text(disk.format()));
            }
        }
        if (inspection.sha256() != null) {
            out.printf("  sha256 %s, %d bytes%n", inspection.sha256(), inspection.size());
        }
        VerifiedSigner signer = inspection.signer();
        if (signer != null) {
            out.printf("  signed by %s (issuer %s, %s, valid until %s, sha256 fingerprint %s)%n", signer.subject(),
                    signer.issuer(), signer.algorithm(), signer.notAfter(), signer.sha256Fingerprint());
        }
        for (CheckResult check : inspection.event().checks()) {
            if (check.status() != CheckResult.Status.PASS) {
                CheckConcern concern = CheckConcern.of(check);
                out.printf("  %s %s: %s%n", check.status(), check.where(), check.message());
                out.printf("    %s%s%n", concern.severity().label(),
                        concern.remedy() == null ? "" : ", remedy: " + concern.remedy());
            }
        }
    }

    private static String text(Object value) {
        return value == null ? "?" : value.toString();
    }
}
