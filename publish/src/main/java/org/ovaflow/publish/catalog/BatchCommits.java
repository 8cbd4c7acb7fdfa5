package org.ovaflow.publish.catalog;

import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.PoisonEventException;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.thread.DaemonThreads;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/** The commits of a batch's events: the events of one entry in their order, different entries side by side. */
final class BatchCommits {

    /**
     * Entries of a batch committed side by side: a commit is a dozen store requests one after the other (copies,
     * small writes, appliance.json, the marker) and waits on the store most of its time; one at a time, a batch of
     * 50 entries took seconds of the stage's time on two idle cores (bench/onboard.sh).
     */
    static final int COMMITS_AT_ONCE = 8;

    private final EntryCommits commits;

    BatchCommits(EntryCommits commits) {
        this.commits = commits;
    }

    /** An event's commit, or why it alone failed: its input is gone, or it is not what it says. */
    record Attempt(EntryCommits.Commit commit, RuntimeException failure) {
    }

    /**
     * Commits each event of a batch, {@value #COMMITS_AT_ONCE} entries at once: the events of one entry (a
     * redelivery, a conflicting import) one after the other in their order, as a batch of one each would be; the
     * entries of different versions write different keys and go side by side. A failure other than an event's own
     * stops its entry's events, waits for the other entries' and fails the batch.
     *
     * @return an attempt for each event, in their order
     */
    List<Attempt> commitAll(List<ImportEvent> events) {
        Map<String, List<Integer>> byEntry = new LinkedHashMap<>();
        for (int i = 0; i < events.size(); i++) {
            byEntry.computeIfAbsent(entryOf(events.get(i), i), entry -> new ArrayList<>()).add(i);
        }
        Attempt[] attempts = new Attempt[events.size()];
        Consumer<List<Integer>> commitEntry = indexes -> indexes.forEach(i -> attempts[i] = attempt(events.get(i)));
        if (byEntry.size() <= 1) {
            byEntry.values().forEach(commitEntry);
            return List.of(attempts);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(COMMITS_AT_ONCE, byEntry.size()),
                DaemonThreads.named("ovaflow-publish-commit"));
        try {
            List<Future<?>> entries = new ArrayList<>();
            byEntry.values().forEach(indexes -> entries.add(pool.submit(() -> commitEntry.accept(indexes))));
            RuntimeException failure = null;
            for (Future<?> entry : entries) {
                RuntimeException thrown = outcomeOf(entry);
                if (failure == null) {
                    failure = thrown;
                } else if (thrown != null) {
                    failure.addSuppressed(thrown);
                }
            }
            if (failure != null) {
                throw failure;
            }
        } finally {
            pool.shutdownNow();
        }
        return List.of(attempts);
    }

    /** The folder of the event's entry; an event without one (it fails its commit) is an entry of its own. */
    private static String entryOf(ImportEvent event, int position) {
        try {
            return CatalogPath.of(event).prefix();
        } catch (RuntimeException unreadable) {
            return "#" + position;
        }
    }

    private Attempt attempt(ImportEvent event) {
        try {
            return new Attempt(commits.commit(event), null);
        } catch (ObjectGoneException | PoisonEventException e) {
            return new Attempt(null, e);
        }
    }

    /** What an entry's commits threw (null: nothing), once they are done. */
    private static RuntimeException outcomeOf(Future<?> entry) {
        try {
            entry.get();
            return null;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                return failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            return new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new IllegalStateException("interrupted while the batch's entries were committed", e);
        }
    }
}
