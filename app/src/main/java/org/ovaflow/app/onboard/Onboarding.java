package org.ovaflow.app.onboard;

import org.ovaflow.app.pipeline.ImportStatuses;
import org.ovaflow.core.event.ImportId;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.thread.DaemonThreads;
import org.ovaflow.ingest.onboard.CatalogItem;
import org.ovaflow.ingest.onboard.DownloadResult;
import org.ovaflow.ingest.onboard.Downloader;
import org.ovaflow.ingest.onboard.VendorCatalog;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Onboards the items of a vendor catalog: downloads them into the incoming bucket, several at once, then
 * follows each through the pipeline to its outcome. Resumable by construction: an item whose object is
 * already in the bucket is not downloaded again, and its import is the same import (same importId), so an
 * item already published or in flight is reported, not redone; failed downloads are simply tried again.
 */
public final class Onboarding {

    private final Downloader downloader;
    private final ImportStatuses statuses;
    private final int parallel;

    public Onboarding(Downloader downloader, ImportStatuses statuses, int parallel) {
        if (parallel < 1) {
            throw new IllegalArgumentException("--parallel must be at least 1");
        }
        this.downloader = downloader;
        this.statuses = statuses;
        this.parallel = parallel;
    }

    /** Downloads every item, waits up to {@code timeout} for the outcomes, and reports each item. */
    public OnboardingReport run(String catalog, List<VendorCatalog.Entry> entries, OnboardingProgress progress,
                                Duration timeout) throws InterruptedException {
        List<OnboardingReport.Item> report = new ArrayList<>();
        Map<String, CatalogItem> items = new LinkedHashMap<>();
        for (VendorCatalog.Entry entry : entries) {
            if (entry.problem() != null || entry.item() == null) {
                report.add(new OnboardingReport.Item("line " + entry.line(), null, OnboardingReport.Outcome.FAILED,
                        null, entry.problem(), null));
            } else {
                items.putIfAbsent(entry.item().id(), entry.item()); // listed twice is onboarded once
            }
        }
        List<DownloadResult> downloads = download(items.values(), progress);

        Map<String, DownloadResult> byImport = new LinkedHashMap<>();
        for (DownloadResult result : downloads) {
            if (result.status() == DownloadResult.Status.FAILED) {
                report.add(item(result, OnboardingReport.Outcome.FAILED, null, result.error()));
            } else {
                byImport.put(ImportId.of(result.object()), result);
            }
        }
        if (!byImport.isEmpty()) {
            progress.note("waiting for " + byImport.size() + " import(s) to go through the pipeline");
        }
        Map<String, StatusEvent> outcomes = statuses.awaitFinal(byImport.keySet(), timeout);
        byImport.forEach((importId, result) -> report.add(outcome(importId, result, outcomes.get(importId))));
        return new OnboardingReport(catalog, report);
    }

    private List<DownloadResult> download(Iterable<CatalogItem> items, OnboardingProgress progress)
            throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(parallel, DaemonThreads.named("ovaflow-onboard"));
        try {
            List<Future<DownloadResult>> futures = new ArrayList<>();
            for (CatalogItem item : items) {
                futures.add(pool.submit(() -> {
                    DownloadResult result = downloader.fetch(item, progress);
                    progress.finished(result);
                    return result;
                }));
            }
            List<DownloadResult> results = new ArrayList<>();
            for (Future<DownloadResult> future : futures) {
                try {
                    results.add(future.get());
                } catch (ExecutionException e) {
                    // fetch reports per-item problems itself; this is a bug, but it must not hide the other items
                    throw new IllegalStateException("a download crashed: " + e.getCause(), e.getCause());
                }
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static OnboardingReport.Item outcome(String importId, DownloadResult result, StatusEvent status) {
        if (status == null) {
            return item(result, OnboardingReport.Outcome.PENDING, importId, "no news from the pipeline");
        }
        return switch (status.state()) {
            case PUBLISHED -> item(result, OnboardingReport.Outcome.PUBLISHED, importId,
                    (result.status() == DownloadResult.Status.ALREADY_PRESENT ? "already in the bucket; " : "")
                            + "catalog: " + status.catalogPath());
            case QUARANTINED, REJECTED -> item(result, OnboardingReport.Outcome.REJECTED, importId, status.message());
            case FAILED -> item(result, OnboardingReport.Outcome.FAILED, importId, status.message());
            default -> item(result, OnboardingReport.Outcome.PENDING, importId,
                    "still " + status.state().name().toLowerCase() + " when the wait ended");
        };
    }

    private static OnboardingReport.Item item(DownloadResult result, OnboardingReport.Outcome outcome, String importId,
                                              String detail) {
        return new OnboardingReport.Item(result.item().source().toString(), result.item().fileName(), outcome,
                importId, detail, result.bytes());
    }
}
