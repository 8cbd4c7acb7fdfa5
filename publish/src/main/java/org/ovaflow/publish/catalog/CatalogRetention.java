package org.ovaflow.publish.catalog;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import org.ovaflow.core.event.EventCodec;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * The catalog's retention ({@link RetentionPolicy}): which versions of each product go (a dry run: {@link #plan()}),
 * pruning them ({@link #prune()}) and, once their grace period passed, removing their files ({@link #purge()}).
 *
 * <p>A version is pruned as it is retracted: its appliance.json says {@value ApplianceRecord#PRUNED} (when and by
 * which rule, in {@code retraction}), its marker the same, and the index's rebuild leaves it out of the index and
 * announces it in the feeds. Before that, a purge record {@code .retention/<vendor>/<product>/<version>.json} says
 * when its files may go; {@link #purge()} removes them then: the files appliance.json lists (their keys as it states
 * them, within the entry's folder), then appliance.json, then the marker, then the record. A crash between any two
 * writes leaves readers the old catalog or the new one: a record whose entry is not (or no longer: replaced) that
 * pruned import is dropped without touching it; an entry pruned but not yet out of the index is a version whose
 * downloads already answer 410, as after a retraction; a purge cut short is done again.
 */
public final class CatalogRetention {

    static final String FOLDER = ".retention/";
    private static final int MAX_RECORD_BYTES = 64 * 1024;

    private final ObjectStore store;
    private final CatalogWrites writes;
    private final String bucket;
    private final CatalogIndex index;
    private final RetentionPolicy policy;
    private final Clock clock;

    public CatalogRetention(ObjectStore store, CatalogWrites writes, String bucket, CatalogIndex index,
                            RetentionPolicy policy, Clock clock) {
        this.store = store;
        this.writes = writes;
        this.bucket = bucket;
        this.index = index;
        this.policy = policy;
        this.clock = clock;
    }

    /** A version the policy prunes: which, published when, in which state, and why. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Candidate(String vendor, String product, String version, String importId, Instant published,
                            String state, String reason) {
        String folder() {
            return vendor + "/" + product + "/" + version + "/";
        }
    }

    /**
     * A pruned version waiting for its files' removal: when it was pruned, and when its files go by the grace period
     * in force then ({@code deleteAfter}; a policy's grace changed since applies, see {@link #due}).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Pruned(String vendor, String product, String version, String importId, Instant prunedAt,
                         Instant deleteAfter) {
        String folder() {
            return vendor + "/" + product + "/" + version + "/";
        }
    }

    /** The versions the policy prunes now, product by product as the index lists them (nothing when it keeps all). */
    public List<Candidate> plan() {
        List<Candidate> candidates = new ArrayList<>();
        if (!policy.prunes()) {
            return candidates;
        }
        Optional<CatalogIndex.Root> root = index.root();
        if (root.isEmpty()) {
            return candidates;
        }
        Instant now = clock.instant();
        for (String vendor : new TreeSet<>(root.get().vendors().keySet())) {
            Optional<CatalogIndex.VendorIndex> vendorIndex = index.vendor(vendor);
            if (vendorIndex.isEmpty()) {
                continue;
            }
            for (String product : new TreeSet<>(vendorIndex.get().products().keySet())) {
                index.product(vendor, product).ifPresent(p -> candidates.addAll(plan(p, now)));
            }
        }
        return candidates;
    }

    private List<Candidate> plan(CatalogIndex.ProductIndex product, Instant now) {
        List<String> available = product.versions().entrySet().stream()
                .filter(v -> ApplianceRecord.AVAILABLE.equals(v.getValue().state())).map(Map.Entry::getKey)
                .sorted(VersionOrder.INSTANCE.reversed()).toList();
        Set<String> kept = new TreeSet<>(VersionOrder.INSTANCE);
        if (!available.isEmpty()) {
            kept.add(available.get(0)); // the latest, always
        }
        if (policy.keepVersions() > 0) {
            kept.addAll(available.subList(0, Math.min(policy.keepVersions(), available.size())));
        }
        Instant youngest = policy.maxAge() == null ? null : now.minus(policy.maxAge());
        List<Candidate> pruned = new ArrayList<>();
        product.versions().forEach((number, version) -> {
            boolean young = youngest != null && version.published() != null && version.published().isAfter(youngest);
            if (kept.contains(number) || young || ApplianceRecord.PRUNED.equals(version.state())) {
                return;
            }
            pruned.add(new Candidate(product.vendor(), product.product(), number, version.importId(),
                    version.published(), version.state(), "retention: " + policy.describe()));
        });
        return pruned;
    }

    /**
     * Prunes what {@link #plan()} lists: each version's purge record, then its appliance.json and marker marked
     * pruned, then one rebuild of the index for their vendors (out of the index, announced in the feeds).
     *
     * @return the versions pruned
     */
    public List<Candidate> prune() {
        List<Candidate> pruned = new ArrayList<>();
        Set<String> vendors = new TreeSet<>();
        Instant now = clock.instant();
        for (Candidate candidate : plan()) {
            String entryKey = candidate.folder() + PublishStage.APPLIANCE_JSON;
            Optional<ApplianceRecord> entry = new CatalogReader(store, bucket).at(candidate.folder());
            if (entry.isEmpty() || entry.get().provenance() == null
                    || !Objects.equals(entry.get().provenance().importId(), candidate.importId())) {
                continue; // replaced or removed since the index said so: the next plan sees it as it is
            }
            ApplianceRecord record = entry.get();
            if (!record.pruned()) {
                Pruned due = new Pruned(candidate.vendor(), candidate.product(), candidate.version(),
                        candidate.importId(), now, now.plus(policy.grace()));
                writes.write(bucket, recordOf(candidate.folder()), EventCodec.toJson(due), "application/json");
                record = record.pruned(now, candidate.reason());
            }
            // pruned already (a run cut short before the marker): marked again with the same bytes' content
            byte[] json = EventCodec.toPrettyJson(record);
            writes.write(bucket, entryKey, json, "application/json");
            index.mark(record, json);
            vendors.add(candidate.vendor());
            pruned.add(candidate);
        }
        if (!vendors.isEmpty()) {
            index.rebuild(vendors);
        }
        return pruned;
    }

    /** The pruned versions whose files are still there, the soonest due first. */
    public List<Pruned> pending() {
        List<Pruned> pending = new ArrayList<>();
        for (ObjectInfo object : store.list(bucket, FOLDER)) {
            read(object.key()).ifPresent(pending::add);
        }
        pending.sort(Comparator.comparing(Pruned::deleteAfter, Comparator.nullsFirst(Comparator.naturalOrder())));
        return pending;
    }

    /**
     * Removes the files of every pruned version whose grace period passed: those its appliance.json lists (within
     * its folder), then the appliance.json, its marker and its purge record.
     *
     * @return the versions whose files were removed
     */
    public List<Pruned> purge() {
        Instant now = clock.instant();
        List<Pruned> purged = new ArrayList<>();
        Set<String> vendors = new TreeSet<>();
        for (ObjectInfo object : store.list(bucket, FOLDER)) {
            Optional<Pruned> record = read(object.key());
            if (record.isEmpty()) {
                continue;
            }
            Pruned due = record.get();
            if (!due(due, now)) {
                continue;
            }
            String folder = due.folder();
            if (!object.key().equals(recordOf(folder))) {
                continue; // a record that does not name its own entry is not ours
            }
            Optional<ApplianceRecord> entry = new CatalogReader(store, bucket).at(folder);
            boolean thatPrunedImport = entry.isPresent() && entry.get().pruned()
                    && entry.get().provenance() != null
                    && Objects.equals(entry.get().provenance().importId(), due.importId());
            if (thatPrunedImport) {
                List<String> files = entry.get().artifacts().stream().map(ApplianceRecord.Artifact::key)
                        .filter(key -> key != null && key.startsWith(folder) && !key.contains("/../")
                                && !key.equals(folder + PublishStage.APPLIANCE_JSON))
                        .toList();
                writes.removeAll(bucket, files);
                writes.remove(bucket, folder + PublishStage.APPLIANCE_JSON);
                writes.remove(bucket, CatalogIndex.markerOf(folder));
                vendors.add(due.vendor());
                purged.add(due);
            }
            // else replaced or republished since: nothing of it to remove, the record goes
            writes.remove(bucket, object.key());
        }
        if (!vendors.isEmpty()) {
            index.rebuild(vendors);
        }
        return purged;
    }

    /**
     * Whether the grace period of {@code pruned} passed: the grace the policy has now (a shortened one applies to the
     * versions pruned before), from when it was pruned.
     */
    public boolean due(Pruned pruned, Instant now) {
        return pruned.prunedAt() != null && !pruned.prunedAt().plus(policy.grace()).isAfter(now);
    }

    static String recordOf(String folder) {
        return FOLDER + folder.substring(0, folder.length() - 1) + ".json";
    }

    private Optional<Pruned> read(String key) {
        try (InputStream in = store.read(bucket, key)) {
            byte[] bytes = in.readNBytes(MAX_RECORD_BYTES + 1);
            if (bytes.length > MAX_RECORD_BYTES) {
                return Optional.empty();
            }
            Pruned record = EventCodec.JSON.readValue(bytes, Pruned.class);
            if (record.vendor() == null || record.product() == null || record.version() == null) {
                return Optional.empty();
            }
            return Optional.of(record);
        } catch (ObjectGoneException e) {
            return Optional.empty();
        } catch (JsonProcessingException e) {
            return Optional.empty(); // not one of ours: left alone
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read s3://" + bucket + "/" + key, e);
        }
    }
}
