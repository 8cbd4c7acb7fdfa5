package org.ovaflow.core.store;

import io.minio.BucketExistsArgs;
import io.minio.ComposeObjectArgs;
import io.minio.CopyObjectArgs;
import io.minio.GetObjectArgs;
import io.minio.GetPresignedObjectUrlArgs;
import io.minio.MakeBucketArgs;
import io.minio.AbortMultipartUploadArgs;
import io.minio.CompleteMultipartUploadArgs;
import io.minio.CreateMultipartUploadArgs;
import io.minio.Http;
import io.minio.MinioAsyncClient;
import io.minio.MinioClient;
import io.minio.ObjectWriteResponse;
import io.minio.PutObjectAPIArgs;
import io.minio.RemoveObjectArgs;
import io.minio.RemoveObjectsArgs;
import io.minio.Result;
import io.minio.SourceObject;
import io.minio.StatObjectArgs;
import io.minio.StatObjectResponse;
import io.minio.UploadPartArgs;
import io.minio.UploadPartCopyArgs;
import io.minio.errors.ErrorResponseException;
import io.minio.errors.MinioException;
import io.minio.messages.DeleteRequest;
import io.minio.messages.DeleteResult;
import io.minio.messages.Part;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import org.ovaflow.core.config.Setting;
import org.ovaflow.core.config.SharedSettings;
import org.ovaflow.core.event.ObjectRef;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;

import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.zip.CRC32;

/**
 * ovaflow's view of an S3-compatible store (MinIO, the embedded s3proxy, any other), through the MinIO Java
 * client. Streams in both directions: reads are (ranged) GETs handed out as streams, larger writes go up as
 * multipart uploads of {@link UploadSettings#partSize()} parts, several at once ({@link StreamingUpload}), so no
 * object is ever held whole in memory.
 *
 * <p>Every upload carries a CRC32 of its bytes ({@code x-amz-checksum-crc32}, the JDK's CRC32 is an intrinsic),
 * which the store checks. Whether the SigV4 signature also covers a SHA-256 of the body is
 * {@link UploadSettings#signing()}: on plain HTTP the MinIO client signs it, which costs a SHA-256 of every byte
 * on both sides and makes s3proxy read every request's body whole into memory to check it before it writes a
 * byte; over TLS (as the AWS SDKs and the MinIO client do) and to a store on this machine's loopback, no one
 * between client and store can alter the body, so it goes as {@code UNSIGNED-PAYLOAD}.
 */
public final class ObjectStore {

    /** The default multipart part size ({@code ovaflow.store.part-size-mib}). */
    public static final long PART_SIZE = 16L * 1024 * 1024;

    /**
     * A stream of known size up to this is read whole and uploaded from an array in one PUT: a multipart upload
     * would hold a part whole in memory anyway, so this costs no more memory.
     */
    static final long SMALL_OBJECT = PART_SIZE;

    static final String UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD";
    private static final String CHECKSUM_ALGORITHM = "CRC32";
    private static final String CHECKSUM_HEADER = "x-amz-checksum-crc32";

    /** Store requests in flight at once (OkHttp's default for all hosts together; its default a host is 5). */
    static final int MAX_REQUESTS = 64;

    /** Connections kept open between requests, so that a burst of requests does not reconnect (OkHttp keeps 5). */
    private static final int MAX_IDLE_CONNECTIONS = 16;

    /** The range one UploadPartCopy of {@link #copyRange} copies: 10,000 of them reach S3's largest object. */
    static final long RANGE_COPY_PART = 1L << 30;

    /** Part copies of one {@link #copyRange} under way at once. */
    static final int RANGE_COPIES_IN_FLIGHT = 4;

    private static final String USER_METADATA_PREFIX = "x-amz-meta-";

    private static final Set<String> GONE_CODES = Set.of("NoSuchKey", "NoSuchVersion", "PreconditionFailed");

    private final MinioClient client;
    /** The same connection pool, for the multipart calls only the async client exposes. */
    private final MinioAsyncClient asyncClient;
    private final CopyClient copyClient;
    private final StreamedPut.Client putClient;
    private final ListClient listClient;
    private final String endpoint;
    private final UploadSettings uploads;
    /** Whether uploads go as UNSIGNED-PAYLOAD: {@link UploadSettings#signing()} for this endpoint. */
    private final boolean unsignedPayload;
    /** What this view of the store is asked to move; one view per stage counts apart (see {@link #counted}). */
    private final StoreTraffic traffic;

    public ObjectStore(String endpoint, String accessKey, String secretKey) {
        this(endpoint, accessKey, secretKey, UploadSettings.DEFAULTS);
    }

