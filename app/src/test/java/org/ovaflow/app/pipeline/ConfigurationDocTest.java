package org.ovaflow.app.pipeline;

import org.junit.jupiter.api.Test;
import org.ovaflow.core.config.Setting;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * docs/configuration.md says what the declarations say: its tables are generated from them. Run with
 * {@code -Dovaflow.docs.write=true} to rewrite the file after changing a declaration.
 */
class ConfigurationDocTest {

    private static final Path DOC = Path.of("..", "docs", "configuration.md");
    private static final Pattern ROW = Pattern.compile("(?m)^\\| `(ovaflow\\.[^`]+)` \\| (.*?) \\| .* \\|$");

    @Test
    void theTablesAreTheDeclarations() throws Exception {
        String markdown = Files.readString(DOC, StandardCharsets.UTF_8);
        String expected = ConfigurationDoc.replaceGenerated(markdown, ConfigurationDoc.generated(StageModules.load()));
        if (Boolean.getBoolean("ovaflow.docs.write") && !expected.equals(markdown)) {
            Files.writeString(DOC, expected, StandardCharsets.UTF_8);
            markdown = expected;
        }
        assertThat(markdown).as("docs/configuration.md is behind the declarations: run ConfigurationDocTest with "
                + "-Dovaflow.docs.write=true").isEqualTo(expected);
    }

    @Test
    void everyDeclaredKeyIsDocumentedWithItsDefault() throws Exception {
        String markdown = Files.readString(DOC, StandardCharsets.UTF_8);
        Matcher row = ROW.matcher(markdown);
        Set<String> documented = new LinkedHashSet<>();
        List<Setting<?>> declared = StageModules.load().allSettings();
        while (row.find()) {
            assertThat(documented.add(row.group(1))).as("documented twice: " + row.group(1)).isTrue();
            Setting<?> setting = declared.stream().filter(s -> s.key().equals(row.group(1))).findFirst()
                    .orElseThrow(() -> new AssertionError("documented but not declared: " + row.group(1)));
            assertThat(row.group(2)).as(setting.key()).isEqualTo(setting.documentedDefault().replace("|", "\\|"));
        }
        assertThat(documented).containsExactlyInAnyOrderElementsOf(declared.stream().map(Setting::key).toList());
    }
}
