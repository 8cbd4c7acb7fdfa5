package org.ovaflow.disk.testing;

import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.LauncherDiscoveryRequest;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;
import org.ovaflow.disk.ReadOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

/**
 * Every hostile disk the disk library's tests have, as they refuse it: their refusal asserts hand each image to
 * {@link #refused} (the header probe's tests to {@link #probed}), which keeps a copy while {@link #collect} runs
 * those tests. So a parity check (inspect and the
 * transcode stage, in the app's tests) judges exactly the images the library's tests hold hostile, the ones added
 * later included, without a second list to keep up to date.
 */
public final class HostileDisks {

    /** The test classes whose refusals need no external tool: the fast tier's. */
    public static final List<String> HAND_MADE = List.of("org.ovaflow.disk.vmdk.VmdkHostileImageTest",
            "org.ovaflow.disk.vhd.VhdRefusalTest");
    /** The header probe's tests (validate's): headers built byte by byte, as whole files. */
    public static final List<String> HEADERS = List.of("org.ovaflow.validate.disk.HostileHeadersTest");
    /** The test classes that patch images qemu-img made: run only where qemu-img is. */
    public static final List<String> MADE_BY_QEMU = List.of("org.ovaflow.disk.qcow2.Qcow2HostileImageIT");
    /** Where the disk fuzz target keeps its seeds and the inputs it found crashing (fixed since). */
    private static final String FUZZ_INPUTS = "/org/ovaflow/disk/fuzz/DiskReaderFuzzTestInputs/readWholeImage";

    /**
     * One hostile image: its bytes and the files of its package it names (a VMDK descriptor's extents), the
     * limit and digest state its reader was given, and the check the library's test expects it refused with
     * (null for the fuzz inputs, which only must not crash).
     */
    public record Fixture(String name, String fileName, byte[] image, Map<String, byte[]> siblings,
                          long maxVirtualSize, boolean digestVerified, String check) {

        @Override
        public String toString() {
            return name;
        }
    }

    private static final List<Fixture> RECORDED = Collections.synchronizedList(new ArrayList<>());
    private static volatile boolean recording;

    private HostileDisks() {
    }

    /**
     * Called by the tests' refusal asserts with the image they expect refused: kept while {@link #collect} runs.
     * The files beside it that its bytes name in quotes (a descriptor's extents) are kept as its package's files.
     */
    public static void refused(Path image, ReadOptions options, String check) {
        if (!recording) {
            return;
        }
        try {
            byte[] bytes = Files.readAllBytes(image);
            String text = new String(bytes, StandardCharsets.ISO_8859_1);
            Map<String, byte[]> siblings = new LinkedHashMap<>();
            try (Stream<Path> beside = Files.list(image.toAbsolutePath().getParent())) {
                for (Path file : beside.filter(Files::isRegularFile).sorted().toList()) {
                    String name = file.getFileName().toString();
                    if (!file.equals(image.toAbsolutePath()) && text.contains("\"" + name + "\"")) {
                        siblings.put(name, Files.readAllBytes(file));
                    }
                }
            }
            RECORDED.add(new Fixture(caller() + " (" + check + ")", image.getFileName().toString(), bytes, siblings,
                    options.maxVirtualSize(), options.digestVerified(), check));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Called by the header probe's tests with a whole file they probe: kept while {@link #collect} runs, with the
     * readers' default limit and a manifest vouching for it, as the pipeline would see it.
     */
    public static void probed(String fileName, byte[] bytes) {
        if (recording) {
            RECORDED.add(new Fixture(caller() + " (" + fileName + ")", fileName, bytes.clone(), Map.of(),
                    ReadOptions.DEFAULT_MAX_VIRTUAL_SIZE, true, null));
        }
    }

    /** Runs {@code testClasses} and returns the images their refusals recorded; fails when a test fails. */
    public static synchronized List<Fixture> collect(List<String> testClasses) {
        LauncherDiscoveryRequestBuilder request = LauncherDiscoveryRequestBuilder.request();
        testClasses.forEach(name -> request.selectors(selectClass(name)));
        LauncherDiscoveryRequest discovery = request.build();
        Launcher launcher = LauncherFactory.create();
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        RECORDED.clear();
        recording = true;
        try {
            launcher.execute(discovery, summary);
        } finally {
            recording = false;
        }
        TestExecutionSummary result = summary.getSummary();
        if (result.getTotalFailureCount() > 0) {
            throw new AssertionError(result.getTotalFailureCount() + " of the tests that record hostile disks failed: "
                    + result.getFailures().get(0).getTestIdentifier().getDisplayName(),
                    result.getFailures().get(0).getException());
        }
        List<Fixture> fixtures = new ArrayList<>(RECORDED);
        RECORDED.clear();
        return fixtures;
    }

    /** The disk fuzz target's seeds and the inputs it found crashing: images the readers must survive. */
    public static List<Fixture> fuzzInputs() {
        URL folder = HostileDisks.class.getResource(FUZZ_INPUTS);
        if (folder == null) {
            throw new IllegalStateException(FUZZ_INPUTS + " is not on the test class path");
        }
        // a folder of test-classes in the reactor's test phase, an entry of the test-jar from verify on
        try (FileSystem jar = folder.getProtocol().equals("jar")
                ? FileSystems.newFileSystem(folder.toURI(), Map.of()) : null;
             Stream<Path> files = Files.list(jar != null ? jar.getPath(FUZZ_INPUTS) : Path.of(folder.toURI()))) {
            List<Fixture> fixtures = new ArrayList<>();
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                fixtures.add(new Fixture("fuzz input " + file.getFileName(), file.getFileName().toString(),
                        Files.readAllBytes(file), Map.of(), 64L << 20, false, null));
            }
            return fixtures;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The test method that asserted the refusal: Class#method. */
    private static String caller() {
        return StackWalker.getInstance().walk(frames -> frames
                .filter(f -> f.getClassName().endsWith("Test") || f.getClassName().endsWith("IT"))
                .filter(f -> !f.getMethodName().startsWith("assert") && !f.getMethodName().startsWith("lambda$"))
                .map(f -> f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "#" + f.getMethodName())
                .findFirst().orElse("unknown"));
    }
}
