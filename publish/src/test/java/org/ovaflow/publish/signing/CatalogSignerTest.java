package org.ovaflow.publish.signing;

import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.util.encoders.Hex;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Signing, verifying, and the key's files: kept, reloaded, refused with a reason. */
class CatalogSignerTest {

    private static final byte[] INDEX = "{\n  \"format\" : \"ovaflow-index:1\"\n}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void aSignatureIsADetachedArmoredSignatureThatBouncyCastleVerifiesWithThePublishedKeyAlone() throws Exception {
        CatalogSigner signer = CatalogSigner.generate("test key", null);

        byte[] signature = signer.sign(INDEX);

        String armored = new String(signature, StandardCharsets.US_ASCII);
        assertThat(armored).startsWith("-----BEGIN PGP SIGNATURE-----\n").contains("-----END PGP SIGNATURE-----")
                .doesNotContain("Version:");
        PGPSignature parsed = OpenPgpReader.signature(signature);
        assertThat(parsed.getSignatureType()).isEqualTo(PGPSignature.BINARY_DOCUMENT);
        PGPPublicKey key = OpenPgpReader.publicKey(signer.armoredPublicKey());
        assertThat(Hex.toHexString(key.getFingerprint()).toUpperCase(Locale.ROOT)).isEqualTo(signer.fingerprint());
        assertThat(OpenPgpReader.verified(key, INDEX, signature)).isTrue();
        assertThat(signer.verifies(INDEX, signature)).isTrue();
    }

    @Test
    void tamperedBytesAnotherKeysSignatureOrGarbageDoNotVerify() throws Exception {
        CatalogSigner signer = CatalogSigner.generate("test key", null);
        byte[] signature = signer.sign(INDEX);
        byte[] tampered = INDEX.clone();
        tampered[tampered.length - 2] ^= 1;

        assertThat(signer.verifies(tampered, signature)).isFalse();
        assertThat(OpenPgpReader.verified(OpenPgpReader.publicKey(signer.armoredPublicKey()), tampered, signature)).isFalse();
        assertThat(signer.verifies(INDEX, CatalogSigner.generate("other", null).sign(INDEX))).isFalse();
        assertThat(signer.verifies(INDEX, "not a signature".getBytes(StandardCharsets.US_ASCII))).isFalse();
        assertThat(signer.verifies(INDEX, new byte[0])).isFalse();
        assertThat(signer.verifies(INDEX, null)).isFalse();
    }

    @Test
    void aKeyMadeUpAtFirstStartIsKeptOwnerReadableAndTheSameAfterARestart() throws Exception {
        Path folder = dir.resolve("signing");

        SigningKey first = SigningKey.keptIn(folder, null);
        SigningKey again = SigningKey.keptIn(folder, null);

        assertThat(first.generated()).isTrue();
        assertThat(again.generated()).isFalse();
        assertThat(again.signer().fingerprint()).isEqualTo(first.signer().fingerprint());
        assertThat(first.secretKeyFile()).isEqualTo(folder.resolve(SigningKey.SECRET_KEY_FILE));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(first.secretKeyFile())))
                .isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder))).isEqualTo("rwx------");
        assertThat(first.signer().userId()).isEqualTo(SigningKey.GENERATED_USER_ID);
        // what the first signed, the reloaded key verifies, and the other way round
        assertThat(again.signer().verifies(INDEX, first.signer().sign(INDEX))).isTrue();
        assertThat(first.signer().verifies(INDEX, again.signer().sign(INDEX))).isTrue();
        assertThat(OpenPgpReader.publicKey(Files.readAllBytes(first.publicKeyFile())).getFingerprint())
                .isEqualTo(Hex.decode(first.signer().fingerprint()));
        try (var leftovers = Files.list(folder)) {
            assertThat(leftovers.map(p -> p.getFileName().toString()))
                    .containsExactlyInAnyOrder(SigningKey.SECRET_KEY_FILE, SigningKey.PUBLIC_KEY_FILE);
        }
    }

    @Test
    void processesStartingAtOnceOnOneDataDirEndUpWithOneKey() throws Exception {
        Path folder = dir.resolve("signing");
        ExecutorService starts = Executors.newFixedThreadPool(4);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<SigningKey>> keys = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                keys.add(starts.submit(() -> {
                    go.await();
                    return SigningKey.keptIn(folder, null);
                }));
            }
            go.countDown();
            List<SigningKey> resolved = new ArrayList<>();
            for (Future<SigningKey> key : keys) {
                resolved.add(key.get(1, TimeUnit.MINUTES));
            }

            assertThat(resolved).extracting(k -> k.signer().fingerprint()).containsOnly(
                    CatalogSigner.load(folder.resolve(SigningKey.SECRET_KEY_FILE), null).fingerprint());
            assertThat(resolved).filteredOn(SigningKey::generated).hasSize(1);
        } finally {
            starts.shutdownNow();
        }
    }

    @Test
    void aKeptKeyWithAPassphraseOpensWithItAndIsRefusedWithAWrongOneOrNone() {
        Path folder = dir.resolve("signing");
        SigningKey made = SigningKey.keptIn(folder, "correct horse".toCharArray());
        Path file = made.secretKeyFile();

        assertThat(SigningKey.keptIn(folder, "correct horse".toCharArray()).signer().fingerprint())
                .isEqualTo(made.signer().fingerprint());
        assertThatThrownBy(() -> SigningKey.keptIn(folder, "wrong".toCharArray()))
                .isInstanceOf(SigningKeyException.class)
                .hasMessageContaining("cannot unlock the signing key in " + file + ": wrong passphrase");
        assertThatThrownBy(() -> SigningKey.keptIn(folder, null))
                .isInstanceOf(SigningKeyException.class)
                .hasMessageContaining(file + " is protected by a passphrase and none was given")
                .hasMessageContaining("OVAFLOW_SIGNING_PASSPHRASE");
    }

    @Test
    void aConfiguredKeyFileThatIsNoSecretKeyIsRefusedNamingTheFile() throws Exception {
        CatalogSigner signer = CatalogSigner.generate("test key", null);
        Path publicKey = Files.write(dir.resolve("public.asc"), signer.armoredPublicKey());
        Path garbage = Files.writeString(dir.resolve("garbage.asc"), "hello\n");
        byte[] other = CatalogSigner.generate("other", null).armoredSecretKey();
        Path twoBlocks = dir.resolve("two-blocks.asc");
        Files.write(twoBlocks, signer.armoredSecretKey());
        Files.write(twoBlocks, other, StandardOpenOption.APPEND);
        Path two = dir.resolve("two.gpg"); // binary, as gpg --export-secret-keys A B writes it without --armor
        Files.write(two, dearmored(signer.armoredSecretKey()));
        Files.write(two, dearmored(other), StandardOpenOption.APPEND);
        Path huge = Files.write(dir.resolve("huge.asc"), new byte[(int) CatalogSigner.MAX_KEY_FILE_BYTES + 1]);

        assertThatThrownBy(() -> SigningKey.configured(publicKey, null)).isInstanceOf(SigningKeyException.class)
                .hasMessageStartingWith(publicKey + " is not an OpenPGP secret key");
        assertThatThrownBy(() -> SigningKey.configured(garbage, null)).isInstanceOf(SigningKeyException.class)
                .hasMessageStartingWith(garbage + " is not an OpenPGP secret key");
        assertThatThrownBy(() -> SigningKey.configured(twoBlocks, null)).isInstanceOf(SigningKeyException.class)
                .hasMessageStartingWith(twoBlocks + " holds 2 armored blocks, not one secret key");
        assertThatThrownBy(() -> SigningKey.configured(two, null)).isInstanceOf(SigningKeyException.class)
                .hasMessageStartingWith(two + " holds 2 secret keys, not one");
        assertThatThrownBy(() -> SigningKey.configured(huge, null)).isInstanceOf(SigningKeyException.class)
                .hasMessageStartingWith(huge + " is not an OpenPGP secret key: larger than");
        assertThatThrownBy(() -> SigningKey.configured(dir.resolve("missing.asc"), null))
                .isInstanceOf(SigningKeyException.class)
                .hasMessage("the signing key " + dir.resolve("missing.asc") + " does not exist");
    }

    @Test
    void aConfiguredKeyFileSignsLikeTheKeyItHolds() throws Exception {
        CatalogSigner original = CatalogSigner.generate("configured", "pass".toCharArray());
        Path file = Files.write(dir.resolve("key.asc"), original.armoredSecretKey());

        SigningKey configured = SigningKey.configured(file, "pass".toCharArray());

        assertThat(configured.generated()).isFalse();
        assertThat(configured.secretKeyFile()).isEqualTo(file);
        assertThat(configured.signer().fingerprint()).isEqualTo(original.fingerprint());
        assertThat(original.verifies(INDEX, configured.signer().sign(INDEX))).isTrue();
    }

    private static byte[] dearmored(byte[] armored) throws Exception {
        try (InputStream in = new ArmoredInputStream(new ByteArrayInputStream(armored))) {
            return in.readAllBytes();
        }
    }
}
