package org.ovaflow.app.onboard;

import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.ovaflow.ingest.onboard.CatalogItem;
import org.ovaflow.ingest.onboard.DownloadListener;
import org.ovaflow.ingest.onboard.DownloadResult;

import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How onboarding shows its progress: bars on a terminal (an overall bar of bytes with rate and ETA, and one
 * bar per download, drawn by the progressbar library), one log line per event for non-terminals, or nothing.
 */
public abstract class OnboardingProgress implements DownloadListener, AutoCloseable {

    /** The display modes: {@code --progress=bars|plain|quiet}. */
    public enum Mode { BARS, PLAIN, QUIET }

    public static OnboardingProgress of(Mode mode, PrintWriter out, int items, long knownBytes) {
        return switch (mode) {
            case BARS -> new Bars(items, knownBytes);
            case PLAIN -> new Plain(out, items);
            case QUIET -> new Quiet();
        };
    }

    /** An item is done downloading (or failed, or was already there). */
    public abstract void finished(DownloadResult result);

    /** A line for the user between the progress output. */
    public abstract void note(String message);

    @Override
    public abstract void close();

    private static final class Quiet extends OnboardingProgress {
        @Override
        public void started(CatalogItem item, long expectedBytes) {
        }

        @Override
        public void progressed(CatalogItem item, long bytesSoFar) {
        }

        @Override
        public void finished(DownloadResult result) {
        }

        @Override
        public void note(String message) {
        }

        @Override
        public void close() {
        }
    }

    /** For logs and CI: a line when a download starts and when it ends, with the running totals. */
    private static final class Plain extends OnboardingProgress {
        private final PrintWriter out;
        private final int items;
        private final AtomicLong done = new AtomicLong();
        private final AtomicLong bytes = new AtomicLong();
        private final long started = System.nanoTime();

        Plain(PrintWriter out, int items) {
            this.out = out;
            this.items = items;
        }

        @Override
        public void started(CatalogItem item, long expectedBytes) {
            line("downloading " + item.fileName() + " from " + item.source()
                    + (expectedBytes >= 0 ? " (" + expectedBytes + " bytes)" : ""));
        }

        @Override
        public void progressed(CatalogItem item, long bytesSoFar) {
        }

        @Override
        public void finished(DownloadResult result) {
            long n = done.incrementAndGet();
            long total = bytes.addAndGet(result.bytes());
            double seconds = Math.max(1e-3, (System.nanoTime() - started) / 1e9);
            line(String.format("[%d/%d] %s %s%s  (%.1f MiB/s overall)", n, items, result.item().fileName(),
                    result.status().name().toLowerCase().replace('_', ' '),
                    result.error() == null ? "" : ": " + result.error(), total / seconds / (1 << 20)));
        }

        @Override
        public void note(String message) {
            line(message);
        }

        private synchronized void line(String message) {
            out.println(message);
            out.flush();
        }

        @Override
        public void close() {
        }
    }

    /** For people at a terminal: the overall bar and one bar per download in flight. */
    private static final class Bars extends OnboardingProgress {
        private final ProgressBar overall;
        private final Map<String, ProgressBar> downloads = new ConcurrentHashMap<>();
        private final Map<String, Long> reported = new ConcurrentHashMap<>();
        private final AtomicLong done = new AtomicLong();
        private final int items;

        Bars(int items, long knownBytes) {
            this.items = items;
            this.overall = new ProgressBarBuilder().setTaskName("catalog").setInitialMax(Math.max(knownBytes, 0))
                    .setUnit("MiB", 1 << 20).showSpeed().setStyle(ProgressBarStyle.COLORFUL_UNICODE_BLOCK)
                    .setUpdateIntervalMillis(250).build();
            overall.setExtraMessage(" 0/" + items + " items");
        }

        @Override
        public void started(CatalogItem item, long expectedBytes) {
            if (item.size() == null && expectedBytes > 0) {
                // the catalog did not say; the server did (Content-Length): the total grows as downloads start
                overall.maxHint(overall.getMax() + expectedBytes);
            }
            downloads.put(item.id(), new ProgressBarBuilder().setTaskName(shorten(item.fileName()))
                    .setInitialMax(Math.max(expectedBytes, 0)).setUnit("MiB", 1 << 20).showSpeed()
                    .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(250).clearDisplayOnFinish().build());
        }

        @Override
        public void progressed(CatalogItem item, long bytesSoFar) {
            ProgressBar bar = downloads.get(item.id());
            if (bar != null) {
                bar.stepTo(bytesSoFar);
            }
            Long before = reported.put(item.id(), bytesSoFar);
            overall.stepBy(bytesSoFar - (before == null ? 0 : before));
        }

        @Override
        public void finished(DownloadResult result) {
            ProgressBar bar = downloads.remove(result.item().id());
            if (bar != null) {
                bar.close();
            }
            reported.remove(result.item().id());
            overall.setExtraMessage(" " + done.incrementAndGet() + "/" + items + " items");
        }

        @Override
        public void note(String message) {
            // the bars redraw themselves below whatever is printed meanwhile
            System.err.println(message);
        }

        @Override
        public void close() {
            downloads.values().forEach(ProgressBar::close);
            overall.close();
        }

        private static String shorten(String name) {
            return name.length() <= 28 ? name : name.substring(0, 12) + "…" + name.substring(name.length() - 15);
        }
    }
}
