package org.ovaflow.app.pipeline;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/** The stages a process can run ({@code --stages}); each is its own Kafka consumer group. */
public enum Stage {
    INGEST, CHECKSUM, SCHEMA, TRANSCODE, PUBLISH, QUARANTINE;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Parses {@code --stages}: a comma-separated list of stage names, {@code all}, or {@code none} (only the
     * embedded servers, so that stage processes can come and go around them).
     */
    public static Set<Stage> parse(String list) {
        String trimmed = list == null ? "all" : list.trim().toLowerCase(Locale.ROOT);
        if (trimmed.equals("all") || trimmed.isEmpty()) {
            return EnumSet.allOf(Stage.class);
        }
        if (trimmed.equals("none")) {
            return EnumSet.noneOf(Stage.class);
        }
        Set<Stage> stages = EnumSet.noneOf(Stage.class);
        for (String name : trimmed.split("\\s*,\\s*")) {
            stages.add(Arrays.stream(values()).filter(s -> s.id().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("unknown stage '" + name + "', expected one of "
                            + Arrays.stream(values()).map(Stage::id).collect(Collectors.joining(", "))
                            + ", all or none")));
        }
        return stages;
    }
}
