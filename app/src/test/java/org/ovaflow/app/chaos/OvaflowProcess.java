package org.ovaflow.app.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One {@code ovaflow run} in a JVM of its own, as an operator runs a stage: started, killed with SIGKILL,
 * stopped with SIGTERM, started again with the same arguments. Its output goes to a log file of its own.
 */
final class OvaflowProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final List<String> arguments;
    private final Map<String, String> environment;
    private final Path log;
    private final int httpPort;
    private Process process;
    private int starts;

    OvaflowProcess(String name, List<String> arguments, Map<String, String> environment, Path logs, int httpPort) {
        this.name = name;
        this.arguments = List.copyOf(arguments);
        this.environment = Map.copyOf(environment);
        this.log = logs.resolve(name + ".log");
        this.httpPort = httpPort;
    }

    String name() {
        return name;
    }

    int starts() {
        return starts;
    }

    void start() throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "org.ovaflow.app.Ovaflow", "run", "--http-port", Integer.toString(httpPort)));
        command.addAll(arguments);
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment().putAll(environment);
        Files.writeString(log, "=== start " + (++starts) + "\n", StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
        process = builder.start();
    }

    /** Waits until its /health answers 200: its servers or routes are up. */
    void awaitHealthy(Duration timeout) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + ":\n" + tail());
            }
            try {
                HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + httpPort + "/health")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException(name + " not healthy within " + timeout + ":\n" + tail());
    }

    /** SIGKILL: no shutdown hook, no commit, no goodbye, as a crash or the OOM killer ends a process. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** SIGTERM: the graceful stop an orchestrator asks for. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            kill();
        }
    }

    /** SIGTERM without waiting, so that several processes stop side by side; {@link #close} waits. */
    void askToStop() {
        if (alive()) {
            process.destroy();
        }
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (alive()) {
            stop();
        }
    }
}
