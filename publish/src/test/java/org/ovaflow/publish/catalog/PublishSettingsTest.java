package org.ovaflow.publish.catalog;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code ovaflow.publish.on-conflict} and {@code ovaflow.publish.keep-ova} as given to {@code run}. */
class PublishSettingsTest {

    @Test
    void readsThePolicyAndWhetherToKeepTheOva() {
        assertThat(PublishSettings.parse("reject", "true")).isEqualTo(PublishSettings.DEFAULTS);
        assertThat(PublishSettings.parse(" Replace ", "FALSE"))
                .isEqualTo(new PublishSettings(PublishSettings.OnConflict.REPLACE, false));
    }

    @Test
    void refusesAnythingElseNamingTheKey() {
        assertThatThrownBy(() -> PublishSettings.parse("overwrite", "true"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ovaflow.publish.on-conflict");
        assertThatThrownBy(() -> PublishSettings.parse("reject", "yes"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ovaflow.publish.keep-ova");
    }
}
