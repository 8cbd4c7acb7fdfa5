package org.ovaflow.app;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.ovaflow.app.http.ApiToken;
import org.ovaflow.app.pipeline.CatalogSigning;
import org.ovaflow.app.pipeline.Pipeline;
import org.ovaflow.app.pipeline.Stage;
import org.ovaflow.core.testing.ExternalTool;
import org.ovaflow.app.pipeline.StageModules;
import org.ovaflow.core.config.Setting;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.awaitility.Awaitility.await;

/**
 * deploy/kubernetes as a cluster would take it, without a cluster: rendered by {@code kubectl kustomize}, every
 * object parsed into Kubernetes' own model refusing unknown fields (the API server would drop them silently),
 * every ScaledObject held to KEDA's CRD schema, and the whole held against ovaflow itself — the stage names, the
 * options and environment variables the processes read, the port and the probe path they serve, and, from a real
 * pipeline started with the deployment's own settings, the consumer groups, topics and partitions they use.
 */
class KubernetesDeploymentIT {

    private static final Path DEPLOY = Path.of("..", "deploy", "kubernetes").toAbsolutePath().normalize();
    private static final List<String> KUSTOMIZATIONS = List.of("base", "overlays/example");
    /** Built-in kinds, each parsed into fabric8's model of it. */
    private static final Map<String, Class<?>> MODEL = Map.of(
            "ConfigMap", ConfigMap.class,
            "Deployment", Deployment.class,
            "Namespace", Namespace.class,
            "PodDisruptionBudget", PodDisruptionBudget.class,
            "Secret", Secret.class,
            "Service", Service.class);
    /** The Kafka scaler's trigger parameters (KEDA pkg/scalers/kafka_scaler.go): the CRD leaves them free. */
    private static final Set<String> KAFKA_TRIGGER_PARAMETERS = Set.of("bootstrapServers", "bootstrapServersFromEnv",
            "consumerGroup", "consumerGroupFromEnv", "topic", "topicFromEnv", "lagThreshold",
            "activationLagThreshold", "offsetResetPolicy", "allowIdleConsumers", "excludePersistentLag",
            "scaleToZeroOnInvalidOffset", "limitToPartitionsWithLag", "ensureEvenDistributionOfPartitions", "version",
            "partitionLimitation", "tls", "sasl");
    /** The path the probes ask, which the live test asks a running pipeline too. */
    private static final String HEALTH = "/health";
    private static final Pattern ENV_REFERENCE = Pattern.compile("\\$\\(([A-Z0-9_]+)\\)");

