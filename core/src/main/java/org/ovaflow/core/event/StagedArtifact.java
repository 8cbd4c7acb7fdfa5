package org.ovaflow.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A file the transcode stage put in the staging bucket for publication: a disk, the descriptor or the
 * manifest, with its size and sha256 as uploaded.
 *
 * @param role   {@code disk}, {@code descriptor}, {@code manifest}, {@code certificate}, {@code file} (another file of
 *               the package) or {@code platform} (a platform profile's file beside the package: Glance, EC2)
 * @param name   the file name it is published under
 * @param format the disk format URI or short name, for disks
 * @param target the disk format or platform profile this file belongs to ({@code qcow2}, {@code vhd}, {@code vmware},
 *               …), published under a folder of that name; null for the package's original files
 * @param etag   the staged object's etag as the store answered its upload: publish copies exactly that object (and
 *               spares a HEAD of it); null in events from before it was recorded
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StagedArtifact(String role, String name, String bucket, String key, long size, String sha256,
                             String format, String target, String etag) {
}
