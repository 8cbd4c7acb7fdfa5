package org.ovaflow.app.http;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The bearer token that mutating HTTP endpoints require: {@code OVAFLOW_API_TOKEN} when set, else made up at
 * first start and kept, owner-readable only, in {@code <data-dir>/api-token}.
 *
 * @param generated whether this call made the token up (so {@code run} prints it, once)
 */
public record ApiToken(String value, boolean generated) {

    public static final String ENV = "OVAFLOW_API_TOKEN";
    public static final String FILE_NAME = "api-token";

    public static ApiToken resolve(Path dataDir) {
        return resolve(dataDir, System.getenv(ENV));
    }

    static ApiToken resolve(Path dataDir, String configured) {
        if (configured != null && !configured.isBlank()) {
            return new ApiToken(configured.strip(), false);
        }
        Path file = dataDir.resolve(FILE_NAME);
        try {
            Files.createDirectories(dataDir);
            if (Files.isRegularFile(file)) {
                return new ApiToken(Files.readString(file, StandardCharsets.UTF_8).strip(), false);
            }
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            String token = Base64.getUrlEncoder().withoutPadding().encodeToString(random);
            // created with its permissions, so the token is never readable by others, not even for a moment
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, token + "\n", StandardCharsets.UTF_8);
            return new ApiToken(token, true);
        } catch (FileAlreadyExistsException e) {
            return resolve(dataDir, null); // another process of this data dir made it meanwhile
        } catch (IOException e) {
            throw new UncheckedIOException("cannot keep the API token in " + file, e);
        }
    }

    /** Whether an {@code Authorization} header carries this token; compares in constant time. */
    public boolean authorizes(String authorizationHeader) {
        if (authorizationHeader == null || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        // digests first: MessageDigest.isEqual is constant-time only for inputs of equal length
        return MessageDigest.isEqual(sha256(authorizationHeader.substring(7).strip()), sha256(value));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** Never the token itself: records end up in logs and exception messages. */
    @Override
    public String toString() {
        return "ApiToken[" + (generated ? "generated" : "configured") + "]";
    }
}
