package org.ovaflow.app;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.sample.SampleAppliance;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code ovaflow inspect}: offline, no servers; exit 0 valid, 1 rejected, 2 usage. */
class InspectCommandTest {

    @TempDir
    Path dir;

    @Test
    void aGoodOvaIsValidWithItsMetadata() throws Exception {
        Path ova = Files.write(dir.resolve("widget.ova"),
                SampleAppliance.ova("Acme Corp", "Widget Server", "2.4.1", 40_000, 3).toBytes());

        CommandRun run = CommandRun.of("inspect", ova.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("widget.ova: valid", "Widget Server 2.4.1 by Acme Corp", "2 CPU(s)",
                "1024 MiB");
    }

    @Test
    void jsonHasTheShapeOfTheQuarantineReport() throws Exception {
        Path ova = Files.write(dir.resolve("spoilt.ova"),
                SampleAppliance.ova("Acme Corp", "Widget Server", "2.4.1", 40_000, 3).spoilDigestOf("disk1.img")
                        .toBytes());

        CommandRun run = CommandRun.of("inspect", "--json", ova.toString());

        assertThat(run.exit()).as(run.err()).isEqualTo(Ovaflow.REJECTED);
        JsonNode report = EventCodec.JSON.readTree(run.out());
        assertThat(report.path("verdict").asText()).isEqualTo("rejected");
        assertThat(report.path("source").asText()).isEqualTo(ova.toString());
        assertThat(report.path("sha256").asText()).hasSize(64);
        // failed and checks as report.json has them: id, status, file, message
        JsonNode failed = report.path("failed").get(0);
        assertThat(failed.path("id").asText()).isEqualTo("manifest.digest");
        assertThat(failed.path("status").asText()).isEqualTo("FAIL");
        assertThat(failed.path("file").asText()).isEqualTo("disk1.img");
        assertThat(failed.path("message").asText()).contains("SHA256 is");
        // and, beside them, how serious it is and what to do about it
        assertThat(failed.path("severity").asText()).isEqualTo("critical");
        assertThat(failed.path("remedy").asText()).contains("download or export the OVA again");
        assertThat(report.path("warnings").isArray()).isTrue();
        assertThat(report.path("checks").size()).isGreaterThan(report.path("failed").size());
        // the descriptor is still read: the report names the appliance, and every problem at once
        assertThat(report.path("appliance").path("product").asText()).isEqualTo("Widget Server");
    }

    @Test
    void aPackageWithOnlyWarningsIsValidAndListsThemWithSeverityAndRemedy() throws Exception {
        Path ova = Files.write(dir.resolve("bare.ova"), SampleAppliance.ova("Acme Corp", "Widget Server", "2.4.1",
                40_000, 3).manifestAlgorithm(null).toBytes());

        CommandRun run = CommandRun.of("inspect", ova.toString());
        CommandRun json = CommandRun.of("inspect", "--json", ova.toString());

        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("WARN manifest.present", "warning, remedy: Ship a .mf manifest");
        assertThat(json.exit()).isZero();
        JsonNode report = EventCodec.JSON.readTree(json.out());
        assertThat(report.path("verdict").asText()).isEqualTo("valid");
        assertThat(report.path("failed").size()).isZero();
        JsonNode warning = report.path("warnings").get(0);
        assertThat(warning.path("id").asText()).isEqualTo("manifest.present");
        assertThat(warning.path("status").asText()).isEqualTo("WARN");
        assertThat(warning.path("severity").asText()).isEqualTo("warning");
        assertThat(warning.path("remedy").asText()).isNotBlank();
    }

    @Test
    void aFileThatIsNoOvaIsRejectedByItsCheck() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.ova"), "not a tar archive at all, just words\n");

        CommandRun run = CommandRun.of("inspect", text.toString());

        assertThat(run.exit()).isEqualTo(Ovaflow.REJECTED);
        assertThat(run.out()).contains("notes.ova: REJECTED", "FAIL tar.");
    }

    @Test
    void aManifestRequiredByPolicyMustBeThere() throws Exception {
        Path ova = Files.write(dir.resolve("bare.ova"), SampleAppliance.ova("Acme Corp", "Widget Server", "2.4.1",
                40_000, 3).manifestAlgorithm(null).toBytes());

        assertThat(CommandRun.of("inspect", ova.toString()).exit()).isZero();
        CommandRun strict = CommandRun.of("inspect", "--manifest", "require", ova.toString());
        assertThat(strict.exit()).isEqualTo(Ovaflow.REJECTED);
        assertThat(strict.out()).contains("FAIL manifest.present");
    }

    /**
     * A vendor signs its OVA as ovftool does: a key pair and a self-signed certificate made by keytool, the
     * manifest signed with SHA256withRSA, the .cert holding the signature line and the certificate.
     */
    @Test
    void aSignedOvaVerifiesAgainstTheTrustStoreItIsGiven() throws Exception {
        VendorSigning vendor = VendorSigning.create(dir, "CN=Acme Corp Release Signing,O=Acme Corp");
        Path signed = Files.write(dir.resolve("signed.ova"), vendor.sign(
                SampleAppliance.ova("Acme Corp", "Widget Server", "2.4.1", 40_000, 3), "widget.cert").toBytes());
        Path trusted = Files.createDirectory(dir.resolve("trusted"));
        Files.writeString(trusted.resolve("acme.pem"), vendor.pem());

        CommandRun untrusted = CommandRun.of("inspect", signed.toString());
        CommandRun verified = CommandRun.of("inspect", "--trust-store", trusted.toString(), signed.toString());
        CommandRun ignored = CommandRun.of("inspect", "--signature", "ignore", signed.toString());

        assertThat(untrusted.exit()).isEqualTo(Ovaflow.REJECTED);
        assertThat(untrusted.out()).contains("FAIL signature.chain [widget.cert]: self-signed certificate not in "
                + "the trust store");
        assertThat(verified.exit()).as(verified.out()).isZero();
        assertThat(verified.out()).contains("signed by CN=Acme Corp Release Signing,O=Acme Corp", "SHA256withRSA");
        assertThat(ignored.exit()).isZero();
        assertThat(ignored.out()).doesNotContain("signed by");
    }

    @Test
    void usageErrorsExitTwo() throws Exception {
        Path ova = Files.write(dir.resolve("widget.ova"),
                SampleAppliance.ova("Acme Corp", "Widget Server", "2.4.1", 40_000, 3).toBytes());

        assertThat(CommandRun.of("inspect", dir.resolve("missing.ova").toString()).exit()).isEqualTo(Ovaflow.USAGE);
        CommandRun policy = CommandRun.of("inspect", "--signature", "sometimes", ova.toString());
        assertThat(policy.exit()).isEqualTo(Ovaflow.USAGE);
        assertThat(policy.err()).contains("require, verify-if-present, ignore");
        assertThat(CommandRun.of("inspect", "--trust-store", dir.resolve("none.p12").toString(), ova.toString())
                .exit()).isEqualTo(Ovaflow.USAGE);
    }
}
