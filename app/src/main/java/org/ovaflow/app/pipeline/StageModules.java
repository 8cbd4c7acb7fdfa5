package org.ovaflow.app.pipeline;

import org.ovaflow.core.config.Setting;
import org.ovaflow.core.config.Settings;
import org.ovaflow.core.config.SharedSettings;
import org.ovaflow.core.stage.StageModule;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.Set;

/**
 * The stage modules on the class path ({@link ServiceLoader}), by the stages they provide, and every setting
 * declared: the process's own, the ones its stages share, and each module's.
 */
public final class StageModules {

    private static final Logger LOG = LoggerFactory.getLogger(StageModules.class);

    private final Map<String, StageModule> byStage;

    private StageModules(Map<String, StageModule> byStage) {
        this.byStage = byStage;
    }

    /** The modules the class path holds; two providing one stage are refused. */
    public static StageModules load() {
        Map<String, StageModule> byStage = new LinkedHashMap<>();
        for (StageModule module : ServiceLoader.load(StageModule.class, StageModules.class.getClassLoader())) {
            for (String stage : module.stages()) {
                StageModule earlier = byStage.putIfAbsent(stage, module);
                if (earlier != null) {
                    throw new IllegalStateException("stage " + stage + " is provided twice: by "
                            + earlier.getClass().getName() + " and by " + module.getClass().getName());
                }
            }
        }
        return new StageModules(byStage);
    }

    /** The module of {@code stage}; a stage no module on the class path provides is an error naming it. */
    public StageModule of(Stage stage) {
        StageModule module = byStage.get(stage.id());
        if (module == null) {
            throw new IllegalStateException("no module on the class path provides the stage " + stage.id()
                    + " (its jar declares it in META-INF/services/" + StageModule.class.getName() + ")");
        }
        return module;
    }

    /** Every module, each once, in pipeline order (of their first stage); then any providing stages unknown here. */
    public List<StageModule> modules() {
        List<StageModule> modules = new ArrayList<>();
        for (Stage stage : Stage.values()) {
            StageModule module = byStage.get(stage.id());
            if (module != null && !modules.contains(module)) {
                modules.add(module);
            }
        }
        byStage.values().stream().filter(module -> !modules.contains(module)).distinct().forEach(modules::add);
        return modules;
    }

    /** The settings a process running {@code stages} reads: its own, the shared ones, and its stages' modules'. */
    public List<Setting<?>> settings(Set<Stage> stages) {
        List<Setting<?>> settings = new ArrayList<>(ProcessSettings.all());
        settings.addAll(SharedSettings.all());
        stages.stream().map(this::of).distinct().forEach(module -> settings.addAll(module.settings()));
        return settings;
    }

    /** Every setting declared: the process's, the shared ones and every module's. */
    public List<Setting<?>> allSettings() {
        List<Setting<?>> settings = new ArrayList<>(ProcessSettings.all());
        settings.addAll(SharedSettings.all());
        modules().forEach(module -> settings.addAll(module.settings()));
        return settings;
    }

    /**
     * Before anything starts: every value given for a setting the process reads is checked (a bad one is an
     * {@link IllegalArgumentException} naming key and value); a key no module declares is logged, since it is
     * most likely misspelt.
     */
    public void check(PipelineSettings pipeline) {
        Settings settings = new Settings(pipeline.properties());
        settings.check(settings(pipeline.stages()));
        for (String key : settings.undeclared(allSettings())) {
            LOG.warn("ignoring {}: no setting of that name (see docs/configuration.md)", key);
        }
    }
}
