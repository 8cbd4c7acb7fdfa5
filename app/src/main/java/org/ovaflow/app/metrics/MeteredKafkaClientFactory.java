package org.ovaflow.app.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
import org.apache.camel.component.kafka.KafkaClientFactory;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.Producer;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Kafka clients Camel creates, with Micrometer's {@link KafkaClientMetrics} bound to each (consumer lag,
 * fetch and send rates…, told apart by their {@code client_id} label); the binder is closed with its client.
 * The consumers of one route (its {@code consumersCount}) share their configured client id: the second and
 * later of them get {@code -2}, {@code -3}… appended, so that each keeps meters of its own.
 */
public final class MeteredKafkaClientFactory implements KafkaClientFactory {

    private final KafkaClientFactory clients;
    private final MeterRegistry registry;
    /** Client ids of the consumers made here and not closed yet. */
    private final Set<String> consumerIds = ConcurrentHashMap.newKeySet();

    public MeteredKafkaClientFactory(KafkaClientFactory clients, MeterRegistry registry) {
        this.clients = clients;
        this.registry = registry;
    }

    public MeteredKafkaClientFactory(MeterRegistry registry) {
        this(new DefaultKafkaClientFactory(), registry);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Producer getProducer(Properties properties) {
        Producer<?, ?> producer = clients.getProducer(properties);
        KafkaClientMetrics metrics = new KafkaClientMetrics(producer);
        metrics.bindTo(registry);
        return closingWith(Producer.class, producer, metrics::close);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Consumer getConsumer(Properties properties) {
        String clientId = properties.getProperty(ConsumerConfig.CLIENT_ID_CONFIG);
        String uniqueId = null;
        if (clientId != null && !clientId.isEmpty()) {
            uniqueId = clientId;
            for (int n = 2; !consumerIds.add(uniqueId); n++) {
                uniqueId = clientId + "-" + n;
            }
            properties = (Properties) properties.clone();
            properties.setProperty(ConsumerConfig.CLIENT_ID_CONFIG, uniqueId);
        }
        Consumer<?, ?> consumer;
        try {
            consumer = clients.getConsumer(properties);
        } catch (RuntimeException e) {
            if (uniqueId != null) {
                consumerIds.remove(uniqueId);
            }
            throw e;
        }
        KafkaClientMetrics metrics = new KafkaClientMetrics(consumer);
        metrics.bindTo(registry);
        String issued = uniqueId;
        return closingWith(Consumer.class, consumer, () -> {
            metrics.close();
            if (issued != null) {
                consumerIds.remove(issued);
            }
        });
    }

    @Override
    public String getBrokers(KafkaConfiguration configuration) {
        return clients.getBrokers(configuration);
    }

    /**
     * {@code client} as its interface, running {@code onClose} (closing its metrics binder…) when it is closed:
     * the binder polls the client and keeps a thread of its own, and its meters would otherwise outlive the client.
     */
    private static <T> T closingWith(Class<T> type, T client, Runnable onClose) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, (proxy, method, args) -> {
            if (method.getName().equals("close")) {
                onClose.run();
            }
            try {
                return method.invoke(client, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }));
    }
}
