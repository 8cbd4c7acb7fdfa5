package org.ovaflow.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A file the transcode stage put in the staging bucket for publication: a disk, the descriptor or the
 * manifest, with its size and sha256 as uploaded.
 *
 * @param role   {@code disk}, {@code descriptor} or {@code manifest}
 * @param name   the file name it is published under
 * @param format the disk format URI or short name, for disks
 * @param target the disk format this file belongs to ({@code qcow2}, {@code vhd}, …), published under a folder
 *               of that name; null for the package's original files
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StagedArtifact(String role, String name, String bucket, String key, long size, String sha256,
                             String format, String target) {
}
