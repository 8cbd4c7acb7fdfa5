package org.ovaflow.publish.catalog;

import org.ovaflow.publish.catalog.CatalogIndex.Root;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The index's rebuilds in one process, one at a time and shared (group commit): a rebuild that starts after a
 * request was made covers it, so a caller that waited for one may find nothing left to do.
 */
final class SharedRebuild {

    /** One rebuild at a time in this process; callers that waited for one may find their entries covered. */
    private final ReentrantLock rebuilding = new ReentrantLock();
    /** Tickets of rebuild requests, taken after the caller's entries were committed. */
    private final AtomicLong requested = new AtomicLong();
    /** The vendors of the requests waiting, by request. */
    private final Map<Object, Collection<String>> waiting = new ConcurrentHashMap<>();
    /** The last ticket a finished rebuild covered (guarded by {@link #rebuilding}), and what it built. */
    private long covered;
    private Root lastBuilt;

    /**
     * The index as a rebuild that started after this request built it: {@code rebuild} run under the lock with the
     * vendors of every request waiting, or the result of one that covered this request meanwhile.
     */
    Root request(Collection<String> vendors, Function<Set<String>, Root> rebuild) {
        // group commit: the consumers of a process share this index; a rebuild that starts after a caller's entries
        // were committed lists them, so a caller that waited for it has nothing left to do. Without it, rebuilds
        // racing in one process each see the others' entries appear and start over.
        Object request = new Object();
        waiting.put(request, List.copyOf(vendors));
        long ticket = requested.incrementAndGet();
        rebuilding.lock();
        try {
            if (covered >= ticket) {
                return lastBuilt;
            }
            long covering = requested.get();
            // every request up to `covering` put its vendors before it took its ticket: they are all in here
            Set<String> checked = new TreeSet<>();
            waiting.values().forEach(checked::addAll);
            Root built = rebuild.apply(checked);
            covered = covering;
            lastBuilt = built;
            return built;
        } finally {
            rebuilding.unlock();
            waiting.remove(request);
        }
    }
}
