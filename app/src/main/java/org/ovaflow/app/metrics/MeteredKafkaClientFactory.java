package org.ovaflow.app.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import org.apache.camel.component.kafka.DefaultKafkaClientFactory;
import org.apache.camel.component.kafka.KafkaClientFactory;
import org.apache.camel.component.kafka.KafkaConfiguration;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.producer.Producer;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Properties;

/**
 * The Kafka clients Camel creates, with Micrometer's {@link KafkaClientMetrics} bound to each (consumer lag,
 * fetch and send rates…, told apart by their {@code client_id} label); the binder is closed with its client.
 */
public final class MeteredKafkaClientFactory implements KafkaClientFactory {

    private final KafkaClientFactory clients;
    private final MeterRegistry registry;

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
        return closingWith(Producer.class, producer, metrics);
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Consumer getConsumer(Properties properties) {
        Consumer<?, ?> consumer = clients.getConsumer(properties);
        KafkaClientMetrics metrics = new KafkaClientMetrics(consumer);
        metrics.bindTo(registry);
        return closingWith(Consumer.class, consumer, metrics);
    }

    @Override
    public String getBrokers(KafkaConfiguration configuration) {
        return clients.getBrokers(configuration);
    }

    /**
     * {@code client} as its interface, closing {@code metrics} when it is closed: the binder polls the client
     * and keeps a thread of its own, and its meters would otherwise outlive the client.
     */
    private static <T> T closingWith(Class<T> type, T client, KafkaClientMetrics metrics) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[]{type}, (proxy, method, args) -> {
            if (method.getName().equals("close")) {
                metrics.close();
            }
            try {
                return method.invoke(client, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }));
    }
}
