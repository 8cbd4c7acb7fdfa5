package org.ovaflow.app.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The CPU time a process (the pipeline under test) spent, in all and by part, read from Linux's /proc: the
 * benchmark takes one before its round and one after and prints the difference. By part means by thread name:
 * the JIT's compiler threads, the embedded store's server threads, the store client's, the embedded Kafka
 * broker's, the stages' (Camel's consumer threads), the garbage collector's. The process's own total counts the
 * threads that ended during the round too (the checksum stage's digest threads, publish's commit threads); what
 * no live thread accounts for is listed as "threads that ended".
 */
record ProcessCpu(long totalTicks, Map<Long, Long> ticksByThread, Map<Long, String> names) {

    /** Linux's USER_HZ: /proc reports CPU times in these (100 on every architecture the JDK runs on). */
    private static final double TICKS_A_SECOND = 100.0;

    /** Thread names (as /proc has them, at most 15 characters) to the part of the pipeline they belong to. */
    private static final List<Map.Entry<Pattern, String>> PARTS = List.of(
            Map.entry(Pattern.compile("C\\d CompilerThre.*"), "JIT compiler"),
            Map.entry(Pattern.compile("S3Proxy-Jetty.*"), "store server (s3proxy)"),
            Map.entry(Pattern.compile("OkHttp.*|Okio Watchdog"), "store client (OkHttp)"),
            Map.entry(Pattern.compile("Camel .*"), "stages (Camel consumers)"),
            Map.entry(Pattern.compile("kafka-producer-.*|kafka-coordinat.*|ovaflow-status.*"),
                    "Kafka clients (producers, status reader)"),
            Map.entry(Pattern.compile("data-plane-kafk.*|group-coordinat.*|kafka.*|quorum-controll.*|broker.*"
                    + "|controller.*|raft-.*|executor-.*|ExpirationReape.*|share-.*|persister-.*|transaction-.*"
                    + "|metrics-meter-t.*"), "Kafka broker"),
            Map.entry(Pattern.compile("GC Thread.*|G1 .*|VM Thread"), "GC and VM"));

    /** Reads the process's CPU times now; null where /proc is not there (not Linux) or the process is gone. */
    static ProcessCpu read(long pid) {
        Path proc = Path.of("/proc", Long.toString(pid));
        try {
            long total = ticks(Files.readString(proc.resolve("stat")));
            Map<Long, Long> byThread = new HashMap<>();
            Map<Long, String> names = new HashMap<>();
            try (Stream<Path> tasks = Files.list(proc.resolve("task"))) {
                for (Path task : (Iterable<Path>) tasks::iterator) {
                    try {
                        long tid = Long.parseLong(task.getFileName().toString());
                        byThread.put(tid, ticks(Files.readString(task.resolve("stat"))));
                        names.put(tid, Files.readString(task.resolve("comm")).strip());
                    } catch (IOException | RuntimeException ended) {
                        // the thread ended while being read: the process's total still counts it
                    }
                }
            }
            return new ProcessCpu(total, byThread, names);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** utime + stime, fields 14 and 15 of a stat line; the name before them may hold spaces, hence from ')'. */
    private static long ticks(String stat) {
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** Prints the CPU spent since {@code before}: in all, per import, and by part, largest first. */
    void printSince(ProcessCpu before, double wallSeconds, int imports) {
        double total = (totalTicks - before.totalTicks) / TICKS_A_SECOND;
        Map<String, Double> byPart = new LinkedHashMap<>();
        PARTS.forEach(part -> byPart.put(part.getValue(), 0.0));
        double live = 0;
        for (Map.Entry<Long, Long> thread : ticksByThread.entrySet()) {
            double seconds = (thread.getValue() - before.ticksByThread.getOrDefault(thread.getKey(), 0L))
                    / TICKS_A_SECOND;
            live += seconds;
            byPart.merge(part(names.get(thread.getKey())), seconds, Double::sum);
        }
        byPart.merge("threads that ended", Math.max(0, total - live), Double::sum);
        System.out.println();
        System.out.printf(Locale.ROOT, "where the CPU goes: the pipeline's process used %.1f CPU-s in %.1f s"
                        + " (%.2f cores, %d cores here), %.0f ms an import%n", total, wallSeconds,
                total / wallSeconds, Runtime.getRuntime().availableProcessors(), 1000 * total / imports);
        byPart.entrySet().stream()
                .filter(part -> part.getValue() > 0)
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(part -> System.out.printf(Locale.ROOT, "  %-46s %7.1f s %5.1f %% %7.1f ms an import%n",
                        part.getKey(), part.getValue(), 100 * part.getValue() / total,
                        1000 * part.getValue() / imports));
    }

    private static String part(String threadName) {
        for (Map.Entry<Pattern, String> part : PARTS) {
            if (threadName != null && part.getKey().matcher(threadName).matches()) {
                return part.getValue();
            }
        }
        return "other threads";
    }
}
