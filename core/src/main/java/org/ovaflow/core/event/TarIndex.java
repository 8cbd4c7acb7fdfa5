package org.ovaflow.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Optional;

/**
 * The files of an OVA in tar order, with their data offsets: the map later stages read the OVA by.
 *
 * @param sha256 the digest of the whole OVA object, computed in the same pass (the catalog keeps the OVA)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TarIndex(List<TarEntry> entries, String sha256) {

    public TarIndex {
        entries = List.copyOf(entries);
    }

    public TarIndex(List<TarEntry> entries) {
        this(entries, null);
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
}
