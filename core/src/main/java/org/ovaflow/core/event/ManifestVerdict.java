package org.ovaflow.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * What the checksum stage found of the manifest: whether the OVA had one, and for each file it lists
 * the algorithm and digest that was verified.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record ManifestVerdict(String manifestFile, Map<String, VerifiedDigest> verified) {

    public ManifestVerdict {
        verified = verified == null ? Map.of() : Map.copyOf(verified);
    }

    public boolean present() {
        return manifestFile != null;
    }

    /** A digest the manifest states for a file, recomputed and found equal. */
    public record VerifiedDigest(String algorithm, String digest) {
    }
}
