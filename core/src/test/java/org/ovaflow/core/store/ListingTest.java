package org.ovaflow.core.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.testing.ManyObjects;
import org.ovaflow.core.testing.S3Server;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Listings read with StAX ({@link ListClient}): against a real S3 server, and answers no server here gives. */
class ListingTest {

    private static final String BUCKET = "ova-incoming";

    @RegisterExtension
    static final S3Server S3 = new S3Server(BUCKET);

    private final ObjectStore store = S3.store();

    @Test
    void listsEveryObjectUnderAPrefixAcrossPagesInKeyOrderWithItsEtagSizeAndTime() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 1_003; i++) {
            keys.add(String.format("paged/%04d", i));
        }
        ManyObjects.write(store, BUCKET, keys, key -> Integer.parseInt(key.substring("paged/".length())) % 7);
        store.write(BUCKET, "pagedx", new byte[1], "application/octet-stream");
        ObjectInfo written = store.write(BUCKET, "paged/0003", new byte[3], "application/octet-stream");

        List<ObjectInfo> listed = store.list(BUCKET, "paged/");

        assertThat(listed).extracting(ObjectInfo::key).containsExactlyElementsOf(keys);
        ObjectInfo third = listed.get(3);
        assertThat(third.size()).isEqualTo(3);
        assertThat(third.etag().replace("\"", "")).isEqualTo(written.etag().replace("\"", ""));
        assertThat(third.lastModified()).isBetween(Instant.now().minusSeconds(600), Instant.now().plusSeconds(60));
        assertThat(third.bucket()).isEqualTo(BUCKET);
    }

    @Test
    void keysThatNeedEncodingComeBackAsWritten() {
        List<String> keys = List.of("odd/a b.ova", "odd/a+b.ova", "odd/100%.ova", "odd/ünïcödé €.ova",
                "odd/<&>'\".ova", "odd/tab\there.ova");
        keys.forEach(key -> store.write(BUCKET, key, new byte[1], "application/octet-stream"));

        assertThat(store.list(BUCKET, "odd/")).extracting(ObjectInfo::key)
                .containsExactlyInAnyOrderElementsOf(keys);
    }

    @Test
    void aFolderListingHasOnlyTheObjectsDirectlyInIt() {
        store.write(BUCKET, "folder/a.ovf", new byte[1], "application/octet-stream");
        store.write(BUCKET, "folder/b.vmdk", new byte[1], "application/octet-stream");
        store.write(BUCKET, "folder/sub/c.vmdk", new byte[1], "application/octet-stream");

        assertThat(store.listFolder(BUCKET, "folder/")).extracting(ObjectInfo::key)
                .containsExactly("folder/a.ovf", "folder/b.vmdk");
        assertThat(store.list(BUCKET, "folder/")).hasSize(3);
    }

    @Test
    void anAnswerThatIsNotAListingIsAnErrorNamingTheBucket() {
        assertThatThrownBy(() -> ListClient.page("b", xml("""
                <?xml version="1.0" encoding="UTF-8"?>
                <Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>""")))
                .isInstanceOf(ObjectStoreException.class).hasMessageContaining("s3://b").hasMessageContaining("Error");
        assertThatThrownBy(() -> ListClient.page("b", xml("not xml"))).isInstanceOf(ObjectStoreException.class);
        assertThatThrownBy(() -> ListClient.page("b", xml(
                "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>")))
                .isInstanceOf(ObjectStoreException.class).hasMessageContaining("continuation token");
        assertThatThrownBy(() -> ListClient.page("b", xml(
                "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>")))
                .isInstanceOf(ObjectStoreException.class);
        // an entity the store did not declare: no DTD, no external entity is ever read
        assertThatThrownBy(() -> ListClient.page("b", xml("""
                <?xml version="1.0"?>
                <!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>
                <ListBucketResult><Contents><Key>&e;</Key></Contents></ListBucketResult>""")))
                .isInstanceOf(ObjectStoreException.class);
    }

    @Test
    void aPageReadsItsObjectsSkipsWhatItDoesNotNeedAndGivesTheNextToken() {
        ListClient.Page page = ListClient.page("b", xml("""
                <?xml version="1.0" encoding="UTF-8"?>
                <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
                  <Name>b</Name><Prefix>x%2F</Prefix><KeyCount>2</KeyCount><MaxKeys>2</MaxKeys>
                  <EncodingType>url</EncodingType><IsTruncated>true</IsTruncated>
                  <NextContinuationToken>tok+en/=</NextContinuationToken>
                  <Contents><Key>x%2Fa%20b.ova</Key><LastModified>2026-11-27T10:00:00.000Z</LastModified>
                    <ETag>&quot;abc&quot;</ETag><ChecksumAlgorithm>CRC32</ChecksumAlgorithm><Size>42</Size>
                    <Owner><ID>o</ID><DisplayName>d</DisplayName></Owner><StorageClass>STANDARD</StorageClass>
                  </Contents>
                  <CommonPrefixes><Prefix>x%2Fsub%2F</Prefix></CommonPrefixes>
                  <Contents><Key>x%2F%2B</Key><LastModified>2026-11-27T10:00:01+00:00</LastModified>
                    <ETag>"def-2"</ETag><Size>0</Size></Contents>
                </ListBucketResult>"""));

        assertThat(page.next()).isEqualTo("tok+en/=");
        assertThat(page.objects()).containsExactly(
                new ObjectInfo("b", "x/a b.ova", "\"abc\"", 42, null, Instant.parse("2026-11-27T10:00:00Z")),
                new ObjectInfo("b", "x/+", "\"def-2\"", 0, null, Instant.parse("2026-11-27T10:00:01Z")));
        assertThat(ListClient.page("b", xml("<ListBucketResult><IsTruncated>false</IsTruncated>"
                + "<NextContinuationToken>ignored</NextContinuationToken></ListBucketResult>")).next()).isNull();
    }

    private static ByteArrayInputStream xml(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
