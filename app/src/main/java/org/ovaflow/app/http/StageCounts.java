package org.ovaflow.app.http;

import org.ovaflow.app.pipeline.ImportStatuses;
import org.ovaflow.app.pipeline.Stage;
import org.ovaflow.core.event.StatusEvent;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What {@code /api/stages} shows: how many imports stand at each stage, by the state that stage left them in.
 * Counted from the latest status of every import (the ova.status topic), so it covers the stages of every
 * process of the pipeline, not only this one's, and survives restarts.
 */
final class StageCounts {

    private StageCounts() {
    }

    /** One row per stage in pipeline order, then any stage name this version does not know. */
    static List<Map<String, Object>> of(ImportStatuses statuses) {
        Map<String, Map<String, Integer>> byStage = new TreeMap<>();
        for (StatusEvent status : statuses.recent(Integer.MAX_VALUE)) {
            String stage = status.stage() == null ? "unknown" : status.stage();
            String state = status.state() == null ? "UNKNOWN" : status.state().name();
            byStage.computeIfAbsent(stage, s -> new TreeMap<>()).merge(state, 1, Integer::sum);
        }
        List<Map<String, Object>> rows = new ArrayList<>();
        Map<Stage, Map<String, Integer>> known = new EnumMap<>(Stage.class);
        for (Stage stage : Stage.values()) {
            known.put(stage, byStage.remove(stage.id()));
        }
        known.forEach((stage, counts) -> rows.add(row(stage.id(), counts)));
        byStage.forEach((stage, counts) -> rows.add(row(stage, counts)));
        return rows;
    }

    private static Map<String, Object> row(String stage, Map<String, Integer> counts) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("stage", stage);
        row.put("counts", counts == null ? Map.of() : counts);
        row.put("total", counts == null ? 0 : counts.values().stream().mapToInt(Integer::intValue).sum());
        return row;
    }
}
