package org.ovaflow.app.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

/**
 * The JVM's and the process's meters (memory, GC, threads, classes, CPU, uptime, open files) on a registry;
 * bind after {@link ThirdPartyMeterNames} is on the registry, so that their names pass promtool.
 */
public final class ProcessMetrics implements AutoCloseable {

    private final JvmGcMetrics gc;

    private ProcessMetrics(JvmGcMetrics gc) {
        this.gc = gc;
    }

    public static ProcessMetrics bindTo(MeterRegistry registry) {
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        new FileDescriptorMetrics().bindTo(registry);
        // Prometheus's usual name for it; Micrometer's process.cpu.time counts nanoseconds (see ThirdPartyMeterNames)
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean hotspot) {
            FunctionCounter.builder("process.cpu", hotspot, bean -> bean.getProcessCpuTime() / 1e9)
                    .description("CPU time the JVM process used").baseUnit("seconds")
                    .register(registry);
        }
        // the only one that listens (to GC notifications): it must be closed
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
        return new ProcessMetrics(gc);
    }

    @Override
    public void close() {
        gc.close();
    }
}
