package org.ovaflow.embedded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import io.minio.BucketExistsArgs;
import io.minio.CopyObjectArgs;
import io.minio.GetObjectArgs;
import io.minio.GetObjectResponse;
import io.minio.ListObjectsArgs;
import io.minio.MakeBucketArgs;
import io.minio.MinioClient;
import io.minio.ObjectWriteResponse;
import io.minio.PutObjectArgs;
import io.minio.RemoveObjectArgs;
import io.minio.Result;
import io.minio.SourceObject;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.errors.ErrorResponseException;
import io.minio.messages.Item;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class EmbeddedS3IT {

    private static final String ACCESS_KEY = "ovaflow-access";
    private static final String SECRET_KEY = "ovaflow-secret-key-0123456789";
    private static final String BUCKET = "ova-catalog";
    private static final String KEY = "imports/appliance.ova";
    private static final String COPY_KEY = "published/appliance.ova";
    private static final int SIZE = 12 * 1024 * 1024;
    private static final long PART_SIZE = 5L * 1024 * 1024;

    @TempDir
    Path dataDir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void multipartRangedCopyListRemoveAndRestart() throws Exception {
        int port;
        byte[] content = new byte[SIZE];
        new Random(42).nextBytes(content);

        try (EmbeddedS3 s3 = new EmbeddedS3(dataDir, 0, ACCESS_KEY, SECRET_KEY)) {
            s3.start();
            port = s3.port();
            assertThat(s3.endpoint()).isEqualTo("http://127.0.0.1:" + port);
            MinioClient client = client(s3);

            client.makeBucket(MakeBucketArgs.builder().bucket(BUCKET).build());
            assertThat(client.bucketExists(BucketExistsArgs.builder().bucket(BUCKET).build())).isTrue();

            // unknown size (null) with a 5 MiB part size makes the client upload 3 parts via multipart
            ObjectWriteResponse put = client.putObject(PutObjectArgs.builder().bucket(BUCKET).object(KEY)
                    .stream(new UnknownLengthStream(content), null, PART_SIZE)
                    .contentType("application/x-tar")
                    .build());
            assertThat(put.etag().replace("\"", "")).as("multipart ETag").endsWith("-3");

            StatObjectResponse stat = client.statObject(StatObjectArgs.builder().bucket(BUCKET).object(KEY).build());
            assertThat(stat.size()).isEqualTo(SIZE);
            assertThat(stat.contentType()).isEqualTo("application/x-tar");

            // a range that straddles the first part boundary
            long offset = PART_SIZE - 100;
            int length = 1000;
            try (GetObjectResponse range = client.getObject(GetObjectArgs.builder().bucket(BUCKET).object(KEY)
                    .offset(offset).length((long) length).build())) {
                assertThat(range.readAllBytes())
                        .isEqualTo(Arrays.copyOfRange(content, (int) offset, (int) offset + length));
            }

            client.copyObject(CopyObjectArgs.builder().bucket(BUCKET).object(COPY_KEY)
                    .source(SourceObject.builder().bucket(BUCKET).object(KEY).build())
                    .build());
            assertThat(sha256(client, COPY_KEY)).isEqualTo(sha256(content));

            assertThat(list(client)).containsExactly(KEY, COPY_KEY);

            client.removeObject(RemoveObjectArgs.builder().bucket(BUCKET).object(COPY_KEY).build());
            assertThat(list(client)).containsExactly(KEY);
            assertThatThrownBy(() -> client.statObject(StatObjectArgs.builder().bucket(BUCKET).object(COPY_KEY).build()))
                    .isInstanceOf(ErrorResponseException.class);
        }

        try (EmbeddedS3 s3 = new EmbeddedS3(dataDir, 0, ACCESS_KEY, SECRET_KEY)) {
            s3.start();
            assertThat(s3.port()).as("remembered port, released by close").isEqualTo(port);
            MinioClient client = client(s3);
            assertThat(list(client)).containsExactly(KEY);
            assertThat(sha256(client, KEY)).isEqualTo(sha256(content));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void writesAKilledStoreLeftHalfDoneAreMovedAside() throws Exception {
        Path folder = Files.createDirectories(dataDir.resolve("buckets").resolve(BUCKET).resolve("entry/1.0"));
        Files.writeString(folder.resolve("appliance.ova"), "the object, written again by the client's retry");
        String leftover = "appliance.ova-10ef9294-a904-4d4f-be44-08268e5e7a71";
        Files.writeString(folder.resolve(leftover), "half of it");
        // one whose object the client has not written again yet is no more a completed write
        String alone = "disk.qcow2-0b9e4f36-3a1c-4d5e-9f70-1234567890ab";
        Files.writeString(folder.resolve(alone), "half of another");

        try (EmbeddedS3 s3 = new EmbeddedS3(dataDir, 0, ACCESS_KEY, SECRET_KEY)) {
            s3.start();
            MinioClient client = MinioClient.builder().endpoint(s3.endpoint()).credentials(ACCESS_KEY, SECRET_KEY)
                    .build();
            List<String> keys = new ArrayList<>();
            for (Result<Item> item : client.listObjects(ListObjectsArgs.builder().bucket(BUCKET).recursive(true)
                    .build())) {
                keys.add(item.get().objectName());
            }
            assertThat(keys).containsExactly("entry/1.0/appliance.ova");
        }
        Path aside = dataDir.resolve(EmbeddedS3.INTERRUPTED_WRITES).resolve(BUCKET).resolve("entry/1.0");
        assertThat(aside.resolve(leftover)).hasContent("half of it");
        assertThat(aside.resolve(alone)).hasContent("half of another");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void rejectsWrongCredentialsAndListensOnLoopbackOnly() throws Exception {
        try (EmbeddedS3 s3 = new EmbeddedS3(dataDir, 0, ACCESS_KEY, SECRET_KEY)) {
            s3.start();
            MinioClient wrong = MinioClient.builder().endpoint(s3.endpoint())
                    .credentials(ACCESS_KEY, "not-the-secret").build();
            assertThatThrownBy(() -> wrong.makeBucket(MakeBucketArgs.builder().bucket(BUCKET).build()))
                    .isInstanceOf(ErrorResponseException.class);
            LoopbackAssertions.assertListensOnLoopbackOnly(s3.port());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void acceptsAwsSignatureV2() throws Exception {
        try (EmbeddedS3 s3 = new EmbeddedS3(dataDir, 0, ACCESS_KEY, SECRET_KEY)) {
            s3.start();
            HttpClient http = HttpClient.newHttpClient();
            assertThat(listBucketsSignedV2(http, s3, SECRET_KEY).statusCode()).isEqualTo(200);
            assertThat(listBucketsSignedV2(http, s3, "not-the-secret").statusCode()).isEqualTo(403);
        }
    }

    /** GET Service signed with AWS signature V2; x-amz-date because java.net.http refuses to set Date. */
    private static HttpResponse<String> listBucketsSignedV2(HttpClient http, EmbeddedS3 s3, String secret)
            throws Exception {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC));
        String stringToSign = "GET\n\n\n\nx-amz-date:" + date + "\n/";
        Mac mac = Mac.getInstance("HmacSHA1");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
        String signature = Base64.getEncoder().encodeToString(mac.doFinal(stringToSign.getBytes(StandardCharsets.UTF_8)));
        HttpRequest request = HttpRequest.newBuilder(URI.create(s3.endpoint() + "/"))
                .header("x-amz-date", date)
                .header("Authorization", "AWS " + s3.accessKey() + ":" + signature)
                .GET()
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static MinioClient client(EmbeddedS3 s3) {
        return MinioClient.builder().endpoint(s3.endpoint()).credentials(s3.accessKey(), s3.secretKey()).build();
    }

    private static List<String> list(MinioClient client) throws Exception {
        List<String> names = new ArrayList<>();
        for (Result<Item> result : client.listObjects(ListObjectsArgs.builder().bucket(BUCKET).recursive(true).build())) {
            names.add(result.get().objectName());
        }
        return names;
    }

    private static String sha256(MinioClient client, String key) throws Exception {
        try (InputStream in = client.getObject(GetObjectArgs.builder().bucket(BUCKET).object(key).build())) {
            return sha256(in.readAllBytes());
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    /** Hides {@code available()} so nothing can infer the length, as with a stream read off a socket. */
    private static final class UnknownLengthStream extends FilterInputStream {
        UnknownLengthStream(byte[] content) {
            super(new ByteArrayInputStream(content));
        }

        @Override
        public int available() throws IOException {
            return 0;
        }
    }
}
