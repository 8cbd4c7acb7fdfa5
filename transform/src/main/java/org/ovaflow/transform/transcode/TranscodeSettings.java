package org.ovaflow.transform.transcode;

import org.ovaflow.transform.disk.TargetFormat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * What the transcode stage makes of each OVA.
 *
 * @param keepOriginal   whether the package's own files are staged too, unchanged (target {@code original})
 * @param targets        the disk formats every disk is converted to, each published in a folder of its name
 * @param roundVhdToMiB  VHD targets round the disk size up to a whole MiB (Azure refuses other sizes)
 * @param maxVirtualSize disks declaring more are rejected before any data is read
 */
public record TranscodeSettings(boolean keepOriginal, List<TargetFormat> targets, boolean roundVhdToMiB,
                                long maxVirtualSize) {

    public static final String ORIGINAL = "original";

    public TranscodeSettings {
        targets = List.copyOf(targets);
    }

    /** The default: the vendor's files as shipped, and a qcow2 of every disk. */
    public static final String DEFAULT_TARGETS = ORIGINAL + ",qcow2";

    /** From {@code ovaflow.transcode.targets}: a comma list of {@code original} and disk format names. */
    public static TranscodeSettings parse(String targets, boolean roundVhdToMiB, long maxVirtualSize) {
        boolean original = false;
        List<TargetFormat> formats = new ArrayList<>();
        for (String name : Arrays.stream(targets.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()) {
            if (name.equalsIgnoreCase(ORIGINAL)) {
                original = true;
            } else if (!formats.contains(TargetFormat.of(name))) {
                formats.add(TargetFormat.of(name));
            }
        }
        if (!original && formats.isEmpty()) {
            throw new IllegalArgumentException("ovaflow.transcode.targets names nothing to publish: '" + targets + "'");
        }
        return new TranscodeSettings(original, formats, roundVhdToMiB, maxVirtualSize);
    }
}
