package org.ovaflow.core.event;

import java.util.List;
import java.util.Optional;

/** The files of an OVA in tar order, with their data offsets: the map later stages read the OVA by. */
public record TarIndex(List<TarEntry> entries) {

    public TarIndex {
        entries = List.copyOf(entries);
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
