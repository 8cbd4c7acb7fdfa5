package org.ovaflow.app.pipeline;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.publish.signing.CatalogSigner;
import org.ovaflow.publish.signing.SigningKey;
import org.ovaflow.publish.signing.SigningKeyException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code ovaflow.signing.*}: a configured key and its passphrase (file or environment), or the kept one. */
class CatalogSigningTest {

    @TempDir
    Path dir;

    @Test
    void withoutAKeyConfiguredRunMakesOneUpUnderTheDataDirAndReusesItAfterARestart() {
        Path data = dir.resolve("data");
        assertThat(CatalogSigning.existing(data, Map.of())).as("a command never makes one up").isEmpty();

        SigningKey first = CatalogSigning.resolve(data, Map.of(), null);
        SigningKey restarted = CatalogSigning.resolve(data, Map.of(), null);

        assertThat(first.generated()).isTrue();
        assertThat(first.secretKeyFile()).isEqualTo(data.resolve("signing").resolve(SigningKey.SECRET_KEY_FILE));
        assertThat(restarted.generated()).isFalse();
        assertThat(restarted.signer().fingerprint()).isEqualTo(first.signer().fingerprint());
        assertThat(CatalogSigning.existing(data, Map.of())).get()
                .extracting(k -> k.signer().fingerprint()).isEqualTo(first.signer().fingerprint());
    }

    @Test
    void aConfiguredKeyOpensWithThePassphraseFileOrElseTheEnvironment() throws Exception {
        CatalogSigner made = CatalogSigning.resolve(dir.resolve("maker"), Map.of(), "environment secret").signer();
        Path key = dir.resolve("maker/signing").resolve(SigningKey.SECRET_KEY_FILE);
        Path passphraseFile = Files.writeString(dir.resolve("passphrase"), "environment secret\n");

        SigningKey fromFile = CatalogSigning.resolve(dir.resolve("data"), Map.of(CatalogSigning.KEY, key.toString(),
                CatalogSigning.PASSPHRASE_FILE, passphraseFile.toString()), "wrong");
        SigningKey fromEnvironment = CatalogSigning.resolve(dir.resolve("data"),
                Map.of(CatalogSigning.KEY, key.toString()), "environment secret");

        assertThat(fromFile.signer().fingerprint()).isEqualTo(made.fingerprint());
        assertThat(fromFile.generated()).isFalse();
        assertThat(fromEnvironment.signer().fingerprint()).isEqualTo(made.fingerprint());
        assertThat(dir.resolve("data/signing")).as("no key made up beside a configured one").doesNotExist();
        assertThatThrownBy(() -> CatalogSigning.resolve(dir.resolve("data"), Map.of(CatalogSigning.KEY, key.toString()),
                "wrong")).isInstanceOf(SigningKeyException.class).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(key + ": wrong passphrase");
        assertThatThrownBy(() -> CatalogSigning.resolve(dir.resolve("data"), Map.of(CatalogSigning.KEY, key.toString(),
                CatalogSigning.PASSPHRASE_FILE, dir.resolve("nowhere").toString()), null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot read " + CatalogSigning.PASSPHRASE_FILE + " " + dir.resolve("nowhere"));
    }
}
