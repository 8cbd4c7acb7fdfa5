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
import org.ovaflow.core.config.Settings;
import org.ovaflow.core.config.SharedSettings;
import org.ovaflow.core.event.CatalogFolder;
import org.ovaflow.core.stage.StageContext;
import org.ovaflow.core.stage.StageErrorHandling;
import org.ovaflow.core.stage.StageKafka;
import org.ovaflow.core.stage.StageMetrics;
import org.ovaflow.core.stage.StageRoutes;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.publish.catalog.CatalogIndex;
import org.ovaflow.publish.catalog.CatalogPath;
import org.ovaflow.publish.signing.CatalogSigner;
import org.ovaflow.publish.signing.SigningKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.function.Consumer;

/**
 * One ovaflow process: its broker and store (embedded or external), the Camel routes of the stages it runs,
 * the status reader and the HTTP server. Closing it stops them in reverse order.
 */
public final class Pipeline implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Pipeline.class);

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
        // a bad value is refused before any server starts, with its key
        StageModules.load().check(settings);
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
            StartupWait.until(Duration.ofSeconds(settings.get(ProcessSettings.STARTUP_TIMEOUT_S)),
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
        // what every Kafka endpoint of the stages shares, set once: their URIs carry only what is their own
        KafkaComponent kafka = camel.getComponent("kafka", KafkaComponent.class);
        StageKafka.configure(kafka, infrastructure.kafka(),
                SharedSettings.KAFKA_GROUP_PROTOCOL.from(settings.properties()));
        // every Kafka client of the routes reports its metrics (consumer lag…); every route its exchanges
        kafka.setKafkaClientFactory(new MeteredKafkaClientFactory(metrics));
        camel.getManagementStrategy().addEventNotifier(new RouteExchangeMetrics(metrics));
        Properties properties = new Properties();
        // what is given; a route's placeholder carries its declaration's default (Setting.placeholder)
        properties.putAll(settings.properties());
        // each process of a stage gets Kafka client ids of its own (metrics, broker logs) unless told otherwise
        properties.putIfAbsent("ovaflow.instance", defaultInstance());
        camel.getPropertiesComponent().setInitialProperties(properties);
        camel.getShutdownStrategy().setTimeout(ProcessSettings.SHUTDOWN_TIMEOUT_S.from(settings.properties()));
        // the stages count on this process's registry only: two pipelines in one JVM (tests) count apart
        StageMetrics stageMetrics = new StageMetrics(metrics);
        List<RoutesBuilder> all = new ArrayList<>();
        // retries and dead letters, declared once for every stage route
        all.add(new StageErrorHandling(stageMetrics));
        all.addAll(routes(settings, infrastructure, signer, stageMetrics));
        for (RoutesBuilder routes : all) {
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

    /** The routes of the stages the process runs, each from the module that provides it. */
    private static List<RoutesBuilder> routes(PipelineSettings settings, Infrastructure infrastructure,
                                              CatalogSigner signer, StageMetrics metrics) {
        Map<Class<?>, Object> services = new HashMap<>();
        // transcode names the objects publish will write; publish signs the index
        services.put(CatalogFolder.class, (CatalogFolder) event -> CatalogPath.of(event).prefix());
        if (signer != null) {
            services.put(CatalogSigner.class, signer);
        }
        Settings given = new Settings(settings.properties());
        StageModules modules = StageModules.load();
        List<RoutesBuilder> routes = new ArrayList<>();
        for (Stage stage : settings.stages()) {
            // each stage's store counts what it asks the store to move (ovaflow_store_bytes_total{stage,op})
            ObjectStore store = infrastructure.store().counted(metrics.storeTraffic(stage.id()));
            StageContext context = new StageContext(given, store, metrics, infrastructure.kafka(), services);
            routes.add(modules.of(stage).routes(stage.id(), context));
        }
        return routes;
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
