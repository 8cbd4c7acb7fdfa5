package org.ovaflow.app.metrics;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;

/**
 * The meters of Kafka's clients and of Micrometer's system binders whose names break Prometheus's naming rules
 * ({@code promtool check metrics}), renamed where the value allows it and dropped where it does not. Each rule
 * names what it fixes; ovaflow's own meters need none.
 */
public final class ThirdPartyMeterNames implements MeterFilter {

    @Override
    public MeterFilterReply accept(Meter.Id id) {
        String name = id.getName();
        if (name.startsWith("kafka.")) {
            // "*-time-ns-total", "*-time-ns-avg", "start-time-ms": abbreviated units that a rename cannot turn
            // into seconds; the *-ratio gauges (io-ratio, io-wait-ratio…) tell the same story
            if (name.contains(".time.ns") || name.endsWith(".time.ms")) {
                return MeterFilterReply.DENY;
            }
            // per-node request latency of producers: Kafka gives it no description ("no help text");
            // the producer's own request-latency-avg/max are kept
            if (id.getDescription() == null || id.getDescription().isBlank()) {
                return MeterFilterReply.DENY;
            }
            // the KIP-848 consumer's counts of its internal event queues (application-events-expired-count…):
            // a gauge must not end in "_count", and they say nothing an operator acts on (the connections' count,
            // renamed below, is kept)
            if (name.endsWith(".count") && !name.endsWith(".connection.count")) {
                return MeterFilterReply.DENY;
            }
        }
        // counted in nanoseconds; ProcessMetrics serves it in seconds as process_cpu_seconds_total
        if (name.equals("process.cpu.time")) {
            return MeterFilterReply.DENY;
        }
        return MeterFilterReply.NEUTRAL;
    }

    @Override
    public Meter.Id map(Meter.Id id) {
        String name = id.getName();
        // a gauge must not end in "_count" (that suffix belongs to histograms and summaries)
        if (name.equals("system.cpu.count")) {
            return id.withName("system.cpus");
        }
        if (name.startsWith("kafka.") && name.endsWith(".connection.count")) {
            return id.withName(name.substring(0, name.length() - ".connection.count".length()) + ".connections");
        }
        return id;
    }
}
