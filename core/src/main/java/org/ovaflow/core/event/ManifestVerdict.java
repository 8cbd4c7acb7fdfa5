package org.ovaflow.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * What the checksum stage found of the manifest: whether the OVA had one, for each file it lists the algorithm
 * and digest that was verified, and who signed it when a signature verified (null otherwise).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ManifestVerdict(String manifestFile, Map<String, VerifiedDigest> verified, VerifiedSigner signer) {

    public ManifestVerdict {
        verified = verified == null ? Map.of() : Map.copyOf(verified);
    }

    /** The verdict on an unsigned manifest (or one whose signature did not verify). */
    public ManifestVerdict(String manifestFile, Map<String, VerifiedDigest> verified) {
        this(manifestFile, verified, null);
    }

    /** This verdict with the manifest's verified signer. */
    public ManifestVerdict withSigner(VerifiedSigner verifiedSigner) {
        return new ManifestVerdict(manifestFile, verified, verifiedSigner);
    }

    public boolean present() {
        return manifestFile != null;
    }

    /** A digest the manifest states for a file, recomputed and found equal. */
    public record VerifiedDigest(String algorithm, String digest) {
    }
}
