package org.ovaflow.core.event;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ImportIdTest {

    @Test
    void theSameObjectContentIsTheSameImportWhateverTheEtagQuoting() {
        String a = ImportId.of(new ObjectRef("ova-incoming", "vendor/app.ova", "\"9b2cf535f27731c974343645a3985328\"", 10, null));
        String b = ImportId.of(new ObjectRef("ova-incoming", "vendor/app.ova", "9B2CF535F27731C974343645A3985328", 10, null));
        assertThat(a).isEqualTo(b).hasSize(24).matches("[0-9a-f]+");
    }

    @Test
    void newContentBucketOrKeyIsANewImport() {
        ObjectRef ref = new ObjectRef("ova-incoming", "app.ova", "etag1", 10, null);
        String id = ImportId.of(ref);
        assertThat(ImportId.of(new ObjectRef("ova-incoming", "app.ova", "etag2", 10, null))).isNotEqualTo(id);
        assertThat(ImportId.of(new ObjectRef("other", "app.ova", "etag1", 10, null))).isNotEqualTo(id);
        assertThat(ImportId.of(new ObjectRef("ova-incoming", "app2.ova", "etag1", 10, null))).isNotEqualTo(id);
        // no split of bucket and key collides with another
        assertThat(ImportId.of(new ObjectRef("a", "bc", "e", 1, null)))
                .isNotEqualTo(ImportId.of(new ObjectRef("ab", "c", "e", 1, null)));
    }

    @Test
    void aScanWithoutVersionsAndANotificationWithOneNameTheSameImport() {
        String scanned = ImportId.of(new ObjectRef("b", "k", "\"abc\"", 1, null));
        String notified = ImportId.of(new ObjectRef("b", "k", "abc", 1, "3f1e-version"));
        assertThat(scanned).isEqualTo(notified);
    }

    @Test
    void theVersionIdServesWhenThereIsNoEtag() {
        String v1 = ImportId.of(new ObjectRef("b", "k", null, 1, "v1"));
        String v2 = ImportId.of(new ObjectRef("b", "k", "", 1, "v2"));
        assertThat(v1).isNotEqualTo(v2);
    }

    @Test
    void anObjectWithoutEtagOrVersionHasNoImportId() {
        assertThatThrownBy(() -> ImportId.of(new ObjectRef("b", "k", null, 1, null)))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
