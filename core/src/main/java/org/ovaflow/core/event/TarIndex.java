package org.ovaflow.core.event;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * The files of an OVA in tar order, with their data offsets: the map later stages read the OVA by.
 *
 * @param sha256            the digest of the whole OVA object, computed in the same pass (the catalog keeps the OVA)
 * @param descriptorContent the descriptor's bytes, base64, when the checksum stage carried them (at most
 *                          {@link StagedArtifact#CARRIED_MAX} bytes): the schema and transcode stages read them
 *                          from the event instead of a ranged GET of the OVA each; null when it did not
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TarIndex(List<TarEntry> entries, String sha256, String descriptorContent) {

    public TarIndex {
        entries = List.copyOf(entries);
    }

    public TarIndex(List<TarEntry> entries) {
        this(entries, null, null);
    }

    public TarIndex(List<TarEntry> entries, String sha256) {
        this(entries, sha256, null);
    }

    public Optional<TarEntry> find(String name) {
        return entries.stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** The OVF descriptor: by the standard, the first entry of the archive. */
    public Optional<TarEntry> descriptor() {
        return entries.isEmpty() || !entries.get(0).name().toLowerCase().endsWith(".ovf")
                ? Optional.empty() : Optional.of(entries.get(0));
    }

    public Optional<TarEntry> manifest() {
        return entries.stream().filter(e -> e.name().toLowerCase().endsWith(".mf")).findFirst();
    }

    /** This index carrying the descriptor's {@code bytes}; as it is when they are too many to carry or null. */
    public TarIndex withDescriptor(byte[] bytes) {
        return bytes == null || bytes.length > StagedArtifact.CARRIED_MAX ? this
                : new TarIndex(entries, sha256, Base64.getEncoder().encodeToString(bytes));
    }

    /** This index without the descriptor's bytes, once no later stage needs them. */
    public TarIndex withoutDescriptor() {
        return descriptorContent == null ? this : new TarIndex(entries, sha256);
    }

    /**
     * The descriptor's bytes the index carries, checked against the size and sha256 its entry names; empty when it
     * carries none.
     *
     * @throws PoisonEventException when they are not base64, or not the descriptor's bytes: the event is not what
     *                              the checksum stage wrote
     */
    @JsonIgnore
    public Optional<byte[]> carriedDescriptor() {
        if (descriptorContent == null) {
            return Optional.empty();
        }
        TarEntry entry = descriptor().orElseThrow(() ->
                new PoisonEventException("the tar index carries a descriptor but names none"));
        try {
            return Optional.of(CarriedBytes.decode(entry.name(), descriptorContent, entry.size(), entry.sha256()));
        } catch (IllegalArgumentException e) {
            throw new PoisonEventException(e.getMessage(), e);
        }
    }
}
