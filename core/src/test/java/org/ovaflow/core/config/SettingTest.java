package org.ovaflow.core.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingTest {

    enum Policy { VERIFY_IF_PRESENT, REQUIRE }

    private static final Setting<Integer> COUNT = Setting.ofInt("ovaflow.test.count", 3, 1, 10, "a count");

    @Test
    void aKeyNotGivenOrEmptyHasItsDefault() {
        assertThat(COUNT.from(Map.of())).isEqualTo(3);
        assertThat(COUNT.from(Map.of("ovaflow.test.count", " "))).isEqualTo(3);
        assertThat(COUNT.from(Map.of("ovaflow.test.count", " 7 "))).isEqualTo(7);
        assertThat(Setting.ofPath("ovaflow.test.path", "a path").from(Map.of())).isNull();
        assertThat(Setting.ofPath("ovaflow.test.path", "a path").from(Map.of("ovaflow.test.path", " /etc/x ")))
                .isEqualTo(Path.of("/etc/x"));
    }

    @Test
    void aBadValueIsRefusedWithItsKeyAndValue() {
        assertThatThrownBy(() -> COUNT.from(Map.of("ovaflow.test.count", "many")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("ovaflow.test.count is 'many': not a whole number");
        assertThatThrownBy(() -> COUNT.from(Map.of("ovaflow.test.count", "11")))
                .hasMessage("ovaflow.test.count is '11': expected 1 to 10");
        Setting<Boolean> flag = Setting.ofBoolean("ovaflow.test.flag", true, "a flag");
        assertThat(flag.from(Map.of("ovaflow.test.flag", "FALSE"))).isFalse();
        assertThatThrownBy(() -> flag.from(Map.of("ovaflow.test.flag", "yes")))
                .hasMessage("ovaflow.test.flag is 'yes': expected true or false");
    }

    @Test
    void enumsAreSpelledInLowerCaseWithDashes() {
        Setting<Policy> policy = Setting.ofEnum("ovaflow.test.policy", Policy.class, Policy.VERIFY_IF_PRESENT, "p");
        assertThat(policy.defaultValue()).isEqualTo("verify-if-present");
        assertThat(policy.from(Map.of("ovaflow.test.policy", " Require "))).isEqualTo(Policy.REQUIRE);
        assertThatThrownBy(() -> policy.from(Map.of("ovaflow.test.policy", "verify_if_present")))
                .hasMessage("ovaflow.test.policy is 'verify_if_present': expected one of verify-if-present, require");
    }

    @Test
    void listsDropEmptyItems() {
        Setting<List<String>> list = Setting.ofList("ovaflow.test.list", "a, b", "a list");
        assertThat(list.from(Map.of())).containsExactly("a", "b");
        assertThat(list.from(Map.of("ovaflow.test.list", ".ova, ,.ovf,"))).containsExactly(".ova", ".ovf");
    }

    @Test
    void aCheckAddsItsReasonAndAReasonNamingTheKeyIsNotRepeated() {
        Setting<String> family = Setting.ofText("ovaflow.test.family", "vmx-10", "f").checkedBy(value -> {
            if (!value.startsWith("vmx-")) {
                throw new IllegalArgumentException("ovaflow.test.family: not vmx-NN");
            }
        });
        assertThatThrownBy(() -> family.from(Map.of("ovaflow.test.family", "esx")))
                .hasMessage("ovaflow.test.family is 'esx': not vmx-NN");
    }

    @Test
    void aDefaultItsOwnParserRefusesIsABugOfTheDeclaration() {
        assertThatThrownBy(() -> Setting.ofText("ovaflow.test.x", "bad", "x").checkedBy(value -> {
            throw new IllegalArgumentException("never");
        })).hasMessage("ovaflow.test.x is 'bad': never");
        assertThatThrownBy(() -> Setting.ofText("other.key", null, "x")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theEnvironmentStandsInForAKeyNotGivenAndASecretIsNeverRepeated() {
        Setting<Integer> pin = Setting.ofInt("ovaflow.test.pin", 0, 9999, "a pin").orEnvironment("TEST_PIN").secret();
        Map<String, String> environment = Map.of("TEST_PIN", "1234");
        assertThat(pin.from(Map.of(), environment::get)).isEqualTo(1234);
        assertThat(pin.from(Map.of("ovaflow.test.pin", "42"), environment::get)).isEqualTo(42);
        assertThat(pin.from(Map.of(), name -> null)).isNull();
        assertThat(pin.documentedDefault()).isEqualTo("(none; `TEST_PIN`)");
        assertThatThrownBy(() -> pin.from(Map.of("ovaflow.test.pin", "secret-ish")))
                .hasMessage("ovaflow.test.pin is (hidden): not a whole number")
                .hasMessageNotContaining("secret-ish");
    }

    @Test
    void aTemplateCoversEveryKeyOfItsShape() {
        Setting<Integer> consumers = Setting.ofInt("ovaflow.stage.<stage>.consumers", 1, 1, 100, "consumers");
        assertThat(consumers.isTemplate()).isTrue();
        assertThat(consumers.covers("ovaflow.stage.publish.consumers")).isTrue();
        assertThat(consumers.covers("ovaflow.stage.consumers")).isFalse();
        assertThat(consumers.covers("ovaflow.stage.publish.batch-size")).isFalse();
        assertThat(consumers.at("publish").key()).isEqualTo("ovaflow.stage.publish.consumers");
        assertThat(consumers.forKey("ovaflow.stage.checksum.consumers").from(Map.of("ovaflow.stage.checksum.consumers",
                "4"))).isEqualTo(4);
        assertThatThrownBy(() -> consumers.from(Map.of())).isInstanceOf(IllegalStateException.class);
        // topic names hold dots
        Setting<Integer> partitions = Setting.ofInt("ovaflow.kafka.partitions.<topic>", 1, 100, "partitions");
        assertThat(partitions.covers("ovaflow.kafka.partitions.ova.validated")).isTrue();
        assertThat(partitions.at("ova.validated").from(Map.of())).isNull();
    }

    @Test
    void sizesAreDocumentedInBinaryUnits() {
        assertThat(Setting.ofBytes("ovaflow.test.size", 4L << 40, 1, Long.MAX_VALUE, "s").documentedDefault())
                .isEqualTo("`4398046511104` (4 TiB)");
        assertThat(Setting.ofBytes("ovaflow.test.size", 1000, 1, Long.MAX_VALUE, "s").documentedDefault())
                .isEqualTo("`1000`");
        assertThat(COUNT.documentedDefault()).isEqualTo("`3`");
        assertThat(Setting.ofText("ovaflow.test.t", null, "t").documentedDefault()).isEqualTo("(none)");
    }

    @Test
    void aRoutesPlaceholderCarriesItsDeclaredDefault() {
        // Camel then finds every default without the process handing them over: one place for each
        assertThat(SharedSettings.STAGE_BATCH_WAIT_MS.at("publish").placeholder())
                .isEqualTo("{{ovaflow.stage.publish.batch-wait-ms:200}}");
        assertThat(SharedSettings.RETRY_ATTEMPTS.placeholder()).isEqualTo("{{ovaflow.retry.attempts:8}}");
        assertThat(Setting.ofText("ovaflow.no-default", null, "doc").placeholder()).isEqualTo("{{ovaflow.no-default}}");
        assertThatThrownBy(SharedSettings.STAGE_CONSUMERS::placeholder).isInstanceOf(IllegalStateException.class);
    }
}