    public ObjectStore(String endpoint, String accessKey, String secretKey, UploadSettings uploads) {
        this.endpoint = endpoint;
        this.uploads = uploads;
        this.unsignedPayload = uploads.signing().unsigned(endpoint);
        this.traffic = StoreTraffic.NONE;
        OkHttpClient http = httpClient();
        this.client = MinioClient.builder()
                .endpoint(endpoint)
                .credentials(accessKey, secretKey)
                .region("us-east-1")
                .httpClient(http, true)
                .build();
        this.asyncClient = MinioAsyncClient.builder()
                .endpoint(endpoint)
                .credentials(accessKey, secretKey)
                .region("us-east-1")
                .httpClient(http, true)
                .build();
        this.copyClient = new CopyClient(asyncClient);
        this.putClient = new StreamedPut.Client(asyncClient);
        this.listClient = new ListClient(asyncClient);
    }

    private ObjectStore(ObjectStore shared, StoreTraffic traffic) {
        this.endpoint = shared.endpoint;
        this.client = shared.client;
        this.asyncClient = shared.asyncClient;
        this.copyClient = shared.copyClient;
        this.putClient = shared.putClient;
        this.listClient = shared.listClient;
        this.uploads = shared.uploads;
        this.unsignedPayload = shared.unsignedPayload;
        this.traffic = traffic;
    }

    /**
     * The same store (same clients and connections) with every request and every byte it is asked to move counted
     * into {@code traffic}: what the pipeline gives each stage, so that the bytes are counted by stage.
     */
    public ObjectStore counted(StoreTraffic traffic) {
        return new ObjectStore(this, traffic);
    }

