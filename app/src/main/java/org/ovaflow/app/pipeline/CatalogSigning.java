package org.ovaflow.app.pipeline;

import org.ovaflow.publish.signing.SigningKey;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * {@code ovaflow.signing.*}: the key that signs the catalog's index and feeds. {@code ovaflow.signing.key} names an
 * armored secret key; without it {@code run} makes one up at first start and keeps it under
 * {@code <data-dir>/signing/}. Its passphrase comes from the file {@code ovaflow.signing.passphrase-file} or the
 * environment variable {@value #PASSPHRASE_ENV}, never from the command line.
 */
public final class CatalogSigning {

    public static final String KEY = "ovaflow.signing.key";
    public static final String PASSPHRASE_FILE = "ovaflow.signing.passphrase-file";
    public static final String PASSPHRASE_ENV = "OVAFLOW_SIGNING_PASSPHRASE";
    /** Under the data dir: where a made-up key is kept. */
    public static final String FOLDER = "signing";

    /** Longer than any passphrase; a larger file is the wrong file. */
    private static final long MAX_PASSPHRASE_FILE_BYTES = 4096;

    /** The key of a {@code run} process: the configured one, else the one kept in the data dir (made up now if none). */
    public static SigningKey resolve(Path dataDir, Map<String, String> properties) {
        return resolve(dataDir, properties, System.getenv(PASSPHRASE_ENV));
    }

    static SigningKey resolve(Path dataDir, Map<String, String> properties, String passphraseFromEnvironment) {
        char[] passphrase = passphrase(properties, passphraseFromEnvironment);
        Path configured = ProcessSettings.SIGNING_KEY.from(properties);
        if (configured != null) {
            return SigningKey.configured(configured, passphrase);
        }
        return SigningKey.keptIn(dataDir.resolve(FOLDER), passphrase);
    }

    /**
     * The key of a command that rewrites the index beside a running pipeline ({@code catalog retract}): the
     * configured one, or the one {@code run} keeps in the same data dir; none when neither is there (the index is
     * then written unsigned, and the pipeline signs it again at its next rebuild). Never makes a key up.
     */
    public static Optional<SigningKey> existing(Path dataDir, Map<String, String> properties) {
        if (ProcessSettings.SIGNING_KEY.from(properties) == null
                && !Files.exists(dataDir.resolve(FOLDER).resolve(SigningKey.SECRET_KEY_FILE))) {
            return Optional.empty();
        }
        return Optional.of(resolve(dataDir, properties));
    }

    /** The file's first line (a trailing newline is not part of it), else the environment's, else none. */
    private static char[] passphrase(Map<String, String> properties, String fromEnvironment) {
        Path path = ProcessSettings.SIGNING_PASSPHRASE_FILE.from(properties);
        if (path != null) {
            try {
                if (Files.size(path) > MAX_PASSPHRASE_FILE_BYTES) {
                    throw new IllegalArgumentException(PASSPHRASE_FILE + " " + path + " is larger than "
                            + MAX_PASSPHRASE_FILE_BYTES + " bytes: not a passphrase");
                }
                String content = Files.readString(path, StandardCharsets.UTF_8);
                int end = content.indexOf('\n');
                return (end < 0 ? content : content.substring(0, end)).replaceFirst("\r$", "").toCharArray();
            } catch (IOException e) {
                throw new IllegalArgumentException("cannot read " + PASSPHRASE_FILE + " " + path + ": " + e, e);
            }
        }
        return fromEnvironment == null || fromEnvironment.isEmpty() ? null : fromEnvironment.toCharArray();
    }

    private CatalogSigning() {
    }
}