    private static final ObjectMapper YAML = new YAMLMapper();
    /** Jackson over fabric8's model with its catch-all setters switched off, so that an unknown field fails. */
    private static final ObjectMapper STRICT = new ObjectMapper()
            .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
            .setAnnotationIntrospector(new JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasAnySetter(Annotated annotated) {
                    return false;
                }
            });

    private static Map<String, List<JsonNode>> rendered;

    @BeforeAll
    static void render() throws IOException {
        String kubectl = ExternalTool.require("kubectl", "kubectl", "the Kubernetes deployment's tests");
        rendered = new LinkedHashMap<>();
        for (String kustomization : KUSTOMIZATIONS) {
            ExternalTool.Result result = ExternalTool.run(null,
                    List.of(kubectl, "kustomize", DEPLOY.resolve(kustomization).toString()), Duration.ofMinutes(1))
                    .assertSuccess();
            List<JsonNode> objects = new ArrayList<>();
            try (var documents = YAML.readerFor(JsonNode.class).readValues(result.output())) {
                while (documents.hasNext()) {
                    JsonNode object = (JsonNode) documents.next();
                    if (object != null && !object.isEmpty()) {
                        objects.add(object);
                    }
                }
            }
            assertThat(objects).as(kustomization).isNotEmpty();
            rendered.put(kustomization, objects);
        }
    }

    @Test
    void everyBuiltInObjectParsesIntoTheKubernetesModelWithNoUnknownField() {
        rendered.forEach((kustomization, objects) -> {
            for (JsonNode object : objects) {
                String kind = object.path("kind").asText();
                if (kind.equals("ScaledObject")) {
                    continue;
                }
                assertThat(MODEL).as(kustomization + ": a kind this test knows").containsKey(kind);
                try {
                    STRICT.treeToValue(object, MODEL.get(kind));
                } catch (IOException e) {
                    throw new AssertionError(kustomization + ": " + kind + " " + name(object) + ": " + e.getMessage(), e);
                }
            }
        });
    }

    @Test
    void everyScaledObjectMatchesKedasSchema() throws IOException {
        Schema schema = scaledObjectSchema();
        rendered.forEach((kustomization, objects) -> {
            for (JsonNode scaledObject : ofKind(objects, "ScaledObject")) {
                List<Error> errors = schema.validate(scaledObject);
                assertThat(errors).as(kustomization + ": ScaledObject " + name(scaledObject)).isEmpty();
                for (JsonNode trigger : scaledObject.path("spec").path("triggers")) {
                    assertThat(trigger.path("type").asText()).isEqualTo("kafka");
                    assertThat(fieldNames(trigger.path("metadata"))).as("Kafka scaler parameters of " + name(scaledObject))
                            .isSubsetOf(KAFKA_TRIGGER_PARAMETERS);
                }
            }
        });
    }

    @Test
    void theChecksRefuseWhatKubernetesOrKedaWouldNotTake() throws IOException {
        Schema schema = scaledObjectSchema();
        ObjectNode scaledObject = ofKind(rendered.get("base"), "ScaledObject").get(0).deepCopy();
        ((ObjectNode) scaledObject.path("spec")).put("maxReplicaCount", "three");
        assertThat(schema.validate(scaledObject)).isNotEmpty();
        scaledObject = ofKind(rendered.get("base"), "ScaledObject").get(0).deepCopy();
        ((ObjectNode) scaledObject.path("spec")).put("cooldownPeriods", 60);
        assertThat(schema.validate(scaledObject)).as("an unknown field").isNotEmpty();
        ObjectNode deployment = ofKind(rendered.get("base"), "Deployment").get(0).deepCopy();
        ((ObjectNode) deployment.path("spec").path("template").path("spec").path("containers").get(0))
                .put("imagePullPolicyy", "Always");
        assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> STRICT.treeToValue(deployment, Deployment.class)))
                .as("an unknown field of a Deployment").isNotNull();
    }

    @Test
    void oneDeploymentPerStageRunningOvaflowAsItsCommandLineReadsIt() {
        Set<String> environmentTheCodeReads = environmentTheCodeReads();
        List<Setting<?>> declared = StageModules.load().allSettings();
        rendered.forEach((kustomization, objects) -> {
            Map<String, String> settings = settings(objects);
            Set<String> stages = new TreeSet<>();
            for (JsonNode deployment : ofKind(objects, "Deployment")) {
                String where = kustomization + ": Deployment " + name(deployment);
                Container container = model(deployment, Deployment.class).getSpec().getTemplate().getSpec()
                        .getContainers().get(0);
                List<String> args = expand(container.getArgs(), settings, where);
                CommandLine.ParseResult run = parseRun(args, where);
                Set<Stage> ran = Stage.parse(run.matchedOptionValue("--stages", "all"));
                assertThat(ran).as(where + ": one stage a Deployment").hasSize(1);
                ran.forEach(stage -> stages.add(stage.id()));
                int httpPort = run.matchedOptionValue("--http-port",
                        Integer.parseInt(run.commandSpec().findOption("--http-port").defaultValue()));
                assertThat(httpPort).as(where).isEqualTo(container.getPorts().get(0).getContainerPort());
                for (var probe : List.of(container.getStartupProbe(), container.getReadinessProbe(),
                        container.getLivenessProbe())) {
                    assertThat(probe.getHttpGet().getPath()).as(where).isEqualTo(HEALTH);
                    assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo(container.getPorts().get(0).getName());
                }
                for (EnvVar env : container.getEnv()) {
                    if (env.getValueFrom() != null && env.getValueFrom().getSecretKeyRef() != null) {
                        assertThat(environmentTheCodeReads).as(where + ": a secret no one reads").contains(env.getName());
                    }
                }
                assertThat(String.join(" ", args)).as(where + ": no secret on the command line")
                        .doesNotContainIgnoringCase("secret-key=").doesNotContainIgnoringCase("password=")
                        .doesNotContainIgnoringCase("passphrase=").doesNotContainIgnoringCase("token=");
                assertThat(settings).as(where).containsKeys("OVAFLOW_KAFKA", "OVAFLOW_S3");
                assertThat(environmentTheCodeReads).contains("OVAFLOW_KAFKA", "OVAFLOW_S3");
                // a misspelt key would only be logged at start: every key given is one a module declares, its value
                // one the declaration takes
                properties(args).forEach((key, value) -> {
                    Setting<?> setting = declared.stream().filter(candidate -> candidate.covers(key)).findFirst()
                            .orElseThrow(() -> new AssertionError(where + ": " + key + " is no declared setting"));
                    assertThatCode(() -> setting.forKey(key).from(Map.of(key, value))).as(where + ": " + key)
                            .doesNotThrowAnyException();
                });
            }
            assertThat(stages).as(kustomization)
                    .isEqualTo(Arrays.stream(Stage.values()).map(Stage::id).collect(Collectors.toCollection(TreeSet::new)));
        });
    }

    @Test
    void eachStageScalesUpToItsInputTopicsPartitionsAndNoFurther() {
        rendered.forEach((kustomization, objects) -> {
            Map<String, String> settings = settings(objects);
            for (JsonNode scaledObject : ofKind(objects, "ScaledObject")) {
                JsonNode trigger = scaledObject.path("spec").path("triggers").get(0).path("metadata");
                String topic = trigger.path("topic").asText();
                Deployment deployment = model(byName(objects, "Deployment",
                        scaledObject.path("spec").path("scaleTargetRef").path("name").asText()), Deployment.class);
                Map<String, String> properties = properties(expand(deployment.getSpec().getTemplate().getSpec()
                        .getContainers().get(0).getArgs(), settings, name(scaledObject)));
                assertThat(scaledObject.path("spec").path("maxReplicaCount").asInt())
                        .as(kustomization + ": ScaledObject " + name(scaledObject) + " against " + topic + "'s partitions")
                        .isEqualTo(Integer.parseInt(properties.get("ovaflow.kafka.partitions." + topic)));
                assertThat(settings).as("the scaler finds the brokers in the container's environment")
                        .containsKey(trigger.path("bootstrapServersFromEnv").asText());
            }
        });
    }

    /**
     * A pipeline of every stage started with the overlay's own properties on embedded servers: the consumer group
     * of each ScaledObject exists and reads its topic, each topic got the partitions the deployment gives it, and
     * the probe path answers on the HTTP server.
     */
    @Test
    void theConsumerGroupsTopicsAndProbesAreTheOnesARunningPipelineUses(@TempDir Path dataDir) throws Exception {
        List<JsonNode> objects = rendered.get("overlays/example");
        Map<String, String> settings = settings(objects);
        JsonNode anyDeployment = ofKind(objects, "Deployment").get(0);
        Map<String, String> properties = properties(expand(model(anyDeployment, Deployment.class).getSpec()
                .getTemplate().getSpec().getContainers().get(0).getArgs(), settings, name(anyDeployment)));
        properties.remove("ovaflow.signing.key");
        properties.remove("ovaflow.shutdown-timeout-s");
        try (Pipeline pipeline = Pipeline.start(TestPipelines.embedded(dataDir, "all", properties));
             Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, pipeline.kafka()))) {
            HttpResponse<String> health = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(pipeline.httpUrl() + HEALTH)).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(health.statusCode()).isEqualTo(200);
            for (JsonNode scaledObject : ofKind(objects, "ScaledObject")) {
                JsonNode trigger = scaledObject.path("spec").path("triggers").get(0).path("metadata");
                String group = trigger.path("consumerGroup").asText();
                String topic = trigger.path("topic").asText();
                // a group the broker does not know yet (its consumer still joining) is an answer to wait past
                await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
                    ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group))
                            .describedGroups().get(group).get(10, TimeUnit.SECONDS);
                    Set<String> topics = description.members().stream().map(MemberDescription::assignment)
                            .flatMap(assignment -> assignment.topicPartitions().stream()).map(TopicPartition::topic)
                            .collect(Collectors.toSet());
                    assertThat(topics).as("topics of consumer group " + group).contains(topic);
                });
                int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get(10, TimeUnit.SECONDS)
                        .get(topic).partitions().size();
                assertThat(partitions).as(topic + "'s partitions").isEqualTo(scaledObject.path("spec")
                        .path("maxReplicaCount").asInt());
            }
        }
    }

    /** KEDA's CRD schema of ScaledObject, made strict: an object with declared properties takes no other. */
    private static Schema scaledObjectSchema() throws IOException {
        JsonNode crd;
        try (InputStream in = KubernetesDeploymentIT.class.getResourceAsStream("/keda/keda.sh_scaledobjects.yaml")) {
            crd = YAML.readTree(in);
        }
        JsonNode schema = null;
        for (JsonNode version : crd.path("spec").path("versions")) {
            if (version.path("name").asText().equals("v1alpha1")) {
                schema = version.path("schema").path("openAPIV3Schema").deepCopy();
            }
        }
        assertThat(schema).as("v1alpha1 in KEDA's CRD").isNotNull();
        structural(schema);
        return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_4).getSchema(schema);
    }

    /**
     * What Kubernetes reads a structural schema as, in JSON Schema: int-or-string takes either, and where a field
     * is not declared the API server prunes it, which for a manifest means a typo silently lost: refused here.
     */
    private static void structural(JsonNode node) {
        if (!(node instanceof ObjectNode object)) {
            return;
        }
        if (object.path("x-kubernetes-int-or-string").asBoolean()) {
            object.remove("type");
            object.putArray("type").add("integer").add("string");
        }
        if (object.has("properties") && !object.has("additionalProperties")
                && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean()) {
            ObjectNode properties = (ObjectNode) object.get("properties");
            // metadata is ObjectMeta, which the CRD does not spell out
            if (!properties.has("metadata") || properties.size() > 1) {
                object.put("additionalProperties", false);
            }
        }
        object.remove(fieldNames(object).stream().filter(name -> name.startsWith("x-kubernetes-")).toList());
        object.forEach(KubernetesDeploymentIT::structural);
    }

    /** The arguments parsed by ovaflow's own command line: an option it does not know fails here. */
    private static CommandLine.ParseResult parseRun(List<String> args, String where) {
        assertThat(args).as(where).startsWith("run");
        return Ovaflow.commandLine().parseArgs(args.toArray(String[]::new)).subcommand();
    }

    /** Every environment variable ovaflow's own code reads: the options' defaults and the secrets' names. */
    private static Set<String> environmentTheCodeReads() {
        Set<String> names = new HashSet<>(Set.of(ApiToken.ENV, CatalogSigning.PASSPHRASE_ENV,
                "OVAFLOW_S3_ACCESS_KEY", "OVAFLOW_S3_SECRET_KEY"));
        CommandLine run = Ovaflow.commandLine().getSubcommands().get("run");
        Pattern variable = Pattern.compile("\\$\\{([A-Z0-9_]+)");
        for (OptionSpec option : run.getCommandSpec().options()) {
            if (option.defaultValueString(false) != null) {
                Matcher matcher = variable.matcher(option.defaultValueString(false));
                while (matcher.find()) {
                    names.add(matcher.group(1));
                }
            }
        }
        return names;
    }

    /** The ConfigMap every process takes its environment from. */
    private static Map<String, String> settings(List<JsonNode> objects) {
        JsonNode configMap = ofKind(objects, "ConfigMap").stream()
                .filter(object -> name(object).startsWith("ovaflow-settings")).findFirst().orElseThrow();
        Map<String, String> settings = new HashMap<>();
        configMap.path("data").fields().forEachRemaining(entry -> settings.put(entry.getKey(), entry.getValue().asText()));
        return settings;
    }

    /** The arguments as Kubernetes hands them over: each $(VAR) replaced by the container's environment. */
    private static List<String> expand(List<String> args, Map<String, String> environment, String where) {
        List<String> expanded = new ArrayList<>();
        for (String arg : args) {
            Matcher matcher = ENV_REFERENCE.matcher(arg);
            StringBuilder out = new StringBuilder();
            while (matcher.find()) {
                assertThat(environment).as(where + ": " + arg).containsKey(matcher.group(1));
                matcher.appendReplacement(out, Matcher.quoteReplacement(environment.get(matcher.group(1))));
            }
            matcher.appendTail(out);
            expanded.add(out.toString());
        }
        return expanded;
    }

    private static Map<String, String> properties(List<String> args) {
        Map<String, String> properties = new HashMap<>();
        for (String arg : args) {
            if (arg.startsWith("--set=")) {
                String[] keyValue = arg.substring("--set=".length()).split("=", 2);
                properties.put(keyValue[0], keyValue[1]);
            }
        }
        return properties;
    }

    private static <T> T model(JsonNode object, Class<T> type) {
        try {
            return STRICT.treeToValue(object, type);
        } catch (IOException e) {
            throw new AssertionError(name(object) + ": " + e.getMessage(), e);
        }
    }

    private static List<JsonNode> ofKind(List<JsonNode> objects, String kind) {
        return objects.stream().filter(object -> object.path("kind").asText().equals(kind)).toList();
    }

    private static JsonNode byName(List<JsonNode> objects, String kind, String name) {
        return ofKind(objects, kind).stream().filter(object -> name(object).equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private static String name(JsonNode object) {
        return object.path("metadata").path("name").asText();
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }
}
