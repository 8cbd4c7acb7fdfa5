package org.ovaflow.core.store;

import io.minio.Http;
import io.minio.ListObjectsV2Args;
import io.minio.MinioAsyncClient;
import okhttp3.Response;
import okhttp3.ResponseBody;

import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * MinIO's client with a ListObjectsV2 whose answers it reads with the JDK's StAX. The client's own listing parses
 * each page of up to 1,000 keys with a new simple-xml {@code Persister}, which scans its annotated classes by
 * reflection (and throws and catches a TypeNotPresentException for each annotation it cannot load) on every page;
 * the ingest scan lists the incoming bucket every few seconds and the catalog index lists the entries' markers
 * twice a batch. Signing, sending and errors stay the client's ({@code executeGetAsync}).
 */
final class ListClient extends MinioAsyncClient {

    /** S3's most keys a page. */
    private static final int PAGE = 1000;

    ListClient(MinioAsyncClient client) {
        super(client);
    }

    /**
     * Every object under {@code prefix}, in key order, page after page; with a {@code delimiter}, only those not
     * below a further delimiter (the common prefixes are left out).
     */
    List<ObjectInfo> list(String bucket, String prefix, String delimiter) throws Exception {
        ListObjectsV2Args args = ListObjectsV2Args.builder().bucket(bucket).build();
        checkArgs(args);
        List<ObjectInfo> objects = new ArrayList<>();
        String token = null;
        do {
            Http.QueryParameters query = new Http.QueryParameters("list-type", "2", "max-keys",
                    Integer.toString(PAGE), "encoding-type", "url", "prefix", prefix);
            if (delimiter != null) {
                query.add("delimiter", delimiter);
            }
            if (token != null) {
                query.add("continuation-token", token);
            }
            Page page = ObjectStore.await(executeGetAsync(args, new Http.Headers(), query)
                    .thenApply(response -> page(bucket, response)));
            objects.addAll(page.objects());
            token = page.next();
        } while (token != null);
        return objects;
    }

    /** One page's objects, and the token of the next page (null for the last). */
    record Page(List<ObjectInfo> objects, String next) {
    }

    private static Page page(String bucket, Response response) {
        try (response; ResponseBody body = response.body(); InputStream in = body.byteStream()) {
            return page(bucket, in);
        } catch (IOException e) {
            throw new ObjectStoreException("reading a listing of s3://" + bucket + " failed: " + e.getMessage(), e);
        }
    }

    static Page page(String bucket, InputStream in) {
        try {
            XMLStreamReader xml = StoreXml.reader(in);
            try {
                xml.nextTag();
                if (!"ListBucketResult".equals(xml.getLocalName())) {
                    throw new ObjectStoreException("listing s3://" + bucket + " failed: the store answered "
                            + xml.getLocalName(), null);
                }
                List<ObjectInfo> objects = new ArrayList<>();
                boolean urlEncoded = false;
                boolean truncated = false;
                String next = null;
                while (xml.nextTag() == XMLStreamReader.START_ELEMENT) {
                    switch (xml.getLocalName()) {
                        case "Contents" -> objects.add(object(bucket, xml));
                        case "EncodingType" -> urlEncoded = "url".equals(xml.getElementText());
                        case "IsTruncated" -> truncated = Boolean.parseBoolean(xml.getElementText().trim());
                        case "NextContinuationToken" -> next = xml.getElementText();
                        default -> skip(xml); // Name, Prefix, KeyCount, CommonPrefixes…
                    }
                }
                if (urlEncoded) {
                    objects.replaceAll(o -> new ObjectInfo(o.bucket(), URLDecoder.decode(o.key(),
                            StandardCharsets.UTF_8), o.etag(), o.size(), o.versionId(), o.lastModified()));
                }
                if (truncated && (next == null || next.isEmpty())) {
                    throw new ObjectStoreException("listing s3://" + bucket + " failed: a truncated page without "
                            + "a continuation token", null);
                }
                return new Page(objects, truncated ? next : null);
            } finally {
                xml.close();
            }
        } catch (XMLStreamException | NumberFormatException | DateTimeParseException e) {
            throw new ObjectStoreException("listing s3://" + bucket + " failed: the answer is not a listing: "
                    + e.getMessage(), e);
        }
    }

    /** One {@code <Contents>}, the reader on its start; leaves it on its end. */
    private static ObjectInfo object(String bucket, XMLStreamReader xml) throws XMLStreamException {
        String key = null;
        String etag = null;
        long size = 0;
        Instant lastModified = null;
        while (xml.nextTag() == XMLStreamReader.START_ELEMENT) {
            switch (xml.getLocalName()) {
                case "Key" -> key = xml.getElementText();
                case "ETag" -> etag = xml.getElementText();
                case "Size" -> size = Long.parseLong(xml.getElementText().trim());
                case "LastModified" -> lastModified = OffsetDateTime.parse(xml.getElementText().trim()).toInstant();
                default -> skip(xml); // StorageClass, Owner, checksums…
            }
        }
        if (key == null) {
            throw new XMLStreamException("an object without a Key");
        }
        return new ObjectInfo(bucket, key, etag, size, null, lastModified);
    }

    /** Skips the element the reader is on the start of, whatever it holds. */
    private static void skip(XMLStreamReader xml) throws XMLStreamException {
        int depth = 1;
        while (depth > 0) {
            int event = xml.next();
            if (event == XMLStreamReader.START_ELEMENT) {
                depth++;
            } else if (event == XMLStreamReader.END_ELEMENT) {
                depth--;
            }
        }
    }
}