    /**
     * The HTTP client of both MinIO clients. MinIO's clients send every request as an asynchronous call, and OkHttp's
     * dispatcher runs at most 5 of those to one host at once by default: a whole process (five stages, or
     * onboard's parallel downloads streaming into the bucket) had five store requests in flight and queued the rest.
     */
    static OkHttpClient httpClient() {
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequests(MAX_REQUESTS);
        dispatcher.setMaxRequestsPerHost(MAX_REQUESTS);
        // long reads of big disks: no read timeout on the stream, but fail fast on connect
        return new OkHttpClient.Builder()
                .dispatcher(dispatcher)
                .connectionPool(new ConnectionPool(MAX_IDLE_CONNECTIONS, 5, TimeUnit.MINUTES))
                .connectTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ofMinutes(5))
                .writeTimeout(Duration.ofMinutes(5))
                .retryOnConnectionFailure(true)
                .socketFactory(new NoDelaySocketFactory())
                .build();
    }

    public String endpoint() {
        return endpoint;
    }

    /** How this store's uploads go: part size, parts at once, payload signing. */
    public UploadSettings uploadSettings() {
        return uploads;
    }

    /** Whether uploads to this store send their body as {@code UNSIGNED-PAYLOAD} (with its CRC32). */
    public boolean unsignedPayload() {
        return unsignedPayload;
    }

    /**
     * How multipart uploads go. {@code partSize}: the size of the parts (and the largest object sent in one PUT);
     * {@code parallelParts}: how many parts of one upload are sent at once. An upload holds {@code parallelParts
     * + 1} parts in memory: the ones going up and the one filling. {@code maxSingleRequest}: the largest object the
     * store takes in one PUT or one CopyObject (S3's 5 GiB; the embedded store's 5 TiB).
     */
    public record UploadSettings(long partSize, int parallelParts, PayloadSigning signing, long maxSingleRequest) {

        public static final int DEFAULT_PARALLEL_PARTS = 4;
        /** S3's largest object in one PUT or one CopyObject, in GiB. */
        public static final int S3_MAX_SINGLE_REQUEST_GIB = 5;
        public static final long GIB = 1024L * 1024 * 1024;
        public static final UploadSettings DEFAULTS = new UploadSettings(PART_SIZE, DEFAULT_PARALLEL_PARTS,
                PayloadSigning.AUTO);
        /** S3's smallest part (but the last), and the largest this client buffers. */
        static final long MIN_PART_SIZE = 5L * 1024 * 1024;
        static final long MAX_PART_SIZE = 512L * 1024 * 1024;

        public UploadSettings {
            if (partSize < MIN_PART_SIZE || partSize > MAX_PART_SIZE) {
                throw new IllegalArgumentException("ovaflow.store.part-size-mib must be 5 to 512 (MiB), not "
                        + partSize / (1024 * 1024.0));
            }
            if (parallelParts < 1 || parallelParts > 64) {
                throw new IllegalArgumentException("ovaflow.store.parallel-parts must be 1 to 64, not "
                        + parallelParts);
            }
            java.util.Objects.requireNonNull(signing, "signing");
            if (maxSingleRequest < GIB) {
                throw new IllegalArgumentException("ovaflow.store.max-single-request-gib must be 1 or more");
            }
        }

        /** With S3's largest single request, 5 GiB. */
        public UploadSettings(long partSize, int parallelParts, PayloadSigning signing) {
            this(partSize, parallelParts, signing, S3_MAX_SINGLE_REQUEST_GIB * GIB);
        }

        /**
         * The settings of {@code ovaflow.store.part-size-mib}, {@code ovaflow.store.parallel-parts} and
         * {@code ovaflow.store.payload-signing} as {@code property} gives them (null: the default).
         */
        public static UploadSettings from(UnaryOperator<String> property) {
            Map<String, String> given = new HashMap<>();
            for (Setting<?> setting : List.of(SharedSettings.STORE_PART_SIZE_MIB, SharedSettings.STORE_PARALLEL_PARTS,
                    SharedSettings.STORE_PAYLOAD_SIGNING, SharedSettings.STORE_MAX_SINGLE_REQUEST_GIB)) {
                String value = property.apply(setting.key());
                if (value != null) {
                    given.put(setting.key(), value);
                }
            }
            return new UploadSettings(SharedSettings.STORE_PART_SIZE_MIB.from(given) * 1024L * 1024,
                    SharedSettings.STORE_PARALLEL_PARTS.from(given), SharedSettings.STORE_PAYLOAD_SIGNING.from(given),
                    SharedSettings.STORE_MAX_SINGLE_REQUEST_GIB.from(given) * GIB);
        }
    }

    /** Whether an upload's SigV4 signature covers the SHA-256 of its body ({@code ovaflow.store.payload-signing}). */
    public enum PayloadSigning {
        /** Unsigned over https and to a loopback address (127.0.0.0/8, ::1, localhost); signed otherwise. */
        AUTO,
        /** Always signed: a SHA-256 of every byte on both sides, the body read whole by the store before it writes. */
        SIGNED,
        /** Never signed (the CRC32 still checks the bytes): for a plain-HTTP store on a network one trusts. */
        UNSIGNED;

        boolean unsigned(String endpoint) {
            return switch (this) {
                case SIGNED -> false;
                case UNSIGNED -> true;
                case AUTO -> https(endpoint) || loopback(endpoint);
            };
        }

        private static boolean https(String endpoint) {
            return endpoint.regionMatches(true, 0, "https://", 0, 8);
        }

        /** The endpoint names this machine by address (or as localhost): its traffic never leaves it. */
        static boolean loopback(String endpoint) {
            String host;
            try {
                host = URI.create(endpoint).getHost();
            } catch (IllegalArgumentException e) {
                return false;
            }
            if (host == null) {
                return false;
            }
            if (host.equalsIgnoreCase("localhost")) {
                return true;
            }
            if (host.startsWith("[") && host.endsWith("]")) {
                host = host.substring(1, host.length() - 1);
            }
            // an address literal only: a name is not resolved (it could resolve elsewhere tomorrow)
            if (host.matches("\\d{1,3}(\\.\\d{1,3}){3}")) {
                return host.startsWith("127.");
            }
            return host.equals("::1") || host.equals("0:0:0:0:0:0:0:1");
        }
    }

    /**
     * The headers of an upload's body {@code data[0, length)}: its CRC32, and, when the payload goes unsigned,
     * {@code x-amz-content-sha256: UNSIGNED-PAYLOAD}, so that the client does not hash it (given a checksum
     * header of ours, it adds no CRC32C of its own either).
     */
    Http.Headers bodyHeaders(byte[] data, int length) {
        CRC32 crc = new CRC32();
        crc.update(data, 0, length);
        Http.Headers headers = checksumHeaders(crc.getValue());
        if (unsignedPayload) {
            headers.put(Http.Headers.X_AMZ_CONTENT_SHA256, UNSIGNED_PAYLOAD);
        }
        return headers;
    }

    /** The headers that declare a body's CRC32, which the store checks. */
    private static Http.Headers checksumHeaders(long crc32) {
        byte[] value = ByteBuffer.allocate(4).putInt((int) crc32).array();
        return new Http.Headers(CHECKSUM_HEADER, Base64.getEncoder().encodeToString(value),
                Http.Headers.X_AMZ_SDK_CHECKSUM_ALGORITHM, CHECKSUM_ALGORITHM);
    }

    public void ensureBuckets(Collection<String> buckets) {
        for (String bucket : buckets) {
            call("create bucket " + bucket, () -> {
                if (!client.bucketExists(BucketExistsArgs.builder().bucket(bucket).build())) {
                    try {
                        client.makeBucket(MakeBucketArgs.builder().bucket(bucket).build());
                    } catch (ErrorResponseException e) {
                        // another process made it between our check and our request
                        String code = e.errorResponse().code();
                        if (!"BucketAlreadyOwnedByYou".equals(code) && !"BucketAlreadyExists".equals(code)) {
                            throw e;
                        }
                    }
                }
                return null;
            });
        }
    }

    public Optional<ObjectInfo> stat(String bucket, String key) {
        return describe(bucket, key).map(StoredObject::info);
    }

    /** Like {@link #stat}, with the object's user metadata; empty when there is no such object. */
    public Optional<StoredObject> describe(String bucket, String key) {
        traffic.request(StoreTraffic.Request.HEAD);
        try {
            StatObjectResponse stat = call("stat s3://" + bucket + "/" + key,
                    () -> client.statObject(StatObjectArgs.builder().bucket(bucket).object(key).build()));
            ObjectInfo info = new ObjectInfo(bucket, key, stat.etag(), stat.size(), stat.versionId(),
                    stat.lastModified() == null ? null : stat.lastModified().toInstant());
            Map<String, String> metadata = new HashMap<>();
            if (stat.userMetadata() != null) {
                for (Map.Entry<String, String> header : stat.userMetadata().entries()) {
                    String name = header.getKey().toLowerCase(Locale.ROOT);
                    metadata.putIfAbsent(name.startsWith(USER_METADATA_PREFIX)
                            ? name.substring(USER_METADATA_PREFIX.length()) : name, header.getValue());
                }
            }
            return Optional.of(new StoredObject(info, metadata));
        } catch (ObjectGoneException e) {
            return Optional.empty();
        }
    }

    public boolean exists(String bucket, String key) {
        return stat(bucket, key).isPresent();
    }

    /**
     * The whole object, as long as it still has the content {@code ref} names (If-Match on the etag): an
     * object replaced since the event was written is gone for this import, not silently another input.
     */
    public InputStream read(ObjectRef ref) {
        return read(ref, null, null);
    }

    /** {@code length} bytes from {@code offset} of the object {@code ref} names, with one ranged GET. */
    public InputStream readRange(ObjectRef ref, long offset, long length) {
        if (length == 0) {
            return InputStream.nullInputStream();
        }
        return read(ref, offset, length);
    }

    private InputStream read(ObjectRef ref, Long offset, Long length) {
        traffic.request(StoreTraffic.Request.GET);
        return counting(call("read " + ref, () -> {
            GetObjectArgs.Builder args = GetObjectArgs.builder().bucket(ref.bucket()).object(ref.key());
            if (ref.etag() != null) {
                args.matchETag(ref.etag());
            }
            if (offset != null) {
                args.offset(offset).length(length);
            }
            return client.getObject(args.build());
        }));
    }

    /** Reads a whole small object (a descriptor, a report); callers bound what they read by its size. */
    public InputStream read(String bucket, String key) {
        traffic.request(StoreTraffic.Request.GET);
        return counting(call("read s3://" + bucket + "/" + key,
                () -> client.getObject(GetObjectArgs.builder().bucket(bucket).object(key).build())));
    }

    /** {@code in} with every byte read from it counted as a GET's. */
    private InputStream counting(InputStream in) {
        if (traffic == StoreTraffic.NONE) {
            return in;
        }
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    traffic.bytes(StoreTraffic.Op.GET, 1);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    traffic.bytes(StoreTraffic.Op.GET, n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                // skipped bytes came over the connection all the same
                long skipped = super.skip(n);
                if (skipped > 0) {
                    traffic.bytes(StoreTraffic.Op.GET, skipped);
                }
                return skipped;
            }
        };
    }

    /**
     * A URL that lets whoever holds it GET the object until {@code expiry} has passed, without credentials (S3
     * query-string signature, at most 7 days). Computed locally: no request is made, the object may not exist.
     */
    public String presignedGet(String bucket, String key, Duration expiry) {
        return call("presign GET s3://" + bucket + "/" + key, () -> client.getPresignedObjectUrl(
                GetPresignedObjectUrlArgs.builder().method(Http.Method.GET).bucket(bucket).object(key)
                        .expiry(Math.toIntExact(expiry.toSeconds()), TimeUnit.SECONDS).build()));
    }

    /**
     * Uploads a stream: up to {@link UploadSettings#partSize()} of known size in one request, larger ones and
     * size -1 (read to its end) as a multipart upload whose parts go up several at once.
     */
    public ObjectInfo write(String bucket, String key, InputStream data, long size, String contentType) {
        return write(bucket, key, data, size, contentType, Map.of());
    }

    /**
     * {@link #write(String, String, InputStream, long, String)} with user metadata ({@code x-amz-meta-*}),
     * read back by {@link #describe}. Should reading {@code data} fail, or end before {@code size} bytes, the
     * upload is abandoned (a multipart upload aborted): no object, half or whole, is created. Of a stream of known
     * size, no more than {@code size} bytes are read.
     */
    public ObjectInfo write(String bucket, String key, InputStream data, long size, String contentType,
                            Map<String, String> userMetadata) {
        String what = "write s3://" + bucket + "/" + key;
        if (size >= 0 && size <= uploads.partSize()) {
            // one request either way, and a part is held whole in memory all the same: read it here, whole
            byte[] bytes = call(what, () -> data.readNBytes((int) size));
            if (bytes.length < size) {
                throw new ObjectStoreException(what + " failed: the data ended after " + bytes.length + " of "
                        + size + " bytes", null);
            }
            return put(what, bucket, key, bytes, bytes.length, contentType, userMetadata);
        }
        try (StreamingUpload upload = new StreamingUpload(this, bucket, key, contentType, userMetadata)) {
            long read = upload.readFrom(data, size);
            if (size >= 0 && read < size) {
                throw new ObjectStoreException(what + " failed: the data ended after " + read + " of " + size
                        + " bytes", null);
            }
            return upload.complete();
        } catch (IOException e) {
            throw new ObjectStoreException(what + " failed: " + e, e);
        }
    }

    public ObjectInfo write(String bucket, String key, byte[] data, String contentType) {
        return write(bucket, key, data, data.length, contentType);
    }

    /**
     * Uploads a local file. To a store on this machine's loopback that takes unsigned payloads, a file of up to
     * {@link UploadSettings#maxSingleRequest()} (S3's 5 GiB unless set) goes up in one PUT streamed from the file:
     * there is no network latency for parts in parallel to hide, and a multipart upload costs such a store a second
     * write of every byte when it joins the parts (the embedded s3proxy: 11.4 CPU-s and 13 s a GiB in 16 MiB parts, 4.2 CPU-s and 3.9 s in one
     * PUT). Other stores and larger files get the multipart upload of {@link #write(String, String, InputStream,
     * long, String)}, whose parts go up several at once.
     */
    public ObjectInfo write(String bucket, String key, Path file, String contentType) throws IOException {
        long size = Files.size(file);
        if (putsInOneRequest(size)) {
            return putFile("write s3://" + bucket + "/" + key, bucket, key, file, size, contentType);
        }
        try (InputStream data = Files.newInputStream(file)) {
            return write(bucket, key, data, size, contentType);
        }
    }

    /**
     * A ranged copy through this process, for a store on loopback: one GET of the range (pinned to the source's
     * etag) streamed into one PUT. s3proxy makes a part copy into a part file and then copies that file into the
     * object at the completion, writing every byte twice; this way it writes them once, and there is no network
     * between the two for the bytes to cross.
     */
    private ObjectInfo copyThrough(String what, ObjectRef from, long offset, long length, String toBucket,
                                   String toKey, String contentType) {
        try (InputStream in = readRange(from, offset, length);
             StreamedPut put = startPut(toBucket, toKey, length, contentType)) {
            in.transferTo(put);
            return put.complete();
        } catch (IOException e) {
            throw new ObjectStoreException(what + " failed: " + e.getMessage(), e);
        }
    }

    /**
     * Whether an object of {@code size} bytes goes up in one PUT rather than in parts: larger than a part, at most
     * the store's largest single request ({@link UploadSettings#maxSingleRequest()}), to a store on this machine's
     * loopback that takes unsigned payloads (see {@link #write(String, String, Path, String)} for why).
     * {@link #startPut} is for those only.
     */
    public boolean putsInOneRequest(long size) {
        return size > uploads.partSize() && size <= uploads.maxSingleRequest() && unsignedPayload
                && PayloadSigning.loopback(endpoint);
    }

    /**
     * Starts one PUT of an object of exactly {@code size} bytes that the caller writes into it as it makes them
     * (a disk image whose layout is planned before its data is converted); for a size and store that
     * {@link #putsInOneRequest} accepts.
     */
    public StreamedPut startPut(String bucket, String key, long size, String contentType) {
        if (!putsInOneRequest(size)) {
            throw new IllegalArgumentException("s3://" + bucket + "/" + key + ": " + size + " bytes to " + endpoint
                    + " go up in parts, not in one streamed PUT");
        }
        traffic.request(StoreTraffic.Request.PUT);
        traffic.bytes(StoreTraffic.Op.PUT, size);
        return new StreamedPut(putClient, bucket, key, size, contentType);
    }

    /** One PUT of {@code size} bytes of {@code file}, with their CRC32: the store refuses a file changed meanwhile. */
    private ObjectInfo putFile(String what, String bucket, String key, Path file, long size, String contentType)
            throws IOException {
        Http.Headers headers = checksumHeaders(crc32(file, size));
        headers.put(Http.Headers.X_AMZ_CONTENT_SHA256, UNSIGNED_PAYLOAD);
        try (RandomAccessFile body = new RandomAccessFile(file.toFile(), "r")) {
            ObjectWriteResponse response = call(what, () -> await(asyncClient.putObject(PutObjectAPIArgs.builder()
                    .bucket(bucket).object(key).file(body, size).contentType(contentType).headers(headers)
                    .build())));
            traffic.request(StoreTraffic.Request.PUT);
            traffic.bytes(StoreTraffic.Op.PUT, size);
            return new ObjectInfo(bucket, key, response.etag(), size, response.versionId(), null);
        }
    }

    /** The CRC32 of the first {@code size} bytes of {@code file} (the JDK's intrinsic, on a direct buffer). */
    private static long crc32(Path file, long size) throws IOException {
        CRC32 crc = new CRC32();
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            long left = size;
            while (left > 0) {
                buffer.clear().limit((int) Math.min(buffer.capacity(), left));
                int read = channel.read(buffer);
                if (read < 0) {
                    throw new IOException(file + " ended after " + (size - left) + " of its " + size + " bytes");
                }
                buffer.flip();
                crc.update(buffer);
                left -= read;
            }
        }
        return crc.getValue();
    }

    /** Uploads {@code data[0, length)} in one request, the bytes as they are (no copy into the client's chunks). */
    public ObjectInfo write(String bucket, String key, byte[] data, int length, String contentType) {
        return put("write s3://" + bucket + "/" + key, bucket, key, data, length, contentType, Map.of());
    }

    private ObjectInfo put(String what, String bucket, String key, byte[] data, int length, String contentType,
                           Map<String, String> userMetadata) {
        Http.Headers headers = bodyHeaders(data, length);
        userMetadata.forEach((name, value) -> headers.put(USER_METADATA_PREFIX + name, value));
        ObjectWriteResponse response = call(what, () -> await(asyncClient.putObject(PutObjectAPIArgs.builder()
                .bucket(bucket).object(key).data(data, length).contentType(contentType).headers(headers).build())));
        traffic.request(StoreTraffic.Request.PUT);
        traffic.bytes(StoreTraffic.Op.PUT, length);
        return new ObjectInfo(bucket, key, response.etag(), length, response.versionId(), null);
    }

    /** {@link #copy(String, String, long, String, String, String)} of whatever the source holds now. */
    public void copy(String fromBucket, String fromKey, long size, String toBucket, String toKey) {
        copy(fromBucket, fromKey, size, null, toBucket, toKey);
    }

    /**
     * A server-side copy: the bytes never pass through ovaflow. S3's single CopyObject stops at 5 GiB
     * ({@link UploadSettings#maxSingleRequest()}); larger objects are copied part by part on the server, several
     * parts at once ({@link #copyRange} of the whole object, pinned to its etag: the one given, or the one a HEAD
     * finds).
     *
     * <p>Given the source's etag ({@code fromEtag}), the store copies only that version of it
     * ({@code x-amz-copy-source-if-match}; another one is {@link ObjectGoneException}), and the client sends the
     * copy alone: without the etag and size, MinIO's client first HEADs the source to learn them, a second request
     * for every copy.
     *
     * @return the copy: its etag as the store answered
     */
    public ObjectInfo copy(String fromBucket, String fromKey, long size, String fromEtag, String toBucket,
                           String toKey) {
        String what = "copy s3://" + fromBucket + "/" + fromKey + " to s3://" + toBucket + "/" + toKey;
        if (size > uploads.maxSingleRequest()) {
            // parts the store copies several at once, where the client's compose copies its 5 GiB parts one after
            // the other: an 8 GB OVA's copy took 60 s that way on the embedded store
            ObjectRef source = fromEtag != null ? new ObjectRef(fromBucket, fromKey, fromEtag, size, null)
                    : stat(fromBucket, fromKey).map(ObjectInfo::ref)
                    .orElseThrow(() -> new ObjectGoneException(what + " failed: the source is gone", null));
            return copyRange(source, 0, source.size(), toBucket, toKey, "application/octet-stream");
        }
        SourceObject named = SourceObject.builder().bucket(fromBucket).object(fromKey).build();
        traffic.request(StoreTraffic.Request.COPY);
        traffic.bytes(StoreTraffic.Op.COPY, Math.max(0, size));
        if (fromEtag == null) {
            // the client asks for the source's size and etag first
            traffic.request(StoreTraffic.Request.HEAD);
        }
        if (fromEtag != null) {
            CopyObjectArgs args = CopyObjectArgs.builder().bucket(toBucket).object(toKey)
                    .source(new SourceObject(named, size, fromEtag)).build();
            String etag = call(what, () -> await(copyClient.copy(args)));
            return new ObjectInfo(toBucket, toKey, etag, size, null, null);
        }
        ObjectWriteResponse response = call(what, () -> client.copyObject(CopyObjectArgs.builder().bucket(toBucket)
                .object(toKey).source(named).build()));
        return new ObjectInfo(toBucket, toKey, response.etag(), size, response.versionId(), null);
    }

    /**
     * {@code length} bytes from {@code offset} of the object {@code from} names copied by the store into a new
     * object (a multipart upload of UploadPartCopy requests with {@code x-amz-copy-source-range}, pinned to the
     * source's etag like a read): a file of a tar archive made an object of its own without its bytes passing
     * through ovaflow. Parts of {@link #RANGE_COPY_PART} go {@link #RANGE_COPIES_IN_FLIGHT} at a time. A failure
     * aborts the upload: no object, half or whole, appears.
     */
    public ObjectInfo copyRange(ObjectRef from, long offset, long length, String toBucket, String toKey,
                                String contentType) {
        if (length <= 0) {
            throw new IllegalArgumentException("a ranged copy of " + length + " bytes");
        }
        String what = "copy bytes " + offset + "+" + length + " of " + from + " to s3://" + toBucket + "/" + toKey;
        if (putsInOneRequest(length)) {
            return copyThrough(what, from, offset, length, toBucket, toKey, contentType);
        }
        // the target of every part copy; UploadPartCopyArgs' own builder cannot be used in this client version (it
        // instantiates through a private constructor), its constructor from a compose's arguments can
        ComposeObjectArgs target = ComposeObjectArgs.builder().bucket(toBucket).object(toKey)
                .sources(List.of(SourceObject.builder().bucket(from.bucket()).object(from.key()).build())).build();
        Http.Headers source = call(what, () -> {
            SourceObject named = SourceObject.builder().bucket(from.bucket()).object(from.key()).build();
            // the client wants the source's size, which only bounds the range: an event from before ingest
            // recorded it says 0
            long size = Math.max(from.size(), offset + length);
            return (from.etag() == null ? new SourceObject(named, size, null)
                    // quoted, as S3 gives it: s3proxy's part copy compares the header with the quoted etag
                    : new SourceObject(named, size, "\"" + from.etag().replace("\"", "") + "\"")).headers();
        });
        // no checksum algorithm declared: the store copies the parts, there are no CRC32s of ours to send
        try (Upload upload = startUpload(toBucket, toKey, new Http.Headers("Content-Type", contentType))) {
            List<CompletableFuture<Void>> inFlight = new ArrayList<>();
            int number = 1;
            for (long done = 0; done < length; done += RANGE_COPY_PART, number++) {
                long first = offset + done;
                long last = first + Math.min(RANGE_COPY_PART, length - done) - 1;
                Http.Headers headers = new Http.Headers(source);
                headers.put(Http.Headers.X_AMZ_COPY_SOURCE_RANGE, "bytes=" + first + "-" + last);
                traffic.request(StoreTraffic.Request.COPY);
                traffic.bytes(StoreTraffic.Op.COPY, last - first + 1);
                int partNumber = number;
                inFlight.add(call(what, () -> asyncClient.uploadPartCopy(
                        new UploadPartCopyArgs(target, upload.uploadId, partNumber, headers)))
                        .thenAccept(copied -> upload.copied(partNumber, copied.part().etag(), last - first + 1)));
                if (inFlight.size() == RANGE_COPIES_IN_FLIGHT) {
                    call(what, () -> await(inFlight.remove(0)));
                }
            }
            for (CompletableFuture<Void> part : inFlight) {
                call(what, () -> await(part));
            }
            return upload.complete();
        }
    }

    /**
     * Starts a multipart upload whose parts the caller numbers and sends itself, in any order: what a writer
     * needs that fills in its first bytes last (a disk image's header and tables). Parts but the last must be
     * at least 5 MiB (S3's rule).
     */
    public Upload startUpload(String bucket, String key, String contentType) {
        return startUpload(bucket, key, contentType, Map.of());
    }

    /** {@link #startUpload(String, String, String)} of an object with user metadata ({@code x-amz-meta-*}). */
    public Upload startUpload(String bucket, String key, String contentType, Map<String, String> userMetadata) {
        // the parts carry a CRC32 each: declared here, as S3 wants it, and sent again with the completion
        Http.Headers headers = new Http.Headers("Content-Type", contentType, "x-amz-checksum-algorithm",
                CHECKSUM_ALGORITHM);
        userMetadata.forEach((name, value) -> headers.put(USER_METADATA_PREFIX + name, value));
        return startUpload(bucket, key, headers);
    }

    private Upload startUpload(String bucket, String key, Http.Headers headers) {
        traffic.request(StoreTraffic.Request.UPLOAD);
        String uploadId = call("start upload s3://" + bucket + "/" + key, () -> await(asyncClient.createMultipartUpload(
                CreateMultipartUploadArgs.builder().bucket(bucket).object(key).headers(headers).build()))
                .result().uploadId());
        return new Upload(bucket, key, uploadId);
    }

    /**
     * A multipart upload in progress: parts, then {@link #complete()}; {@link #close()} aborts it unless completed.
     * Parts may be sent from several threads, and several at once ({@link #send}).
     */
    public final class Upload implements AutoCloseable {

        private final String bucket;
        private final String key;
        private final String uploadId;
        private final SortedMap<Integer, Part> parts = new ConcurrentSkipListMap<>();
        private final java.util.concurrent.atomic.AtomicLong size = new java.util.concurrent.atomic.AtomicLong();
        private volatile boolean done;

        private Upload(String bucket, String key, String uploadId) {
            this.bucket = bucket;
            this.key = key;
            this.uploadId = uploadId;
        }

        /** Uploads part {@code number} (1 to 10,000) from {@code data[0, length)}. */
        public void part(int number, byte[] data, int length) {
            send(number, data, length).await();
        }

        /**
         * Starts uploading part {@code number} from {@code data[0, length)}, which must stay unchanged until the
         * part is {@link SentPart#await() awaited}: the request goes on the HTTP client's own threads.
         */
        public SentPart send(int number, byte[] data, int length) {
            traffic.request(StoreTraffic.Request.PUT);
            traffic.bytes(StoreTraffic.Op.PUT, length);
            String what = "upload part " + number + " of s3://" + bucket + "/" + key;
            Http.Headers headers = bodyHeaders(data, length);
            String crc = headers.getFirst(CHECKSUM_HEADER);
            CompletableFuture<Void> sent = call(what, () -> asyncClient.uploadPart(UploadPartArgs.builder()
                    .bucket(bucket).object(key).uploadId(uploadId).partNumber(number).data(data, length)
                    .headers(headers).build()))
                    .thenAccept(response -> {
                        parts.put(number, new Part(number, response.part().etag(), crc, null, null, null, null));
                        size.addAndGet(length);
                    });
            return new SentPart(what, sent);
        }

        /** A part the store copied ({@link #copyRange}); called from the client's threads. */
        private void copied(int number, String etag, long length) {
            parts.put(number, new Part(number, etag));
            size.addAndGet(length);
        }

        /** Makes the object of every part uploaded, in part-number order. */
        public ObjectInfo complete() {
            traffic.request(StoreTraffic.Request.UPLOAD);
            Part[] all = parts.values().toArray(Part[]::new);
            ObjectWriteResponse response = call("complete upload of s3://" + bucket + "/" + key, () -> await(
                    asyncClient.completeMultipartUpload(CompleteMultipartUploadArgs.builder().bucket(bucket).object(key)
                            .uploadId(uploadId).parts(all).build())));
            done = true;
            return new ObjectInfo(bucket, key, response.etag(), size.get(), response.versionId(), null);
        }

        /** Aborts the upload unless it was completed: the store drops the parts. */
        @Override
        public void close() {
            if (!done) {
                done = true;
                traffic.request(StoreTraffic.Request.UPLOAD);
                call("abort upload of s3://" + bucket + "/" + key, () -> await(asyncClient.abortMultipartUpload(
                        AbortMultipartUploadArgs.builder().bucket(bucket).object(key).uploadId(uploadId).build())));
            }
        }
    }

    /** A part on its way up. */
    public static final class SentPart {
        private final String what;
        private final CompletableFuture<Void> sent;

        private SentPart(String what, CompletableFuture<Void> sent) {
            this.what = what;
            this.sent = sent;
        }

        /** Waits until the store has the part; its failure is thrown here as the store's. */
        public void await() {
            call(what, () -> ObjectStore.await(sent));
        }

        /** Whether the part is up, or failed. */
        public boolean isDone() {
            return sent.isDone();
        }
    }

    static <T> T await(CompletableFuture<T> future) throws Exception {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }

    /** Removes an object; removing one that is not there is not an error (S3 semantics). */
    public void remove(String bucket, String key) {
        traffic.request(StoreTraffic.Request.DELETE);
        call("remove s3://" + bucket + "/" + key, () -> {
            client.removeObject(RemoveObjectArgs.builder().bucket(bucket).object(key).build());
            return null;
        });
    }

    /**
     * Removes {@code keys} with S3's DeleteObjects, one request per 1,000 keys instead of one each; keys that are
     * not there are not errors, and a key given twice is sent once.
     */
    public void removeAll(String bucket, Collection<String> keys) {
        if (keys.isEmpty()) {
            return;
        }
        for (int request = 0; request < (keys.size() + 999) / 1000; request++) {
            traffic.request(StoreTraffic.Request.DELETE);
        }
        call("remove " + keys.size() + " objects from s3://" + bucket, () -> {
            List<String> failed = new ArrayList<>();
            // the client sends the requests as its results are read
            for (Result<DeleteResult.Error> result : client.removeObjects(RemoveObjectsArgs.builder().bucket(bucket)
                    .objects(keys.stream().distinct().map(DeleteRequest.Object::new).toList()).build())) {
                DeleteResult.Error error = result.get();
                failed.add(error.objectName() + " (" + error.code() + ")");
            }
            if (!failed.isEmpty()) {
                throw new ObjectStoreException("remove from s3://" + bucket + " failed for " + failed, null);
            }
            return null;
        });
    }

    /** Every object under {@code prefix}, recursively, in key order. */
    public List<ObjectInfo> list(String bucket, String prefix) {
        traffic.request(StoreTraffic.Request.LIST);
        return call("list s3://" + bucket + "/" + prefix, () -> listClient.list(bucket, prefix, null));
    }

    /** The objects directly under {@code folder} (a prefix ending in '/', or "" for the root), not in sub-folders. */
    public List<ObjectInfo> listFolder(String bucket, String folder) {
        traffic.request(StoreTraffic.Request.LIST);
        return call("list s3://" + bucket + "/" + folder, () -> listClient.list(bucket, folder, "/"));
    }

    @FunctionalInterface
    private interface StoreCall<T> {
        T run() throws Exception;
    }

    private static <T> T call(String what, StoreCall<T> request) {
        try {
            return request.run();
        } catch (ErrorResponseException e) {
            String code = e.errorResponse() == null ? null : e.errorResponse().code();
            if (code != null && GONE_CODES.contains(code)) {
                throw new ObjectGoneException(what + ": " + code, e);
            }
            throw new ObjectStoreException(what + " failed: " + (code != null ? code : e.getMessage()), e);
        } catch (MinioException e) {
            throw new ObjectStoreException(what + " failed: " + e.getMessage(), e);
        } catch (IllegalStateException e) {
            // the MinIO client's blocking calls report a broken connection as IllegalStateException(IOException):
            // it is the store's failure like any other, and says which request it was
            if (e.getCause() instanceof IOException io) {
                throw new ObjectStoreException(what + " failed: " + io, io);
            }
            throw e;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new ObjectStoreException(what + " failed: " + e, e);
        }
    }
}
