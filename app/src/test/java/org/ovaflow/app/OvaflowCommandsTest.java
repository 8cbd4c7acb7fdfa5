package org.ovaflow.app;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;

import static org.assertj.core.api.Assertions.assertThat;

/** The command tree main builds: all of it, or only the command the arguments name. */
class OvaflowCommandsTest {

    @Test
    void withoutACommandNameEveryCommandAndHelpAreThere() {
        assertThat(Ovaflow.commandLine(new String[] {"--help"}).getSubcommands()).containsOnlyKeys("run", "import",
                "onboard", "catalog", "quarantine", "dlq", "convert", "inspect", "demo", "help");
        assertThat(Ovaflow.commandLine().getSubcommands()).hasSize(10);
    }

    @Test
    void aNamedCommandIsBuiltAloneAndStillSpeaksAsOvaflow() {
        CommandLine convert = Ovaflow.commandLine(new String[] {"convert", "--help"});
        StringWriter out = new StringWriter();
        convert.setOut(new PrintWriter(out, true));

        assertThat(convert.getSubcommands()).containsOnlyKeys("convert");
        assertThat(convert.execute("convert", "--help")).isZero();
        assertThat(out.toString()).startsWith("Usage: ovaflow convert");
        // a usage error keeps the launcher's exit code
        CommandLine inspect = Ovaflow.commandLine(new String[] {"inspect"});
        inspect.setErr(new PrintWriter(new StringWriter(), true));
        assertThat(inspect.execute("inspect")).isEqualTo(Ovaflow.USAGE);
    }
}
