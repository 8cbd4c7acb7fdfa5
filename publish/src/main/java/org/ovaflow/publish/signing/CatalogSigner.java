package org.ovaflow.publish.signing;

import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyPacket;
import org.bouncycastle.bcpg.SymmetricKeyAlgorithmTags;
import org.bouncycastle.bcpg.sig.Features;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRingCollection;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;
import org.bouncycastle.openpgp.operator.PBESecretKeyDecryptor;
import org.bouncycastle.openpgp.operator.PBESecretKeyEncryptor;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyDecryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPBESecretKeyEncryptorBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.jcajce.JcaPGPContentVerifierBuilderProvider;
import org.bouncycastle.util.encoders.Hex;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

/**
 * The key that signs what the catalog publishes: detached, ASCII-armored OpenPGP signatures (SHA-256, binary
 * document) that {@code gpg --verify} checks. Loaded from an armored secret key (any key gpg makes: RSA, EdDSA…;
 * a signing subkey is preferred to the primary key, as gpg does) or generated (Ed25519, which gpg 2.1 and later
 * verify: small signatures and a key made in a millisecond).
 */
public final class CatalogSigner {

    /** Far more than any OpenPGP key; a larger file is not one. */
    static final long MAX_KEY_FILE_BYTES = 1 << 20;
    /** Far more than a detached signature; a larger one is not ours. */
    static final int MAX_SIGNATURE_BYTES = 64 * 1024;

    private final PGPSecretKeyRing keyRing;
    private final PGPPublicKey signingKey;
    private final PGPPrivateKey privateKey;

    private CatalogSigner(PGPSecretKeyRing keyRing, PGPPublicKey signingKey, PGPPrivateKey privateKey) {
        this.keyRing = keyRing;
        this.signingKey = signingKey;
        this.privateKey = privateKey;
    }

    /**
     * The armored secret key in {@code file} (one key: a primary key and its subkeys, as
     * {@code gpg --export-secret-keys --armor ID} writes it), unlocked with {@code passphrase} when it has one.
     *
     * @throws SigningKeyException naming the file and what is wrong with it
     */
    public static CatalogSigner load(Path file, char[] passphrase) {
        byte[] bytes;
        try {
            if (Files.size(file) > MAX_KEY_FILE_BYTES) {
                throw new SigningKeyException(file + " is not an OpenPGP secret key: larger than "
                        + MAX_KEY_FILE_BYTES + " bytes");
            }
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SigningKeyException("the signing key " + file + " does not exist", e);
        } catch (IOException e) {
            throw new SigningKeyException("cannot read the signing key " + file + ": " + e, e);
        }
        return read(bytes, passphrase, file.toString());
    }

