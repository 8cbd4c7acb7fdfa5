package org.ovaflow.validate.fuzz;

import org.ovaflow.core.ova.OvaBuilder;
import org.ovaflow.core.sample.SampleAppliance;
import org.ovaflow.validate.signature.TestPki;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * Writes the seeds of {@link JazzerFuzzTest} (OVAs, manifests, certificate files, descriptors) into the test resources,
 * from the sample appliance, the test PKI and core's dialect descriptors. Run by {@code bench/fuzz.sh seeds}; the
 * disk-image seeds come from qemu-img there. Seeds stay small (a few KiB): Jazzer's inputs grow up to the largest.
 */
public final class FuzzSeeds {

    private FuzzSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Path inputs = Path.of(args[0], "org/ovaflow/validate/fuzz/JazzerFuzzTestInputs");

        Path tar = Files.createDirectories(inputs.resolve("tarWalk"));
        Path manifest = Files.createDirectories(inputs.resolve("manifest"));
        OvaBuilder sha256 = SampleAppliance.ova("Acme", "Widget", "1.0", 3000, 1);
        OvaBuilder sha1 = SampleAppliance.ova("Acme", "Widget", "1.0", 700, 2).manifestAlgorithm("SHA1");
        OvaBuilder sha512 = SampleAppliance.ova("Acme", "Widget", "1.0", 100, 4)
                .file("a-name-longer-than-the-hundred-bytes-of-a-ustar-header-so-it-needs-a-pax-header-"
                        + "to-hold-it-whole.nvram", new byte[300])
                .manifestAlgorithm("SHA512");
        Files.write(tar.resolve("sha256.ova"), sha256.toBytes());
        Files.write(tar.resolve("sha1.ova"), sha1.toBytes());
        Files.write(tar.resolve("long-name-sha512.ova"), sha512.toBytes());
        Files.write(tar.resolve("no-manifest.ova"),
                SampleAppliance.ova("Acme", "Widget", "1.0", 1500, 3).manifestAlgorithm(null).toBytes());

        // a signed package: the .cert signs the manifest's exact bytes
        TestPki.Identity root = TestPki.root("CN=Fuzz Root", Instant.parse("2025-01-01T00:00:00Z"),
                Instant.parse("2035-01-01T00:00:00Z"));
        TestPki.Identity signer = TestPki.issue(root, "CN=Fuzz Signer", TestPki.rsa(),
                Instant.parse("2025-01-01T00:00:00Z"), Instant.parse("2035-01-01T00:00:00Z"), false);
        OvaBuilder signed = SampleAppliance.ova("Acme", "Signed", "1.0", 1000, 5);
        byte[] manifestBytes = signed.manifest().getBytes(StandardCharsets.UTF_8);
        String cert = TestPki.certFile("SHA256", signed.manifestName(),
                TestPki.sign(manifestBytes, signer.keys(), "SHA256"), signer.certificate(), root.certificate());
        signed.file(signed.manifestName().replaceFirst("\\.mf$", ".cert"), cert.getBytes(StandardCharsets.UTF_8));
        Files.write(tar.resolve("signed.ova"), signed.toBytes());

        Files.writeString(manifest.resolve("sha256.mf"), sha256.manifest());
        Files.writeString(manifest.resolve("sha1.mf"), sha1.manifest());
        Files.writeString(manifest.resolve("sha512.mf"), sha512.manifest());
        // the spellings other tools write: spaced (sha256sum --tag), upper-case hex, CRLF
        Files.writeString(manifest.resolve("spaced-crlf.mf"), sha256.manifest()
                .replaceAll("(SHA\\d+)\\((.*)\\)= ([0-9a-f]+)", "$1 ($2) = $3").toUpperCase().replace("\n", "\r\n"));

        Path certs = Files.createDirectories(inputs.resolve("certificateFile"));
        Files.writeString(certs.resolve("chain.cert"), cert);
        Files.writeString(certs.resolve("signer-only.cert"), TestPki.certFile("SHA1", "x.mf",
                TestPki.sign(manifestBytes, signer.keys(), "SHA1"), signer.certificate()));

        Path descriptors = Files.createDirectories(inputs.resolve("descriptor"));
        Files.writeString(descriptors.resolve("sample.ovf"),
                SampleAppliance.descriptor("Acme", "Widget", "1.0", "disk1.img", 3000));
        for (String dialect : new String[] {"dialects/dmtf-1.ovf", "dialects/ovf-2.ovf", "dialects/virtualbox.ovf",
                "dialects/vmware.ovf", "packages/multi-vm.ovf", "packages/vmware-0.9.ovf"}) {
            try (InputStream in = FuzzSeeds.class.getResourceAsStream("/" + dialect)) {
                if (in == null) {
                    throw new IOException(dialect + " is not on the class path (core's test resources)");
                }
                Files.write(descriptors.resolve(dialect.replace('/', '-')), in.readAllBytes());
            }
        }
        System.out.println("seeds written under " + inputs);
    }
}
