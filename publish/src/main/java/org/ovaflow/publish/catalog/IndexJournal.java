package org.ovaflow.publish.catalog;

import com.fasterxml.jackson.core.type.TypeReference;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rebuilds in progress and lately finished, of every process sharing the catalog, under {@value #FOLDER}:
 * what lets a rebuild that rewrites only the vendors it changed lose no other writer's update. A rebuild puts
 * {@code pending/<id>} (the vendors it rebuilds) before it reads the root, and on finishing puts {@code done/<id>}
 * and removes its pending one. Each round of a rebuild lists the journal before it reads the root and again after
 * it wrote it: a rebuild that another one started or finished meanwhile may have read the root before ours or
 * written its own over ours, so the rebuild goes round again with that one's vendors too, read from their
 * markers, until a round sees no other rebuild appear. A round rebuilds the vendors of the rebuilds still pending
 * as well (they may have been written over already). Both kinds of record are removed once older than
 * {@link #KEPT} (by the store's clock: the newest record's time in the same listing), so a listing stays a page
 * or two; a round that takes longer than half of that fails and is retried (it could miss a record removed meanwhile).
 *
 * <p>No slug begins with '.', so no vendor's folder is {@code .index/}.
 */
final class IndexJournal {

    static final String FOLDER = CatalogIndex.INDEX_FOLDER + ".journal/";
    private static final String PENDING = FOLDER + "pending/";
    private static final String DONE = FOLDER + "done/";
    /** How long a record is kept after it was written. */
    static final Duration KEPT = Duration.ofMinutes(30);
    /** The vendors a record names when its rebuild checks every vendor. */
    static final String ALL = "*";
    /** More than any record: a larger object here is not one of ours and is read as naming every vendor. */
    private static final int MAX_RECORD_BYTES = 1024 * 1024;

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ObjectStore store;
    private final CatalogWrites writes;
    private final String bucket;
    /** What each record names, by id: records never change once written. */
    private final Map<String, Set<String>> named = new ConcurrentHashMap<>();

    IndexJournal(ObjectStore store, CatalogWrites writes, String bucket) {
        this.store = store;
        this.writes = writes;
        this.bucket = bucket;
    }

    /** A listing of the journal: each record's id, whether it is still pending, when it was written. */
    record Listing(Map<String, Boolean> pending, Instant newest, Map<String, Instant> written) {
        Set<String> ids() {
            return pending.keySet();
        }

        /**
         * Whether a rebuild other than {@code ignored} is pending and alive: a pending record older than half of
         * {@link #KEPT} (by the newest record's time) is a dead rebuild's, since a live one gives up by then.
         */
        boolean othersPending(Set<String> ignored) {
            Instant alive = newest == null ? null : newest.minus(KEPT.dividedBy(2));
            return pending.entrySet().stream().anyMatch(record -> {
                if (!record.getValue() || ignored.contains(record.getKey())) {
                    return false;
                }
                Instant at = written.get(PENDING + record.getKey());
                return alive == null || at == null || !at.isBefore(alive);
            });
        }
    }

    /** Opens a rebuild's record naming {@code vendors} ({@value #ALL}: every vendor): its id. */
    String open(Set<String> vendors) {
        byte[] random = new byte[6];
        RANDOM.nextBytes(random);
        String id = String.format("%013d", System.currentTimeMillis()) + "-" + HexFormat.of().formatHex(random);
        writes.write(bucket, PENDING + id, EventCodec.toJson(List.copyOf(vendors)), "application/json");
        named.put(id, Set.copyOf(vendors));
        return id;
    }

    /** Closes a finished rebuild's record (done, then no longer pending) and removes records older than kept. */
    void close(String id, Listing last) {
        writes.write(bucket, DONE + id, EventCodec.toJson(List.copyOf(named.getOrDefault(id, Set.of()))),
                "application/json");
        writes.remove(bucket, PENDING + id);
        named.remove(id);
        if (last != null && last.newest() != null) {
            Instant before = last.newest().minus(KEPT);
            List<String> old = new ArrayList<>();
            last.written().forEach((key, at) -> {
                if (at != null && at.isBefore(before)) {
                    old.add(key);
                }
            });
            if (!old.isEmpty()) {
                writes.removeAll(bucket, old);
            }
        }
    }

    Listing list() {
        Map<String, Boolean> pending = new TreeMap<>();
        Map<String, Instant> written = new TreeMap<>();
        Instant newest = null;
        for (ObjectInfo record : store.list(bucket, FOLDER)) {
            String key = record.key();
            boolean isPending = key.startsWith(PENDING);
            if (!isPending && !key.startsWith(DONE)) {
                continue;
            }
            String id = key.substring((isPending ? PENDING : DONE).length());
            // done wins: a record is written done before its pending one is removed
            pending.merge(id, isPending, (a, b) -> a && b);
            written.put(key, record.lastModified());
            if (record.lastModified() != null && (newest == null || record.lastModified().isAfter(newest))) {
                newest = record.lastModified();
            }
        }
        return new Listing(pending, newest, written);
    }

    /** The vendors the records {@code ids} name ({@value #ALL} among them when one checks every vendor). */
    Set<String> vendorsOf(Set<String> ids, Listing listing) {
        Set<String> vendors = new TreeSet<>();
        for (String id : ids) {
            vendors.addAll(named.computeIfAbsent(id, i -> read(i, Boolean.TRUE.equals(listing.pending().get(i)))));
        }
        return vendors;
    }

    private Set<String> read(String id, boolean pending) {
        String key = (pending ? PENDING : DONE) + id;
        try (InputStream in = store.read(bucket, key)) {
            byte[] bytes = in.readNBytes(MAX_RECORD_BYTES + 1);
            if (bytes.length > MAX_RECORD_BYTES) {
                return Set.of(ALL);
            }
            return new TreeSet<>(EventCodec.JSON.readValue(bytes, new TypeReference<List<String>>() { }));
        } catch (ObjectGoneException e) {
            if (pending) {
                // finished since the listing: its done record says the same
                return read(id, false);
            }
            return Set.of(); // removed as old: its rebuild finished long ago
        } catch (IOException e) {
            // not one of ours, or cut short: the safe reading is that it may concern any vendor
            return Set.of(ALL);
        }
    }
}
