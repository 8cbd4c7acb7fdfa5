package org.ovaflow.publish.signing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * The catalog's signing key and where it lives: a configured secret key file, or one made up at first start and
 * kept in a folder ({@value #SECRET_KEY_FILE}, owner-readable only, beside {@value #PUBLIC_KEY_FILE}) so that a
 * restart signs with the same key.
 *
 * @param signer        the key
 * @param secretKeyFile where its secret part is
 * @param publicKeyFile where its public part is as a file (null for a configured key: its owner has it)
 * @param generated     whether this call made the key up (so {@code run} announces it, once)
 */
public record SigningKey(CatalogSigner signer, Path secretKeyFile, Path publicKeyFile, boolean generated) {

    public static final String SECRET_KEY_FILE = "secret-key.asc";
    public static final String PUBLIC_KEY_FILE = "public-key.asc";
    /** The user id of a generated key. */
    public static final String GENERATED_USER_ID = "ovaflow catalog signing key";

    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /** The armored secret key in {@code file} (see {@link CatalogSigner#load}). */
    public static SigningKey configured(Path file, char[] passphrase) {
        return new SigningKey(CatalogSigner.load(file, passphrase), file, null, false);
    }

    /**
     * The key kept in {@code folder}, made up (Ed25519, protected by {@code passphrase} when one is given) when
     * there is none yet. Two processes starting at once on one folder end up with the same key: the secret key
     * file appears whole or not at all, and the second to get there takes the first one's.
     */
    public static SigningKey keptIn(Path folder, char[] passphrase) {
        Path secret = folder.resolve(SECRET_KEY_FILE);
        Path publicKey = folder.resolve(PUBLIC_KEY_FILE);
        try {
            Files.createDirectories(folder, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
            if (Files.exists(secret)) {
                CatalogSigner signer = CatalogSigner.load(secret, passphrase);
                if (!Files.exists(publicKey)) {
                    writePublicKey(signer, publicKey);
                }
                return new SigningKey(signer, secret, publicKey, false);
            }
            CatalogSigner signer = CatalogSigner.generate(GENERATED_USER_ID, passphrase);
            // written under a name of its own with its permissions from the start, then linked into place: never
            // readable by others, never seen half-written, and a key another process linked first is not replaced
            Path draft = Files.createTempFile(folder, ".secret-key-", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            try {
                Files.write(draft, signer.armoredSecretKey());
                putInPlace(draft, secret);
            } catch (FileAlreadyExistsException e) {
                return keptIn(folder, passphrase);
            } finally {
                Files.deleteIfExists(draft);
            }
            writePublicKey(signer, publicKey);
            return new SigningKey(signer, secret, publicKey, true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the signing key in " + folder, e);
        }
    }

    /** A hard link, which never replaces; where the file system has none, a move that refuses an existing file. */
    private static void putInPlace(Path draft, Path target) throws IOException {
        try {
            Files.createLink(target, draft);
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (UnsupportedOperationException | FileSystemException e) {
            Files.move(draft, target);
        }
    }

    private static void writePublicKey(CatalogSigner signer, Path file) throws IOException {
        Path draft = Files.createTempFile(file.getParent(), ".public-key-", ".tmp");
        Files.write(draft, signer.armoredPublicKey());
        Files.setPosixFilePermissions(draft, PosixFilePermissions.fromString("rw-r--r--")); // public: anyone may read it
        Files.move(draft, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Override
    public String toString() {
        return "SigningKey[" + signer.fingerprint() + (generated ? ", generated" : "") + "]";
    }
}
