package org.ovaflow.app.pipeline;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.apache.camel.CamelContext;
import org.apache.camel.RoutesBuilder;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.impl.DefaultCamelContext;
import org.ovaflow.app.http.ApiToken;
import org.ovaflow.app.http.StatusServer;
import org.ovaflow.app.metrics.MeteredKafkaClientFactory;
import org.ovaflow.app.metrics.ProcessMetrics;
import org.ovaflow.app.metrics.RouteExchangeMetrics;
import org.ovaflow.app.metrics.ThirdPartyMeterNames;
import org.ovaflow.core.event.Topics;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.ingest.Arrivals;
import org.ovaflow.ingest.UploaderOverrides;
import org.ovaflow.ingest.notification.S3EventNotification;
import org.ovaflow.ingest.route.IngestRoutes;
import org.ovaflow.ingest.route.SeenTopic;
import org.ovaflow.ingest.scan.BucketScan;
import org.ovaflow.ingest.unpacked.UnpackedArrivals;
import org.ovaflow.publish.catalog.CatalogIndex;
import org.ovaflow.publish.catalog.CatalogPath;
import org.ovaflow.publish.catalog.CatalogWrites;
import org.ovaflow.publish.catalog.PublishSettings;
import org.ovaflow.publish.catalog.PublishStage;
import org.ovaflow.publish.quarantine.QuarantineStage;
import org.ovaflow.publish.route.PublishRoute;
import org.ovaflow.publish.route.QuarantineRoute;
import org.ovaflow.publish.signing.CatalogSigner;
import org.ovaflow.publish.signing.SigningKey;
import org.ovaflow.transform.disk.ReadOptions;
import org.ovaflow.transform.disk.TargetFormat;
import org.ovaflow.transform.profile.ManifestAlgorithm;
import org.ovaflow.transform.profile.ManifestSigner;
import org.ovaflow.transform.profile.ProfileSettings;
import org.ovaflow.transform.transcode.CatalogLocation;
import org.ovaflow.transform.transcode.TranscodeSettings;
import org.ovaflow.transform.transcode.TranscodeStage;
import org.ovaflow.transform.route.TranscodeRoute;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.checksum.ChecksumStage;
import org.ovaflow.validate.checksum.PackageSources;
import org.ovaflow.validate.checksum.PackageVerifier;
import org.ovaflow.validate.ovf.OvfDescriptorParser;
import org.ovaflow.validate.route.ChecksumRoute;
import org.ovaflow.validate.route.SchemaRoute;
import org.ovaflow.validate.schema.DescriptorValidator;
import org.ovaflow.validate.schema.SchemaStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * One ovaflow process: its broker and store (embedded or external), the Camel routes of the stages it runs,
 * the status reader and the HTTP server. Closing it stops them in reverse order.
 */
