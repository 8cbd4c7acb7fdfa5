package org.ovaflow.transform.transcode;

import org.ovaflow.disk.TargetFormat;
import org.ovaflow.transform.profile.PlatformProfile;
import org.ovaflow.transform.profile.ProfileSettings;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What the transcode stage makes of each OVA.
 *
 * @param keepOriginal    whether the package's own files are staged too, unchanged (target {@code original})
 * @param targets         the disk formats every disk is converted to, each published in a folder of its name
 *                        with the vendor's descriptor (its OVF version kept) rewritten for the new files
 * @param profiles        the platforms the package is published for, each in a folder of its name
 * @param roundVhdToMiB   VHD targets round the disk size up to a whole MiB (Azure refuses other sizes)
 * @param maxVirtualSize  disks declaring more are rejected before any data is read
 * @param profileSettings how the profiles are written
 */
public record TranscodeSettings(boolean keepOriginal, List<TargetFormat> targets, List<PlatformProfile> profiles,
                                boolean roundVhdToMiB, long maxVirtualSize, ProfileSettings profileSettings) {

    public static final String ORIGINAL = "original";

    /** The default: the vendor's files as shipped, and a qcow2 of every disk. */
    public static final String DEFAULT_TARGETS = ORIGINAL + ",qcow2";

    public TranscodeSettings {
        targets = List.copyOf(targets);
        profiles = List.copyOf(profiles);
    }

    /**
     * One folder of converted files: a disk format target or a platform profile.
     *
     * @param folder  the folder's name, the target's or profile's id
     * @param format  the disk format its disks are in
     * @param profile the platform, null for a plain disk format target
     */
    public record Output(String folder, TargetFormat format, boolean roundToMiB, PlatformProfile profile) {
    }

    /** The folders of converted files: the targets, then the profiles. */
    public List<Output> outputs() {
        List<Output> outputs = new ArrayList<>();
        targets.forEach(t -> outputs.add(new Output(t.id(), t, roundVhdToMiB, null)));
        profiles.forEach(p -> outputs.add(new Output(p.id(), p.diskFormat(profileSettings),
                p.roundsToMiB() || roundVhdToMiB, p)));
        return outputs;
    }

    /** From {@code ovaflow.transcode.targets}: a comma list of {@code original} and disk format names. */
    public static TranscodeSettings parse(String targets, boolean roundVhdToMiB, long maxVirtualSize) {
        return parse(targets, roundVhdToMiB, maxVirtualSize, ProfileSettings.DEFAULTS);
    }

    /**
     * From {@code ovaflow.transcode.targets}: a comma list of {@code original}, disk format names ({@code qcow2},
     * {@code vhd}, …) and platform profile names ({@code vmware}, {@code openstack}, …).
     */
    public static TranscodeSettings parse(String targets, boolean roundVhdToMiB, long maxVirtualSize,
                                          ProfileSettings profileSettings) {
        boolean original = false;
        List<TargetFormat> formats = new ArrayList<>();
        List<PlatformProfile> profiles = new ArrayList<>();
        for (String name : Arrays.stream(targets.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList()) {
            Optional<PlatformProfile> profile = PlatformProfile.find(name);
            if (name.equalsIgnoreCase(ORIGINAL)) {
                original = true;
            } else if (profile.isPresent()) {
                if (!profiles.contains(profile.get())) {
                    profiles.add(profile.get());
                }
            } else if (Arrays.stream(TargetFormat.values()).noneMatch(t -> t.id().equalsIgnoreCase(name))) {
                throw new IllegalArgumentException("ovaflow.transcode.targets: unknown target '" + name + "', known: "
                        + ORIGINAL + ", " + Arrays.stream(TargetFormat.values()).map(TargetFormat::id)
                        .collect(Collectors.joining(", ")) + ", " + Arrays.stream(PlatformProfile.values())
                        .map(PlatformProfile::id).collect(Collectors.joining(", ")));
            } else if (!formats.contains(TargetFormat.of(name))) {
                formats.add(TargetFormat.of(name));
            }
        }
        if (!original && formats.isEmpty() && profiles.isEmpty()) {
            throw new IllegalArgumentException("ovaflow.transcode.targets names nothing to publish: '" + targets + "'");
        }
        return new TranscodeSettings(original, formats, profiles, roundVhdToMiB, maxVirtualSize, profileSettings);
    }
}
