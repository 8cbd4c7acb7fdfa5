package org.ovaflow.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One file of the OVA tar: its name, where its data starts in the OVA object and how long it is,
 * so later stages read it with one ranged GET instead of walking the tar again.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TarEntry(String name, long offset, long size, String sha256) {
}
