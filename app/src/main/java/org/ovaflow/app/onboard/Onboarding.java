package org.ovaflow.app.onboard;

import org.ovaflow.app.pipeline.ImportStatuses;
import org.ovaflow.core.event.ImportId;
import org.ovaflow.core.event.StatusEvent;
import org.ovaflow.core.thread.DaemonThreads;
import org.ovaflow.ingest.onboard.CatalogItem;
import org.ovaflow.ingest.onboard.DownloadResult;
import org.ovaflow.ingest.onboard.Downloader;
import org.ovaflow.ingest.onboard.VendorCatalog;
import org.ovaflow.publish.quarantine.RejectionReport;
import org.ovaflow.publish.quarantine.Release;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.Future;

/**
 * Onboards the items of a vendor catalog: downloads them into the incoming bucket, several at once, then
 * follows each through the pipeline to its outcome. Resumable by construction: an item whose object is
 * already in the bucket is not downloaded again, and its import is the same import (same importId), so an
 * item already published or in flight is reported, not redone; an item rejected before (the quarantine holds
 * it, {@link EarlierRejections}) is reported with its reasons, not downloaded again, and a download that still
 * turns out to be an import quarantined before is removed again, since ingest would never read it; failed
 * downloads are simply tried again.
 */
public final class Onboarding {

    private static final Logger LOG = LoggerFactory.getLogger(Onboarding.class);

    private final Downloader downloader;
    private final ImportStatuses statuses;
    private final EarlierRejections rejections;
    private final int parallel;

    public Onboarding(Downloader downloader, ImportStatuses statuses, EarlierRejections rejections, int parallel) {
        if (parallel < 1) {
            throw new IllegalArgumentException("--parallel must be at least 1");
        }
        this.downloader = downloader;
        this.statuses = statuses;
        this.rejections = rejections;
        this.parallel = parallel;
    }

    /** An import to follow to its outcome: the item it is, what it downloaded, and what to say before the outcome. */
    private record Followed(CatalogItem item, long bytes, String note) {
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
        Map<String, Followed> byImport = new LinkedHashMap<>();
        // an item the quarantine holds is not downloaded again: the same bytes would be an import already done
        Map<String, RejectionReport> earlier = earlierRejections(items.values(), progress);
        List<CatalogItem> toFetch = new ArrayList<>();
        for (CatalogItem item : items.values()) {
            RejectionReport rejection = earlier.get(item.id());
            if (rejection == null) {
                toFetch.add(item);
                continue;
            }
            progress.note(item.fileName() + ": rejected earlier (import " + rejection.importId()
                    + "), not downloaded again");
            settle(item, 0, rejection, "not downloaded again", report, byImport);
        }
        for (DownloadResult result : download(toFetch, progress)) {
            if (result.status() == DownloadResult.Status.FAILED) {
                report.add(item(result.item(), OnboardingReport.Outcome.FAILED, null, result.error(), result.bytes()));
                continue;
            }
            String importId = ImportId.of(result.object());
            Optional<RejectionReport> rejection = result.status() == DownloadResult.Status.DOWNLOADED
                    ? rejectionOf(importId) : Optional.empty();
            if (rejection.isPresent()) {
                // the same bucket, key and etag as an import quarantined before: ingest would skip it for good
                boolean removed = downloader.withdraw(result.object());
                settle(result.item(), result.bytes(), rejection.get(), removed
                        ? "the download was removed again (ingest lets an import through once)"
                        : "the download was replaced in the bucket meanwhile and left there", report, byImport);
            } else {
                byImport.put(importId, new Followed(result.item(), result.bytes(),
                        result.status() == DownloadResult.Status.ALREADY_PRESENT ? "already in the bucket; " : ""));
            }
        }
        if (!byImport.isEmpty()) {
            progress.note("waiting for " + byImport.size() + " import(s) to go through the pipeline");
        }
        Map<String, StatusEvent> outcomes = statuses.awaitFinal(byImport.keySet(), timeout);
        byImport.forEach((importId, followed) -> report.add(outcome(importId, followed, outcomes.get(importId))));
        return new OnboardingReport(catalog, report);
    }

    /**
     * An item whose import was rejected before: reported rejected with the reasons, or, once an operator released
     * it from quarantine, followed as the released import it became.
     */
    private static void settle(CatalogItem item, long bytes, RejectionReport rejection, String what,
                               List<OnboardingReport.Item> report, Map<String, Followed> byImport) {
        Release release = rejection.released();
        if (release != null) {
            byImport.put(release.importId(), new Followed(item, bytes, "rejected as import " + rejection.importId()
                    + ", released from quarantine as s3://" + release.bucket() + "/" + release.asKey() + " (" + what
                    + "); "));
            return;
        }
        report.add(item(item, OnboardingReport.Outcome.REJECTED, rejection.importId(), "rejected "
                + (rejection.rejectedAt() == null ? "earlier" : "at " + rejection.rejectedAt())
                + (rejection.quarantinedAs() == null ? "" : ", quarantined as " + rejection.quarantinedAs()) + ": "
                + EarlierRejections.reasons(rejection) + " (" + what + "; `ovaflow quarantine release "
                + rejection.importId() + "` once the cause is gone)", bytes));
    }

    private Map<String, RejectionReport> earlierRejections(Collection<CatalogItem> items, OnboardingProgress progress) {
        if (items.isEmpty()) {
            return Map.of();
        }
        try {
            return rejections.of(items);
        } catch (RuntimeException e) {
            // not fatal: a download that turns out to be a rejected import is still caught by its importId below
            progress.note("cannot read the quarantine for earlier rejections: " + e.getMessage());
            return Map.of();
        }
    }

    private Optional<RejectionReport> rejectionOf(String importId) {
        try {
            return rejections.ofImport(importId);
        } catch (RuntimeException e) {
            LOG.warn("cannot read the quarantine for import {}: {}", importId, e.getMessage());
            return Optional.empty();
        }
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
            // an interrupted run ends only once its workers have (a failed upload removes its own object): nothing
            // of it may touch the bucket after it returned, where a run started next finds what it left
            boolean interrupted = Thread.interrupted();
            try {
                pool.awaitTermination(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static OnboardingReport.Item outcome(String importId, Followed followed, StatusEvent status) {
        if (status == null) {
            return item(followed.item(), OnboardingReport.Outcome.PENDING, importId,
                    followed.note() + "no news from the pipeline", followed.bytes());
        }
        return switch (status.state()) {
            case PUBLISHED -> item(followed.item(), OnboardingReport.Outcome.PUBLISHED, importId,
                    followed.note() + "catalog: " + status.catalogPath(), followed.bytes());
            case QUARANTINED, REJECTED -> item(followed.item(), OnboardingReport.Outcome.REJECTED, importId,
                    followed.note() + status.message(), followed.bytes());
            case FAILED -> item(followed.item(), OnboardingReport.Outcome.FAILED, importId,
                    followed.note() + status.message(), followed.bytes());
            default -> item(followed.item(), OnboardingReport.Outcome.PENDING, importId, followed.note()
                    + "still " + status.state().name().toLowerCase() + " when the wait ended", followed.bytes());
        };
    }

    private static OnboardingReport.Item item(CatalogItem item, OnboardingReport.Outcome outcome, String importId,
                                              String detail, long bytes) {
        return new OnboardingReport.Item(item.source().toString(), item.fileName(), outcome, importId, detail, bytes);
    }
}
