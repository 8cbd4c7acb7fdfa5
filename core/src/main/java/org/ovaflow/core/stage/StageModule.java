package org.ovaflow.core.stage;

import org.apache.camel.RoutesBuilder;
import org.ovaflow.core.config.Setting;

import java.util.List;

/**
 * What a stage module (ingest, validate, transform, publish) gives the process that runs it: the stages it provides,
 * the settings it reads, and the routes of each of its stages. Found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/org.ovaflow.core.stage.StageModule} in the module's jar), so that the process knows no
 * stage's inside.
 */
public interface StageModule {

    /** The stages it provides, by the names {@code --stages} gives them ({@code checksum}, {@code schema}). */
    List<String> stages();

    /** Every configuration key its stages read, declared once here; docs/configuration.md is written from them. */
    List<Setting<?>> settings();

    /** The routes of {@code stage}, one of {@link #stages()}, over what the process shares with its stages. */
    RoutesBuilder routes(String stage, StageContext context);
}