    /** The secret key in {@code armored} (see {@link #load}); {@code source} names it in messages. */
    static CatalogSigner read(byte[] armored, char[] passphrase, String source) {
        // the decoder reads the first armored block only: a second one would be ignored without a word
        int blocks = new String(armored, StandardCharsets.ISO_8859_1).split("-----BEGIN PGP ", -1).length - 1;
        if (blocks > 1) {
            throw new SigningKeyException(source + " holds " + blocks + " armored blocks, not one secret key (export "
                    + "one with gpg --export-secret-keys --armor ID)");
        }
        List<PGPSecretKeyRing> rings = new ArrayList<>();
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(armored))) {
            new PGPSecretKeyRingCollection(in, new BcKeyFingerprintCalculator()).getKeyRings()
                    .forEachRemaining(rings::add);
        } catch (IOException | PGPException | RuntimeException e) {
            throw new SigningKeyException(source + " is not an OpenPGP secret key (export one with gpg "
                    + "--export-secret-keys --armor ID): " + e.getMessage(), e);
        }
        if (rings.size() != 1) {
            throw new SigningKeyException(source + " holds " + rings.size() + " secret keys, not one (export one with "
                    + "gpg --export-secret-keys --armor ID)");
        }
        PGPSecretKeyRing ring = rings.get(0);
        PGPSecretKey secret = signingKeyOf(ring, source);
        return new CatalogSigner(ring, secret.getPublicKey(), unlock(secret, passphrase, source));
    }

    /**
     * A new Ed25519 key (EdDSA as OpenPGP v4 writes it, which gpg 2.1 and later read) for signing and certifying,
     * never expiring, its secret part protected by {@code passphrase} when one is given.
     */
    public static CatalogSigner generate(String userId, char[] passphrase) {
        try {
            Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
            generator.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
            PGPKeyPair pair = new BcPGPKeyPair(PublicKeyPacket.VERSION_4, PublicKeyAlgorithmTags.EDDSA_LEGACY,
                    generator.generateKeyPair(), Date.from(Instant.now()));
            PGPSignatureSubpacketGenerator selfSigned = new PGPSignatureSubpacketGenerator();
            selfSigned.setKeyFlags(true, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
            selfSigned.setPreferredHashAlgorithms(false, new int[]{HashAlgorithmTags.SHA512, HashAlgorithmTags.SHA256});
            selfSigned.setFeature(false, Features.FEATURE_MODIFICATION_DETECTION);
            selfSigned.setIssuerFingerprint(false, pair.getPublicKey());
            BcPGPDigestCalculatorProvider digests = new BcPGPDigestCalculatorProvider();
            PBESecretKeyEncryptor encryptor = passphrase == null || passphrase.length == 0 ? null
                    : new BcPBESecretKeyEncryptorBuilder(SymmetricKeyAlgorithmTags.AES_256,
                    digests.get(HashAlgorithmTags.SHA256), 0x60).build(passphrase);
            PGPKeyRingGenerator rings = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, pair, userId,
                    digests.get(HashAlgorithmTags.SHA1), selfSigned.generate(), null,
                    new BcPGPContentSignerBuilder(PublicKeyAlgorithmTags.EDDSA_LEGACY, HashAlgorithmTags.SHA512),
                    encryptor);
            PGPSecretKeyRing ring = rings.generateSecretKeyRing();
            return new CatalogSigner(ring, ring.getPublicKey(), pair.getPrivateKey());
        } catch (PGPException e) {
            throw new IllegalStateException("Bouncy Castle cannot make an Ed25519 OpenPGP key: " + e.getMessage(), e);
        }
    }

    /** The detached signature of {@code data}, ASCII-armored ({@code -----BEGIN PGP SIGNATURE-----}). */
    public byte[] sign(byte[] data) {
        try {
            // the JDK's providers (SunEC's Ed25519, SUN's SHA-256 on the CPU's SHA instructions): Bouncy Castle's
            // lightweight signer hashes the document twice in pure Java, a fifth of publishing a batch
            PGPSignatureGenerator generator = new PGPSignatureGenerator(
                    new JcaPGPContentSignerBuilder(signingKey.getAlgorithm(), HashAlgorithmTags.SHA256), signingKey);
            generator.init(PGPSignature.BINARY_DOCUMENT, privateKey);
            PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
            hashed.setSignatureCreationTime(false, new Date());
            hashed.setIssuerFingerprint(false, signingKey);
            generator.setHashedSubpackets(hashed.generate());
            generator.update(data);
            return armored(generator.generate()::encode);
        } catch (PGPException e) {
            throw new IllegalStateException("cannot sign with key " + fingerprint() + ": " + e.getMessage(), e);
        }
    }

    /** Whether {@code armoredSignature} is a detached signature of exactly {@code data} by this key. */
    public boolean verifies(byte[] data, byte[] armoredSignature) {
        if (armoredSignature == null || armoredSignature.length > MAX_SIGNATURE_BYTES) {
            return false;
        }
        try (InputStream in = PGPUtil.getDecoderStream(new ByteArrayInputStream(armoredSignature))) {
            Object packets = new BcPGPObjectFactory(in).nextObject();
            if (!(packets instanceof PGPSignatureList signatures)) {
                return false;
            }
            for (PGPSignature signature : signatures) {
                if (signature.getKeyID() == signingKey.getKeyID()) {
                    signature.init(new JcaPGPContentVerifierBuilderProvider(), signingKey);
                    signature.update(data);
                    if (signature.verify()) {
                        return true;
                    }
                }
            }
            return false;
        } catch (IOException | PGPException | RuntimeException e) {
            return false; // not a signature this key made of these bytes
        }
    }

    /** The public key (the certificate: primary key, user ids, subkeys), ASCII-armored, for {@code gpg --import}. */
    public byte[] armoredPublicKey() {
        PGPPublicKeyRing certificate = keyRing.toCertificate();
        return armored(certificate::encode);
    }

    /** The secret key, ASCII-armored, protected as it was loaded or generated. Only for the key's own file. */
    byte[] armoredSecretKey() {
        return armored(keyRing::encode);
    }

    /** The primary key's fingerprint in upper-case hex, as {@code gpg --fingerprint} shows it (without spaces). */
    public String fingerprint() {
        return Hex.toHexString(keyRing.getPublicKey().getFingerprint()).toUpperCase(Locale.ROOT);
    }

    /** The fingerprint of the (sub)key that makes the signatures. */
    public String signingKeyFingerprint() {
        return Hex.toHexString(signingKey.getFingerprint()).toUpperCase(Locale.ROOT);
    }

    /** The primary user id, e.g. {@code ovaflow catalog signing key}. */
    public String userId() {
        Iterator<String> ids = keyRing.getPublicKey().getUserIDs();
        return ids.hasNext() ? ids.next() : "";
    }

    @Override
    public String toString() {
        return "CatalogSigner[" + fingerprint() + "]";
    }

    /** The newest usable signing subkey, else the primary key when it may sign (gpg's choice). */
    private static PGPSecretKey signingKeyOf(PGPSecretKeyRing ring, String source) {
        List<PGPSecretKey> candidates = new ArrayList<>();
        for (PGPSecretKey key : ring) {
            if (mayMakeSignatures(key)) {
                candidates.add(key);
            }
        }
        return candidates.stream()
                .max(Comparator.comparing((PGPSecretKey k) -> !k.isMasterKey())
                        .thenComparing(k -> k.getPublicKey().getCreationTime()))
                .orElseThrow(() -> new SigningKeyException("the key " + Hex.toHexString(ring.getPublicKey()
                        .getFingerprint()).toUpperCase(Locale.ROOT) + " in " + source + " has no secret key that may "
                        + "sign data: none is a signing algorithm with the sign flag, unrevoked, unexpired and present "
                        + "(not a gpg stub of an offline key)"));
    }

    private static boolean mayMakeSignatures(PGPSecretKey key) {
        PGPPublicKey publicKey = key.getPublicKey();
        if (key.isPrivateKeyEmpty() || !key.isSigningKey() || publicKey.hasRevocation()) {
            return false;
        }
        long validSeconds = publicKey.getValidSeconds();
        if (validSeconds > 0 && publicKey.getCreationTime().toInstant().plusSeconds(validSeconds)
                .isBefore(Instant.now())) {
            return false;
        }
        int flags = keyFlags(publicKey);
        return flags == 0 || (flags & KeyFlags.SIGN_DATA) != 0; // no flags at all: the algorithm decides
    }

    private static int keyFlags(PGPPublicKey key) {
        int flags = 0;
        Iterator<PGPSignature> signatures = key.getSignatures();
        while (signatures.hasNext()) {
            PGPSignatureSubpacketVector hashed = signatures.next().getHashedSubPackets();
            if (hashed != null) {
                flags |= hashed.getKeyFlags();
            }
        }
        return flags;
    }

    private static PGPPrivateKey unlock(PGPSecretKey key, char[] passphrase, String source) {
        boolean protectedKey = key.getKeyEncryptionAlgorithm() != SymmetricKeyAlgorithmTags.NULL;
        if (protectedKey && (passphrase == null || passphrase.length == 0)) {
            throw new SigningKeyException("the signing key in " + source + " is protected by a passphrase and none "
                    + "was given (OVAFLOW_SIGNING_PASSPHRASE, or a file named by ovaflow.signing.passphrase-file)");
        }
        try {
            PBESecretKeyDecryptor decryptor = new BcPBESecretKeyDecryptorBuilder(new BcPGPDigestCalculatorProvider())
                    .build(passphrase == null ? new char[0] : passphrase);
            PGPPrivateKey privateKey = key.extractPrivateKey(decryptor);
            if (privateKey == null) {
                throw new SigningKeyException("the signing key in " + source + " has no secret part");
            }
            return privateKey;
        } catch (PGPException | RuntimeException e) {
            if (e instanceof SigningKeyException signingKeyException) {
                throw signingKeyException;
            }
            throw new SigningKeyException("cannot unlock the signing key in " + source + (protectedKey
                    ? ": wrong passphrase" : "") + " (" + e.getMessage() + ")", e);
        }
    }

    private interface Encoder {
        void encode(java.io.OutputStream out) throws IOException;
    }

    /** Armored without headers: no library version in what is published. */
    private static byte[] armored(Encoder encoder) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ArmoredOutputStream armor = ArmoredOutputStream.builder().clearHeaders().build(bytes)) {
            encoder.encode(armor);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }
}
