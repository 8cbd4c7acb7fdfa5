package org.ovaflow.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One file of the OVA tar: its name, where its data starts in the OVA object and how long it is,
 * so later stages read it with one ranged GET instead of walking the tar again.
 *
 * @param image what the file's header says it is (format, virtual size); null for the descriptor, manifest
 *              and certificate, which are not probed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TarEntry(String name, long offset, long size, String sha256, DiskImage image) {

    /** An entry whose header was not probed. */
    public TarEntry(String name, long offset, long size, String sha256) {
        this(name, offset, size, sha256, null);
    }
}
