package org.ovaflow.app.pipeline;

import org.ovaflow.core.config.SettingsTable;
import org.ovaflow.core.config.SharedSettings;
import org.ovaflow.core.stage.StageModule;

import java.util.stream.Collectors;

/**
 * The part of docs/configuration.md written from the settings' declarations: one table for the process, one for what
 * the stages share, one per stage module. ConfigurationDocTest holds the file to it.
 */
public final class ConfigurationDoc {

    public static final String BEGIN = "<!-- generated from the settings' declarations by ConfigurationDoc: edit "
            + "them, not this table (ConfigurationDocTest rewrites it with -Dovaflow.docs.write=true) -->";
    public static final String END = "<!-- end of the generated tables -->";

    private ConfigurationDoc() {
    }

    /** The tables, between {@link #BEGIN} and {@link #END}. */
    public static String generated(StageModules modules) {
        StringBuilder doc = new StringBuilder(BEGIN).append("\n\n");
        doc.append("### Every process\n\n").append(SettingsTable.markdown(ProcessSettings.all())).append('\n');
        doc.append("### Every stage\n\n").append(SettingsTable.markdown(SharedSettings.all())).append('\n');
        for (StageModule module : modules.modules()) {
            doc.append("### ").append(module.stages().stream().map(stage -> "`" + stage + "`")
                            .collect(Collectors.joining(", "))).append(module.stages().size() > 1 ? " stages" : " stage")
                    .append("\n\n").append(SettingsTable.markdown(module.settings())).append('\n');
        }
        return doc.append(END).toString();
    }

    /** {@code markdown} with its generated part replaced by {@code generated}. */
    public static String replaceGenerated(String markdown, String generated) {
        int begin = markdown.indexOf(BEGIN);
        int end = markdown.indexOf(END);
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("no generated part (" + BEGIN + " … " + END + ")");
        }
        return markdown.substring(0, begin) + generated + markdown.substring(end + END.length());
    }
}
