package org.ovaflow.core.store;

import io.minio.CopyObjectArgs;
import io.minio.MinioAsyncClient;
import okhttp3.Response;
import okhttp3.ResponseBody;

import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.CompletableFuture;

/**
 * MinIO's client with a server-side copy that reads its answer with the JDK's StAX. The client's own
 * {@code copyObject} parses the CopyObjectResult with a new simple-xml {@code Persister}, which scans its annotated
 * classes by reflection on every call: in a profile of the pipeline, six in ten of the samples of MinIO's HTTP
 * threads were there, and publication copies every file it publishes. Signing, sending and errors stay the
 * client's ({@code executePutAsync}).
 */
final class CopyClient extends MinioAsyncClient {

    CopyClient(MinioAsyncClient client) {
        super(client);
    }

    /**
     * A CopyObject whose source was built with its size and etag (no HEAD first); completes with the copy's etag,
     * unquoted.
     */
    CompletableFuture<String> copy(CopyObjectArgs args) {
        checkArgs(args);
        try {
            return executePutAsync(args, args.source().headers(), null, null).thenApply(CopyClient::etag);
        } catch (Exception e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * The ETag of a CopyObjectResult. S3 may answer 200 with an Error document when the copy fails once started:
     * that is a failure too.
     */
    static String etag(Response response) {
        try (response; ResponseBody body = response.body(); InputStream in = body.byteStream()) {
            return etag(in);
        } catch (IOException e) {
            throw new ObjectStoreException("reading the answer to a copy failed: " + e.getMessage(), e);
        }
    }

    static String etag(InputStream in) {
        try {
            XMLStreamReader xml = StoreXml.reader(in);
            try {
                xml.nextTag();
                String root = xml.getLocalName();
                String etag = null;
                String code = null;
                while (xml.hasNext()) {
                    if (xml.next() == XMLStreamReader.START_ELEMENT) {
                        switch (xml.getLocalName()) {
                            case "ETag" -> etag = xml.getElementText();
                            case "Code" -> code = xml.getElementText();
                            default -> {
                                // LastModified, checksums, Message…: not needed
                            }
                        }
                    }
                }
                if (!"CopyObjectResult".equals(root) || etag == null) {
                    throw new ObjectStoreException("the copy failed: the store answered " + root
                            + (code == null ? "" : " " + code), null);
                }
                return etag.replace("\"", "");
            } finally {
                xml.close();
            }
        } catch (XMLStreamException e) {
            throw new ObjectStoreException("the answer to a copy is not XML: " + e.getMessage(), e);
        }
    }
}
