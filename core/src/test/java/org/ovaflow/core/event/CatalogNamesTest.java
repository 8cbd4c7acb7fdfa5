package org.ovaflow.core.event;

import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** The kept OVA is named alike by the transcode stage, which copies it, and by publish, which may copy it instead. */
class CatalogNamesTest {

    @Test
    void theKeptOvaIsNamedAfterTheDroppedFileAsASlug() {
        assertThat(CatalogNames.keptOva(dropped("vendors/Widget Server 2.4.ova"), name -> false))
                .isEqualTo("widget-server-2.4.ova");
        assertThat(CatalogNames.keptOva(dropped("Café.ova.gz"), name -> false)).isEqualTo("cafe.ova");
        // a name that slugs to nothing
        assertThat(CatalogNames.keptOva(dropped("ウィジェット.ova"), name -> false)).isEqualTo("appliance.ova");
    }

    @Test
    void aFileOfThePackageOfTheSameNameMakesItOriginal() {
        assertThat(CatalogNames.keptOva(dropped("widget.ova"), "WIDGET.OVA"::equalsIgnoreCase))
                .isEqualTo("original-widget.ova");
    }

    private static ImportEvent dropped(String key) {
        return ImportEvent.arrived(new ObjectRef("ova-incoming", key, "abc", 10, null), "scan",
                Instant.parse("2026-12-08T10:00:00Z"));
    }
}
