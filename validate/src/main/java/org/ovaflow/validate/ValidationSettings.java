package org.ovaflow.validate;

import java.nio.file.Path;
import java.util.Locale;

/**
 * The operator's policies for the checksum and schema stages (and {@code ovaflow inspect}), from
 * {@code ovaflow.validate.*}.
 *
 * @param manifest     what a package without a .mf manifest gets
 * @param signature    what is done with a .cert signature
 * @param trustStore   the certificates a signature must chain to: a folder of PEM files or a PKCS12 file; null
 *                     trusts nothing, so every signature is untrusted
 * @param trustStorePassword the PKCS12 password, null for none or a PEM folder
 * @param maxCapacity  the largest disk capacity a descriptor may declare, in bytes (capacity bombs)
 * @param remoteHrefs  whether References may name files outside the package (http:, file:, …)
 */
public record ValidationSettings(ManifestPolicy manifest, SignaturePolicy signature, Path trustStore,
                                 char[] trustStorePassword, long maxCapacity, RemoteHrefPolicy remoteHrefs) {

    /** 4 TiB, the largest disk the transcode stage converts by default. */
    public static final long DEFAULT_MAX_CAPACITY = 4L << 40;

    public static final ValidationSettings DEFAULTS = new ValidationSettings(ManifestPolicy.OPTIONAL,
            SignaturePolicy.VERIFY_IF_PRESENT, null, null, DEFAULT_MAX_CAPACITY, RemoteHrefPolicy.REFUSE);

    /** A package without a manifest is accepted with a warning ({@code optional}) or rejected ({@code require}). */
    public enum ManifestPolicy { OPTIONAL, REQUIRE }

    /**
     * {@code require}: an unsigned package is rejected; {@code verify-if-present}: a signature that is there must
     * verify; {@code ignore}: signatures are not looked at.
     */
    public enum SignaturePolicy { REQUIRE, VERIFY_IF_PRESENT, IGNORE }

    /** {@code refuse}: a remote href rejects the package; {@code allow}: it is a warning (never fetched). */
    public enum RemoteHrefPolicy { REFUSE, ALLOW }

    public ValidationSettings withSignature(SignaturePolicy policy, Path store, char[] password) {
        return new ValidationSettings(manifest, policy, store, password, maxCapacity, remoteHrefs);
    }

    public ValidationSettings withManifest(ManifestPolicy policy) {
        return new ValidationSettings(policy, signature, trustStore, trustStorePassword, maxCapacity, remoteHrefs);
    }

    public ValidationSettings withMaxCapacity(long bytes) {
        return new ValidationSettings(manifest, signature, trustStore, trustStorePassword, bytes, remoteHrefs);
    }

    public ValidationSettings withRemoteHrefs(RemoteHrefPolicy policy) {
        return new ValidationSettings(manifest, signature, trustStore, trustStorePassword, maxCapacity, policy);
    }

    /** A policy by its configuration spelling: {@code verify-if-present} is {@code VERIFY_IF_PRESENT}. */
    public static <E extends Enum<E>> E policy(Class<E> type, String key, String value) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            StringBuilder known = new StringBuilder();
            for (E constant : type.getEnumConstants()) {
                known.append(known.isEmpty() ? "" : ", ").append(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'));
            }
            throw new IllegalArgumentException(key + " is '" + value + "', expected one of " + known, e);
        }
    }
}
