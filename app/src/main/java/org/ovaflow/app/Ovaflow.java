package org.ovaflow.app;

import org.ovaflow.app.cli.CatalogCommand;
import org.ovaflow.app.cli.ConvertCommand;
import org.ovaflow.app.cli.DemoCommand;
import org.ovaflow.app.cli.InspectCommand;
import org.ovaflow.app.cli.DlqCommand;
import org.ovaflow.app.cli.ImportCommand;
import org.ovaflow.app.cli.OnboardCommand;
import org.ovaflow.app.cli.QuarantineCommand;
import org.ovaflow.app.cli.RunCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The ovaflow launcher. Exit codes everywhere: 0 success, 1 the input was rejected or an import failed,
 * 2 usage or configuration error.
 */
@Command(name = "ovaflow", mixinStandardHelpOptions = true, versionProvider = Ovaflow.Version.class,
        description = "Imports OVF/OVA virtual appliances into an object-storage catalog, over Kafka.",
        subcommands = {RunCommand.class, ImportCommand.class, OnboardCommand.class, CatalogCommand.class,
                QuarantineCommand.class, DlqCommand.class, ConvertCommand.class, InspectCommand.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Ovaflow {

    public static final int OK = 0;
    public static final int REJECTED = 1;
    public static final int USAGE = 2;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    public static CommandLine commandLine() {
        CommandLine commandLine = new CommandLine(new Ovaflow());
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

    /** The version from the jar's manifest, when run from the built jar. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Ovaflow.class.getPackage().getImplementationVersion();
            return new String[]{"ovaflow " + (version == null ? "(development build)" : version)};
        }
    }
}
