package org.ovaflow.core.config;

import java.util.List;

/** Declared settings as a Markdown table: key, default, meaning (the tables of docs/configuration.md). */
public final class SettingsTable {

    private SettingsTable() {
    }

    public static String markdown(List<? extends Setting<?>> settings) {
        StringBuilder table = new StringBuilder("| property | default | meaning |\n|---|---|---|\n");
        for (Setting<?> setting : settings) {
            table.append("| `").append(setting.key()).append("` | ").append(cell(setting.documentedDefault()))
                    .append(" | ").append(cell(setting.doc())).append(" |\n");
        }
        return table.toString();
    }

    /** A pipe would end the cell; a line break the row. */
    private static String cell(String markdown) {
        return markdown.replace("|", "\\|").replace('\n', ' ');
    }
}
