package org.ovaflow.core.stage;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.component.kafka.KafkaComponent;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.component.kafka.consumer.CommitManager;
import org.apache.camel.component.kafka.consumer.DefaultKafkaManualCommitFactory;
import org.apache.camel.component.kafka.consumer.KafkaManualCommit;
import org.apache.camel.component.kafka.consumer.KafkaManualCommitFactory;
import org.apache.camel.support.DefaultMessage;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.ovaflow.core.config.SharedSettings;
import org.ovaflow.core.event.Topics;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How the stages talk to Kafka through Camel's Kafka component. What every stage's consumers and producer share
 * is set once on the component ({@link #configure}); each route's endpoint URI carries only what is its own:
 * topic, consumer group, client id, consumers, batching.
 *
 * <p>Delivery: each stage is its own consumer group and commits by hand, after the records an input caused are
 * acknowledged by all in-sync replicas (at least once).
 */
public final class StageKafka {

    /**
     * The producer every stage writes through. Its topic is only the default: each record names its own
     * ({@link #messages}).
     */
    public static final String PRODUCER = "kafka:" + Topics.DLQ.topic();

    private StageKafka() {
    }

    /**
     * How the members of a stage's consumer group share its partitions ({@code ovaflow.kafka.group-protocol}).
     * Scaling a stage must not make it redo work: StageScalingIT measures it.
     */
    public enum GroupProtocol {
        /**
         * KIP-848 (Kafka 4.0 brokers and later): the broker assigns, moving only the partitions that change hands;
         * members heartbeat from a thread of their own, so a member working on one record for an hour keeps its
         * partitions, its commits succeed, and it stalls no one else's rebalance.
         */
        CONSUMER,
        /**
         * The classic protocol with the cooperative sticky assignor, for brokers before 4.0. Incremental, but a
         * member's commit fails while the group rebalances and the rebalance waits for members busy with an import:
         * imports in flight while a stage scales may be worked again (2 of 20 in StageScalingIT's run).
         */
        CLASSIC
    }

    /** Sets the component's shared configuration ({@link #configuration}) for the brokers at {@code brokers}. */
    public static void configure(KafkaComponent component, String brokers) {
        configure(component, brokers, GroupProtocol.CONSUMER);
    }

    /** {@link #configure(KafkaComponent, String)} with the consumer groups' {@code protocol}. */
    public static void configure(KafkaComponent component, String brokers, GroupProtocol protocol) {
        component.setConfiguration(configuration(brokers, protocol));
        component.setKafkaManualCommitFactory(new RouteCommitsOnly());
    }

    /**
     * Makes the commits Camel's own factory makes, but is not that factory: Camel picks its commit manager by the
     * factory's class, and for {@link DefaultKafkaManualCommitFactory} it takes one that commits the consumer's
     * position when it stops, which includes a record taken up but whose outcome was never written (the process
     * stopped mid-import: ScaleOutIT). With any other factory it commits nothing of its own, only what the route
     * commits. Set rather than left out, so that the component does not warn that manual commits lack a factory.
     */
    private static final class RouteCommitsOnly implements KafkaManualCommitFactory {

        private final KafkaManualCommitFactory commits = new DefaultKafkaManualCommitFactory();

        @Override
        public KafkaManualCommit newInstance(CamelExchangePayload exchange, KafkaRecordPayload record,
                                             CommitManager commitManager) {
            return commits.newInstance(exchange, record, commitManager);
        }
    }

    /** What every endpoint of the stages starts from: the brokers, the consumers' and the producer's defaults. */
    public static KafkaConfiguration configuration(String brokers) {
        return configuration(brokers, GroupProtocol.CONSUMER);
    }

    /** {@link #configuration(String)} with the consumer groups' {@code protocol}. */
    public static KafkaConfiguration configuration(String brokers, GroupProtocol protocol) {
        KafkaConfiguration configuration = new KafkaConfiguration();
        configuration.setBrokers(brokers);
        switch (protocol) {
            // Camel sets no assignor of its own with this protocol: the broker's (uniform) assigns
            case CONSUMER -> configuration.setGroupProtocol("consumer");
            case CLASSIC -> {
                configuration.setGroupProtocol("classic");
                configuration.setPartitionAssignor(CooperativeStickyAssignor.class.getName());
            }
        }
        // consumers: a new group reads its topic from the start; the route commits once the outcome is written
        configuration.setAutoOffsetReset("earliest");
        configuration.setAllowManualCommit(true);
        configuration.setAutoCommitEnable(false);
        // a record whose handling failed (even its dead letter unwritten) is read again, not skipped
        configuration.setBreakOnFirstError(true);
        // the consumer notices a stop between polls: short polls make shutdown quick
        configuration.setPollTimeoutMs(500L);
        configuration.setValueDeserializer(ByteArrayDeserializer.class.getName());
        // the producer: acks from all in-sync replicas, idempotent
        configuration.setRequestRequiredAcks("all");
        configuration.setEnableIdempotence(true);
        // the route waits for each send's acknowledgement before it commits: lingering only delays it
        configuration.setLingerMs(0);
        // each record of a batch carries its own CloudEvents headers, not those of the exchange
        configuration.setBatchWithIndividualHeaders(true);
        configuration.setValueSerializer(ByteArraySerializer.class.getName());
        return configuration;
    }

    /**
     * Consumes {@code topic} as {@code stage}'s consumer group ({@code ovaflow-<stage>}), one record at a time. Each
     * of the process's consumers of the stage ({@code ovaflow.stage.<stage>.consumers}, default 1) is a member of
     * the group with partitions of its own, handled one record after the other. Default 1: Kafka's assignors hand
     * partitions to members in the order of their ids, so one process with several consumers would take every
     * partition from the processes started after it (ScaleOutIT).
     */
    public static String consumer(String stage, Topics topic) {
        return endpoint(stage, topic) + "&maxPollRecords=1";
    }

    /**
     * Consumes {@code topic} like {@link #consumer} a batch at a time: the records a poll returned, up to
     * {@code ovaflow.stage.<stage>.batch-size} (default 200), a partial batch once its first record waited
     * {@code ovaflow.stage.<stage>.batch-wait-ms} (default 200) or no more came. For a stage whose work has a cost
     * per batch that does not depend on its size (the publish stage's catalog index). 200, not 50: 1,000 imports
     * through bench/onboard.sh went at 4.7 a second against 3.8 with batches of 50; a batch of 200 entries takes
     * seconds of work, far from Kafka's 5 minutes between polls.
     */
    public static String batchConsumer(String stage, Topics topic) {
        return endpoint(stage, topic) + "&batching=true"
                + "&maxPollRecords=" + SharedSettings.STAGE_BATCH_SIZE.at(stage).placeholder()
                + "&batchingIntervalMs=" + SharedSettings.STAGE_BATCH_WAIT_MS.at(stage).placeholder();
    }

    /** The consumer group of {@code stage}'s processes: {@code ovaflow-<stage>}. */
    public static String groupId(String stage) {
        return "ovaflow-" + stage;
    }

    private static String endpoint(String stage, Topics topic) {
        return "kafka:" + topic.topic()
                + "?groupId=" + groupId(stage)
                + "&clientId=ovaflow-" + stage + "-{{ovaflow.instance:1}}"
                // a consumer waits on the store and the broker most of the time: more of them let a lone
                // process of a stage work on one import per partition at once
                + "&consumersCount=" + SharedSettings.STAGE_CONSUMERS.at(stage).placeholder()
                // a stage may work on one import for a long time (a large disk): keep the partition meanwhile
                + "&maxPollIntervalMs=" + SharedSettings.STAGE_MAX_POLL_INTERVAL_MS.at(stage).placeholder();
    }

    /** Camel messages that the {@link #PRODUCER} turns back into exactly {@code records}, header names included. */
    public static List<Message> messages(Exchange exchange, List<ProducerRecord<String, byte[]>> records) {
        return records.stream().map(record -> message(exchange, record)).toList();
    }

    private static Message message(Exchange exchange, ProducerRecord<String, byte[]> record) {
        Message message = new RecordMessage(exchange);
        message.setHeader(KafkaConstants.OVERRIDE_TOPIC, record.topic());
        message.setHeader(KafkaConstants.KEY, record.key());
        for (Header header : record.headers()) {
            message.setHeader(header.key(), header.value());
        }
        message.setBody(record.value());
        return message;
    }

    /**
     * A message whose header names stay as they were set. Kafka's header names are case-sensitive; Camel's usual
     * header map is not, and writes a name it knows in its own spelling: the CloudEvents Kafka binding's
     * {@code content-type} reached the broker as {@code Content-Type}, which the SDK's reader does not see (an event
     * without datacontenttype).
     */
    private static final class RecordMessage extends DefaultMessage {

        RecordMessage(Exchange exchange) {
            super(exchange);
        }

        @Override
        protected Map<String, Object> createHeaders() {
            return new LinkedHashMap<>();
        }
    }
}
