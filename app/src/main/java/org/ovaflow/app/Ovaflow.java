package org.ovaflow.app;

import org.ovaflow.app.cli.CatalogCommand;
import org.ovaflow.app.cli.ConvertCommand;
import org.ovaflow.app.cli.DemoCommand;
import org.ovaflow.app.cli.DlqCommand;
import org.ovaflow.app.cli.ImportCommand;
import org.ovaflow.app.cli.InspectCommand;
import org.ovaflow.app.cli.OnboardCommand;
import org.ovaflow.app.cli.QuarantineCommand;
import org.ovaflow.app.cli.RunCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The ovaflow launcher. Exit codes everywhere: 0 success, 1 the input was rejected or an import failed,
 * 2 usage or configuration error.
 */
@Command(name = "ovaflow", mixinStandardHelpOptions = true, versionProvider = Ovaflow.Version.class,
        description = "Imports OVF/OVA virtual appliances into an object-storage catalog, over Kafka.")
public final class Ovaflow {

    public static final int OK = 0;
    public static final int REJECTED = 1;
    public static final int USAGE = 2;

    /** The commands, in the order help lists them; each is a picocli model built by reflection when added. */
    private static final Map<String, Class<?>> COMMANDS = commands(RunCommand.class, ImportCommand.class,
            OnboardCommand.class, CatalogCommand.class, QuarantineCommand.class, DlqCommand.class,
            ConvertCommand.class, InspectCommand.class, DemoCommand.class);

    public static void main(String[] args) {
        // picocli probes for Groovy closures with Class.forName: a miss opens every jar of the Class-Path (0.1 s)
        System.setProperty("picocli.disable.closures", "true");
        System.exit(commandLine(args).execute(args));
    }

    /** The whole command line, every command with its model. */
    public static CommandLine commandLine() {
        return commandLine(new String[0]);
    }

    /**
     * The command line for {@code args}: when they name a command, only that one's model is built. Building
     * every command's model by reflection is a tenth of a second of every short command's start (convert,
     * inspect), spent on commands it does not run.
     */
    static CommandLine commandLine(String[] args) {
        CommandLine commandLine = new CommandLine(new Ovaflow());
        Class<?> named = args.length > 0 ? COMMANDS.get(args[0]) : null;
        if (named != null) {
            commandLine.addSubcommand(named);
        } else {
            COMMANDS.values().forEach(commandLine::addSubcommand);
            commandLine.addSubcommand(new CommandLine.HelpCommand());
        }
        commandLine.setCaseInsensitiveEnumValuesAllowed(true); // --progress plain, not PLAIN
        // configuration errors (bad --stages, no credentials) are usage errors, not crashes
        commandLine.setExecutionExceptionHandler((e, cmd, parseResult) -> {
            if (e instanceof IllegalArgumentException) {
                cmd.getErr().println("ovaflow: " + e.getMessage());
                return USAGE;
            }
            throw e;
        });
        commandLine.setExitCodeExceptionMapper(e -> USAGE);
        return commandLine;
    }

    private static Map<String, Class<?>> commands(Class<?>... classes) {
        Map<String, Class<?>> byName = new LinkedHashMap<>();
        for (Class<?> command : classes) {
            byName.put(command.getAnnotation(Command.class).name(), command);
        }
        return byName;
    }

    /** The version from the jar's manifest, when run from the built jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Ovaflow.class.getPackage().getImplementationVersion();
            return new String[]{"ovaflow " + (version == null ? "(development build)" : version)};
        }
    }
}
