package org.ovaflow.core.store;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading the store's answer to a server-side copy. */
class CopyAnswerTest {

    @Test
    void theEtagOfACopyObjectResultUnquoted() {
        assertThat(CopyClient.etag(xml("""
                <?xml version="1.0" encoding="UTF-8"?>
                <CopyObjectResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
                  <LastModified>2026-11-27T15:00:00.000Z</LastModified>
                  <ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag>
                </CopyObjectResult>"""))).isEqualTo("9b2cf535f27731c974343645a3985328");
    }

    @Test
    void anErrorInAnOkAnswerIsAFailure() {
        // S3 answers 200 and an Error document when a copy fails once started
        assertThatThrownBy(() -> CopyClient.etag(xml("""
                <Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>""")))
                .isInstanceOf(ObjectStoreException.class).hasMessageContaining("InternalError");
    }

    @Test
    void noEtagOrNoXmlIsAFailure() {
        assertThatThrownBy(() -> CopyClient.etag(xml("<CopyObjectResult></CopyObjectResult>")))
                .isInstanceOf(ObjectStoreException.class);
        assertThatThrownBy(() -> CopyClient.etag(xml("not xml"))).isInstanceOf(ObjectStoreException.class);
    }

    @Test
    void anExternalEntityIsNeverFetched() {
        assertThatThrownBy(() -> CopyClient.etag(xml("""
                <?xml version="1.0"?>
                <!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/hostname">]>
                <CopyObjectResult><ETag>&e;</ETag></CopyObjectResult>""")))
                .isInstanceOf(ObjectStoreException.class);
    }

    private static ByteArrayInputStream xml(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