public final class Pipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

    /** Plain and compressed OVAs, and unpacked packages by their descriptor. */
    public static final String DEFAULT_INGEST_SUFFIXES = ".ova,.ova.gz,.ova.xz,.ovf";

    private final PipelineSettings settings;
    private final Infrastructure infrastructure;
    private final CamelContext camel;
    private final ImportStatuses statuses;
    private final StatusServer http;
    private final PrometheusMeterRegistry metrics;
    private final ProcessMetrics processMetrics;
    private final SigningKey signingKey;

    private Pipeline(PipelineSettings settings, Infrastructure infrastructure, CamelContext camel,
                     ImportStatuses statuses, StatusServer http, PrometheusMeterRegistry metrics,
                     ProcessMetrics processMetrics, SigningKey signingKey) {
        this.signingKey = signingKey;
        this.settings = settings;
        this.infrastructure = infrastructure;
        this.camel = camel;
        this.statuses = statuses;
        this.http = http;
        this.metrics = metrics;
        this.processMetrics = processMetrics;
    }

    public static Pipeline start(PipelineSettings settings) throws Exception {
        return start(settings, camel -> { });
    }

    /** Starts the pipeline; {@code beforeStart} may change the Camel context before its routes start. */
    public static Pipeline start(PipelineSettings settings, Consumer<CamelContext> beforeStart) throws Exception {
        long started = System.nanoTime();
        // before any server starts: a key that cannot be used is a configuration error
        SigningKey signingKey = settings.stages().contains(Stage.PUBLISH) || settings.httpPort() >= 0
                ? CatalogSigning.resolve(settings.dataDir(), settings.properties()) : null;
        if (signingKey != null) {
            LOG.info("catalog signing key {} ({}){}", signingKey.signer().fingerprint(), signingKey.generated()
                    ? "made up now, kept in " + signingKey.secretKeyFile() : "from " + signingKey.secretKeyFile(),
                    signingKey.publicKeyFile() == null ? "" : ", public key in " + signingKey.publicKeyFile());
        }
        CatalogSigner signer = signingKey == null ? null : signingKey.signer();
        Infrastructure infrastructure = Infrastructure.start(settings);
        CamelContext camel = null;
        ImportStatuses statuses = null;
        StatusServer http = null;
        PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        // before any meter exists: the filter applies to meters registered after it
        metrics.config().meterFilter(new ThirdPartyMeterNames());
        ProcessMetrics processMetrics = ProcessMetrics.bindTo(metrics);
        try {
            StartupWait.until(Duration.ofSeconds(Long.parseLong(settings.property("ovaflow.startup.timeout-s", "300"))),
                    "preparing the topics and buckets", () -> {
                        infrastructure.prepare(settings);
                        if (signer != null && settings.stages().contains(Stage.PUBLISH)) {
                            // readers find the key before the first signature, where run says it is
                            infrastructure.store().write(settings.buckets().catalog(), CatalogIndex.PUBLIC_KEY,
                                    signer.armoredPublicKey(), CatalogIndex.PUBLIC_KEY_TYPE);
                        }
                    });
            camel = camelContext(settings, infrastructure, metrics, signer);
            beforeStart.accept(camel);
            camel.start();
            statuses = new ImportStatuses(infrastructure.kafka()).start();
            if (settings.httpPort() >= 0) {
                http = StatusServer.start(settings.httpHost(), settings.httpPort(), statuses, metrics,
                        camel::isStarted, infrastructure.store(), settings.buckets(),
                        ApiToken.resolve(settings.dataDir()), settings.properties(), signer);
            }
            Pipeline pipeline = new Pipeline(settings, infrastructure, camel, statuses, http, metrics, processMetrics,
                    signingKey);
            infrastructure.endpoints(http == null ? null : http.url()).writeTo(settings.dataDir());
            LOG.info("ovaflow started in {} ms: stages {}, Kafka {}, S3 {}{}",
                    (System.nanoTime() - started) / 1_000_000, settings.stages(), infrastructure.kafka(),
                    infrastructure.s3(), http == null ? "" : ", HTTP " + http.url());
            return pipeline;
        } catch (Exception | Error e) {
            closeAll(http, statuses, camel, infrastructure, metrics, processMetrics);
            throw e;
        }
    }

    private static CamelContext camelContext(PipelineSettings settings, Infrastructure infrastructure,
                                             PrometheusMeterRegistry metrics, CatalogSigner signer) {
        CamelContext camel = new DefaultCamelContext();
        camel.getCamelContextExtension().setName("ovaflow");
        // every Kafka client of the routes reports its metrics (consumer lag…); every route its exchanges
        camel.getComponent("kafka", KafkaComponent.class).setKafkaClientFactory(new MeteredKafkaClientFactory(metrics));
        camel.getManagementStrategy().addEventNotifier(new RouteExchangeMetrics(metrics));
        Properties properties = new Properties();
        properties.putAll(settings.properties());
        properties.setProperty("ovaflow.kafka.brokers", infrastructure.kafka());
        // each process of a stage gets Kafka client ids of its own (metrics, broker logs) unless told otherwise
        properties.putIfAbsent("ovaflow.instance", defaultInstance());
        camel.getPropertiesComponent().setInitialProperties(properties);
        camel.getShutdownStrategy().setTimeout(Long.parseLong(settings.property("ovaflow.shutdown-timeout-s", "10")));
        // the stages count on this process's registry only: two pipelines in one JVM (tests) count apart
        for (RoutesBuilder routes : routes(settings, infrastructure, signer, new StageMetrics(metrics))) {
            try {
                camel.addRoutes(routes);
            } catch (Exception e) {
                throw new IllegalStateException("cannot add routes " + routes, e);
            }
        }
        return camel;
    }

    /** The host name (a container's id under Docker) and the process id. */
    private static String defaultInstance() {
        String host;
        try {
            host = java.net.InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            host = "localhost";
        }
        return host.replaceAll("[^A-Za-z0-9._-]", "_") + "-" + ProcessHandle.current().pid();
    }

    private static List<RoutesBuilder> routes(PipelineSettings settings, Infrastructure infrastructure,
                                              CatalogSigner signer, StageMetrics metrics) {
        Buckets buckets = settings.buckets();
        List<RoutesBuilder> routes = new ArrayList<>();
        for (Stage stage : settings.stages()) {
            // each stage's store counts what it asks the store to move (ovaflow_store_bytes_total{stage,op})
            ObjectStore store = infrastructure.store().counted(metrics.storeTraffic(stage.id()));
            routes.add(switch (stage) {
                case INGEST -> {
                    Arrivals arrivals = new Arrivals(buckets.incoming(), Arrays.asList(settings.property(
                            "ovaflow.ingest.suffixes", DEFAULT_INGEST_SUFFIXES).split("\\s*,\\s*")));
                    SeenTopic seen = new SeenTopic(Topics.INGEST_SEEN.topic(), infrastructure.kafka(),
                            Integer.parseInt(settings.property("ovaflow.ingest.seen-cache", "1000000")));
                    yield new IngestRoutes(new BucketScan(store, arrivals, Clock.systemUTC()),
                            new S3EventNotification(arrivals, Clock.systemUTC()), seen, new UploaderOverrides(store),
                            new UnpackedArrivals(store, arrivals, Clock.systemUTC()), metrics);
                }
                case CHECKSUM -> new ChecksumRoute(new ChecksumStage(store,
                        new PackageVerifier(validationSettings(settings)), new PackageSources(packageLimits(settings)),
                        buckets.staging(), metrics), metrics);
                case SCHEMA -> new SchemaRoute(new SchemaStage(store,
                        new DescriptorValidator(new OvfDescriptorParser(), validationSettings(settings)), metrics),
                        metrics);
                case TRANSCODE -> new TranscodeRoute(new TranscodeStage(store, buckets.staging(),
                        transcodeSettings(settings),
                        CatalogLocation.holdingOutputs(buckets.catalog(), event -> CatalogPath.of(event).prefix()), metrics),
                        metrics);
                case PUBLISH -> new PublishRoute(new PublishStage(store, CatalogWrites.to(store), buckets.catalog(),
                        PublishSettings.parse(settings.property("ovaflow.publish.on-conflict", "reject"),
                                settings.property("ovaflow.publish.keep-ova", "true")), signer), metrics);
                case QUARANTINE -> new QuarantineRoute(new QuarantineStage(store, buckets.quarantine()), metrics);
            });
        }
        return routes;
    }

    /** {@code ovaflow.validate.*}: the manifest, signature and descriptor policies of the checksum and schema stages. */
    static ValidationSettings validationSettings(PipelineSettings settings) {
        String trustStore = settings.property("ovaflow.validate.trust-store", "");
        // the environment first: a -D on the command line shows in ps
        String password = settings.property("ovaflow.validate.trust-store-password",
                Objects.requireNonNullElse(System.getenv("OVAFLOW_TRUST_STORE_PASSWORD"), ""));
        return new ValidationSettings(
                ValidationSettings.policy(ValidationSettings.ManifestPolicy.class, "ovaflow.validate.manifest",
                        settings.property("ovaflow.validate.manifest", "optional")),
                ValidationSettings.policy(ValidationSettings.SignaturePolicy.class, "ovaflow.validate.signature",
                        settings.property("ovaflow.validate.signature", "verify-if-present")),
                trustStore.isBlank() ? null : Path.of(trustStore),
                password.isEmpty() ? null : password.toCharArray(),
                Long.parseLong(settings.property("ovaflow.validate.max-capacity",
                        Long.toString(ValidationSettings.DEFAULT_MAX_CAPACITY))),
                ValidationSettings.policy(ValidationSettings.RemoteHrefPolicy.class, "ovaflow.validate.remote-hrefs",
                        settings.property("ovaflow.validate.remote-hrefs", "refuse")));
    }

    /** {@code ovaflow.validate.max-package-*}: how large a compressed OVA or an unpacked package may be made. */
    static PackageSources.Limits packageLimits(PipelineSettings settings) {
        return new PackageSources.Limits(
                Long.parseLong(settings.property("ovaflow.validate.max-package-size",
                        Long.toString(PackageSources.Limits.DEFAULTS.maxPackageBytes()))),
                Integer.parseInt(settings.property("ovaflow.validate.max-package-files",
                        Integer.toString(PackageSources.Limits.DEFAULTS.maxFiles()))));
    }

    /** {@code ovaflow.transcode.*}: the targets and profiles, VHD rounding and the largest disk accepted. */
    static TranscodeSettings transcodeSettings(PipelineSettings settings) {
        return TranscodeSettings.parse(settings.property("ovaflow.transcode.targets", TranscodeSettings.DEFAULT_TARGETS),
                Boolean.parseBoolean(settings.property("ovaflow.transcode.vhd-round-to-mib", "true")),
                Long.parseLong(settings.property("ovaflow.transcode.max-virtual-size",
                        Long.toString(ReadOptions.DEFAULT_MAX_VIRTUAL_SIZE))),
                profileSettings(settings));
    }

    /** {@code ovaflow.profile.*}: how the platform profiles are written. */
    static ProfileSettings profileSettings(PipelineSettings settings) {
        String signingKey = settings.property("ovaflow.profile.vmware.signing-key", "");
        // the environment first: a -D on the command line shows in ps
        String password = settings.property("ovaflow.profile.vmware.signing-key-password",
                Objects.requireNonNullElse(System.getenv("OVAFLOW_PROFILE_SIGNING_PASSWORD"), ""));
        String awsBucket = settings.property("ovaflow.profile.aws.bucket", "");
        return new ProfileSettings(
                settings.property("ovaflow.profile.vmware.hardware-family", ProfileSettings.DEFAULT_HARDWARE_FAMILY),
                ManifestAlgorithm.of(settings.property("ovaflow.profile.vmware.manifest", "sha256")),
                signingKey.isBlank() ? null : ManifestSigner.load(Path.of(signingKey), password.toCharArray()),
                TargetFormat.of(settings.property("ovaflow.profile.aws.format", "vmdk")),
                awsBucket.isBlank() ? null : awsBucket);
    }

    public PipelineSettings settings() {
        return settings;
    }

    public ObjectStore store() {
        return infrastructure.store();
    }

    public String kafka() {
        return infrastructure.kafka();
    }

    public Endpoints endpoints() {
        return infrastructure.endpoints(http == null ? null : http.url());
    }

    public ImportStatuses statuses() {
        return statuses;
    }

    public CamelContext camel() {
        return camel;
    }

    public String httpUrl() {
        return http == null ? null : http.url();
    }

    /** The key that signs the catalog's index and feeds; null in a process that neither publishes nor serves HTTP. */
    public SigningKey signingKey() {
        return signingKey;
    }

    @Override
    public void close() {
        closeAll(http, statuses, camel, infrastructure, metrics, processMetrics);
    }

    private static void closeAll(StatusServer http, ImportStatuses statuses, CamelContext camel,
                                 Infrastructure infrastructure, PrometheusMeterRegistry metrics,
                                 ProcessMetrics processMetrics) {
        for (AutoCloseable part : new AutoCloseable[]{http, statuses, camel, infrastructure, processMetrics}) {
            if (part == null) {
                continue;
            }
            try {
                part.close();
            } catch (Exception e) {
                LOG.warn("stopping {} failed: {}", part.getClass().getSimpleName(), e.toString());
            }
        }
        metrics.close();
    }
}
