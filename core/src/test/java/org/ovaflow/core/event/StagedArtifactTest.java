package org.ovaflow.core.event;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A file carried in an event: its bytes back as they were, checked, through JSON, and dropped once published. */
class StagedArtifactTest {

    private static final byte[] MANIFEST = "SHA256(disk1.img)= 00ff\n".getBytes(StandardCharsets.UTF_8);

    @Test
    void aCarriedFileComesBackThroughJsonAsItsBytes() throws Exception {
        StagedArtifact carried = carried(MANIFEST);

        StagedArtifact read = EventCodec.JSON.readValue(EventCodec.toJson(carried), StagedArtifact.class);

        assertThat(read).isEqualTo(carried);
        assertThat(read.carriesContent()).isTrue();
        assertThat(read.size()).isEqualTo(MANIFEST.length);
        assertThat(read.etag()).isNull();
        assertThat(read.decodedContent()).isEqualTo(MANIFEST);
        // only the record's own fields are written: no derived ones
        assertThat(new String(EventCodec.toJson(carried), StandardCharsets.UTF_8))
                .doesNotContain("carriesContent", "decodedContent");
    }

    @Test
    void bytesOtherThanTheOnesItNamesAreRefused() {
        StagedArtifact named = carried(MANIFEST);
        StagedArtifact other = new StagedArtifact(named.role(), named.name(), named.bucket(), named.key(),
                named.size(), named.sha256(), null, null, null, named.contentType(),
                carried("SHA256(disk1.img)= 11ff\n".getBytes(StandardCharsets.UTF_8)).content());
        StagedArtifact notBase64 = new StagedArtifact(named.role(), named.name(), named.bucket(), named.key(),
                named.size(), named.sha256(), null, null, null, named.contentType(), "not base64!");

        assertThatThrownBy(other::decodedContent).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("widget.mf").hasMessageContaining(named.sha256());
        assertThatThrownBy(notBase64::decodedContent).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("widget.mf is carried in a content that is not base64");
    }

    @Test
    void aStagedFileHasNoContentAndPublicationDropsTheCarriedOnes() {
        StagedArtifact staged = new StagedArtifact("disk", "disk1.img", "ova-staging", "imports/1/disk1.img", 10,
                "ab", null, null, "etag");

        assertThat(staged.carriesContent()).isFalse();
        assertThatThrownBy(staged::decodedContent).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("imports/1/disk1.img");
        assertThat(staged.withoutContent()).isSameAs(staged);
        StagedArtifact published = carried(MANIFEST).withoutContent();
        assertThat(published.carriesContent()).isFalse();
        assertThat(published.contentType()).isNull();
        assertThat(published.sha256()).isEqualTo(carried(MANIFEST).sha256());
    }

    private static StagedArtifact carried(byte[] bytes) {
        return StagedArtifact.carried("manifest", "widget.mf", "ova-staging", "imports/1/widget.mf", sha256(bytes),
                null, null, "text/plain", bytes);
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
