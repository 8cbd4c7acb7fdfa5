package org.ovaflow.validate.checksum;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ManifestTest {

    @Test
    void readsTheSpellingsToolsWrite() {
        String sha1 = "a".repeat(40);
        String sha256 = "B".repeat(64);
        Manifest manifest = Manifest.parse("app.mf", "SHA1(app.ovf)= " + sha1 + "\r\n"
                + "SHA256 (disk1.vmdk) = " + sha256 + "\n\n");

        assertThat(manifest.errors()).isEmpty();
        assertThat(manifest.lines()).containsExactly(
                new Manifest.Line(1, "SHA1", "app.ovf", sha1),
                new Manifest.Line(2, "SHA256", "disk1.vmdk", "b".repeat(64)));
        assertThat(manifest.algorithms()).containsExactly("SHA1", "SHA256");
        // reported, so an operator sees which tool's manifest was accepted
        assertThat(manifest.spellings()).containsExactly(Manifest.CRLF, Manifest.COMPACT, Manifest.SPACED,
                Manifest.UPPER_CASE_HEX);
        assertThat(Manifest.parse("app.mf", "SHA256(app.ovf)= " + "c".repeat(64) + "\n").spellings())
                .containsExactly(Manifest.COMPACT);
    }

    @Test
    void namesEveryBadLine() {
        Manifest manifest = Manifest.parse("app.mf", "MD5(app.ovf)= " + "a".repeat(32) + "\n"
                + "SHA256(disk1.vmdk)= abc\n"
                + "garbage\n");
        assertThat(manifest.lines()).isEmpty();
        assertThat(manifest.errors()).hasSize(3);
        assertThat(manifest.errors().get(0)).contains("line 1", "MD5");
        assertThat(manifest.errors().get(1)).contains("line 2", "64 hex digits");
        assertThat(manifest.errors().get(2)).contains("line 3", "garbage");
    }

    @Test
    void fileNamesWithSpacesAndParenthesesSurvive() {
        Manifest manifest = Manifest.parse("x.mf", "SHA256(disk (1).vmdk)= " + "0".repeat(64));
        assertThat(manifest.lines()).extracting(Manifest.Line::file).containsExactly("disk (1).vmdk");
    }
}
