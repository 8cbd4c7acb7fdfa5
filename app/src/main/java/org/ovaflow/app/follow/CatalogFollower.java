package org.ovaflow.app.follow;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.ovaflow.core.event.ImportId;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.event.ProductOverrides;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.core.store.StoredObject;
import org.ovaflow.ingest.onboard.Downloader;
import org.ovaflow.ingest.onboard.VerifyingStream;
import org.ovaflow.publish.catalog.ApplianceRecord;
import org.ovaflow.publish.catalog.CatalogIndex;
import org.ovaflow.publish.catalog.CatalogIndex.ProductIndex;
import org.ovaflow.publish.catalog.CatalogRetraction;
import org.ovaflow.publish.catalog.CatalogVerifier;
import org.ovaflow.publish.signing.CatalogSigner;
import org.ovaflow.publish.signing.SignatureVerifier;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Follows an upstream ovaflow catalog into this pipeline (the mirror), one run at a time: verifies the upstream's
 * signed index as {@code catalog verify} does (against the pinned key, its version never older than the one
 * accepted before, not expired, each document as its reference states it), and only when all of it holds acts on
 * what it read ({@link FollowPlan}): puts each new version's original OVA into the mirror's incoming bucket, where
 * the mirror's own stages take it like any dropped OVA and validate it for themselves, and retracts in the mirror
 * what the upstream retracted. What it did is kept in the {@link FollowState}, saved after every step.
 *
 * <p>The upstream is not trusted beyond its signatures: its documents are read bounded by the verifier, an OVA only
 * from the key its verified product document names inside the version's own folder and only through the same
 * source (the upstream's own URLs: no redirects followed), and streamed into a multipart upload through a stream
 * that counts and digests it: more bytes than the index states stop it at once, fewer or another sha256 fail its
 * last read, so the store never completes the object and nothing reaches the mirror's pipeline. No OVA is held in
 * memory.
 */
public final class CatalogFollower {

    /** Where in the mirror's incoming bucket the upstream's OVAs are put: {@code followed/<v>/<p>/<version>/<name>}. */
    public static final String INCOMING_FOLDER = "followed/";
    private static final String CONTENT_TYPE = "application/x-tar";

    /** What became of one upstream version in a run. */
    public enum Outcome { IMPORTED, RETRACTED, ADOPTED, SKIPPED, PENDING, FAILED }

    /** One line of a run's report: the version, what became of it, the mirror's importId when there is one. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Step(String id, Outcome outcome, String importId, String detail) {
    }

    /**
     * A run: whether the upstream was refused (then {@code failures} say why and nothing was done), the root
     * version accepted, and each version acted on.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Report(String upstream, boolean refused, long version, List<CatalogVerifier.Failure> failures,
                         List<Step> steps) {
        public boolean ok() {
            return !refused && steps.stream().noneMatch(s -> s.outcome() == Outcome.FAILED);
        }

        public long count(Outcome outcome) {
            return steps.stream().filter(s -> s.outcome() == outcome).count();
        }
    }

    private final CatalogVerifier.Source upstream;
    private final SignatureVerifier key;
    private final ObjectStore mirror;
    private final String incomingBucket;
    private final String catalogBucket;
    private final CatalogSigner signer;
    private final Clock clock;

    /**
     * @param upstream       where the upstream's catalog bucket is read (its own URLs only)
     * @param key            the upstream publisher's public key, pinned
     * @param mirror         this pipeline's store
     * @param signer         this pipeline's key, which signs the index a retraction rewrites (null: unsigned, as
     *                       {@code catalog retract} without a key)
     */
    public CatalogFollower(CatalogVerifier.Source upstream, SignatureVerifier key, ObjectStore mirror,
                           String incomingBucket, String catalogBucket, CatalogSigner signer, Clock clock) {
        this.upstream = upstream;
        this.key = key;
        this.mirror = mirror;
        this.incomingBucket = incomingBucket;
        this.catalogBucket = catalogBucket;
        this.signer = signer;
        this.clock = clock;
    }

    /** One run: verify, then import and retract what {@code state} says is not done yet. */
    public Report follow(FollowState state) throws IOException {
        CatalogIndex mirrorIndex = new CatalogIndex(mirror, catalogBucket);
        List<FollowPlan.Action> actions = new ArrayList<>();
        CatalogVerifier.Report verified = new CatalogVerifier(upstream, key, clock).verify(state.version(), false,
                product -> actions.addAll(FollowPlan.of(product, state::get,
                        mirrorProduct(mirrorIndex, product))));
        if (!verified.ok()) {
            return new Report(state.upstream(), true, verified.version(), verified.failures(), List.of());
        }
        state.accepted(verified.version());
        List<Step> steps = new ArrayList<>();
        for (FollowPlan.Action action : actions) {
            steps.add(carryOut(action, state));
        }
        return new Report(state.upstream(), false, verified.version(), List.of(), steps);
    }

    private static Optional<ProductIndex> mirrorProduct(CatalogIndex index, ProductIndex upstream) {
        if (!FollowPlan.SEGMENT.matcher(upstream.vendor()).matches()
                || !FollowPlan.SEGMENT.matcher(upstream.product()).matches()) {
            return Optional.empty();
        }
        return index.product(upstream.vendor(), upstream.product());
    }

    private Step carryOut(FollowPlan.Action action, FollowState state) throws IOException {
        if (action instanceof FollowPlan.Import i) {
            return importVersion(i, state);
        }
        if (action instanceof FollowPlan.Retract r) {
            return retract(r, state);
        }
        if (action instanceof FollowPlan.Adopt a) {
            FollowState.Followed before = state.get(a.id()).orElse(null);
            state.put(a.id(), new FollowState.Followed(a.sha256(), a.upstream(), a.importId(),
                    before == null ? null : before.key(), clock.instant(), a.retracted() ? clock.instant() : null,
                    null));
            return new Step(a.id(), Outcome.ADOPTED, a.importId(), "already in the mirror's catalog"
                    + (a.retracted() ? " (retracted)" : ""));
        }
        FollowPlan.Skip s = (FollowPlan.Skip) action;
        state.put(s.id(), new FollowState.Followed(s.sha256(), s.upstream(), null, null, null, null, s.reason()));
        return new Step(s.id(), Outcome.SKIPPED, null, s.reason());
    }

    private Step importVersion(FollowPlan.Import version, FollowState state) throws IOException {
        String key = INCOMING_FOLDER + version.id() + "/" + version.name();
        CatalogIndex.Item ova = version.ova();
        String url = upstream.describe(ova.key());
        Optional<ObjectRef> dropped;
        try {
            dropped = alreadyDropped(key, ova.sha256());
            if (dropped.isEmpty()) {
                dropped = Optional.of(drop(version, key, url));
            }
        } catch (FollowException e) {
            return new Step(version.id(), Outcome.FAILED, null, e.getMessage());
        } catch (RuntimeException e) {
            // the mirror's store: this version fails, the run goes on, the next run tries it again
            return new Step(version.id(), Outcome.FAILED, null, "s3://" + incomingBucket + "/" + key + ": "
                    + e.getMessage());
        }
        String importId = ImportId.of(dropped.get());
        state.put(version.id(), new FollowState.Followed(ova.sha256(), version.upstream(), importId, key,
                clock.instant(), null, null));
        return new Step(version.id(), Outcome.IMPORTED, importId, (version.again() ? "new content upstream, "
                : "") + ova.size() + " bytes from " + url + " into s3://" + incomingBucket + "/" + key);
    }

    /** The same OVA put there by an earlier run that stopped before it saved its state. */
    private Optional<ObjectRef> alreadyDropped(String key, String sha256) {
        Optional<StoredObject> there = mirror.describe(incomingBucket, key);
        if (there.isPresent() && sha256.equalsIgnoreCase(there.get().userMetadata().get(Downloader.SHA256_METADATA))) {
            return Optional.of(there.get().info().ref());
        }
        return Optional.empty();
    }

    private ObjectRef drop(FollowPlan.Import version, String key, String url) throws FollowException {
        CatalogIndex.Item ova = version.ova();
        Map<String, String> metadata = new HashMap<>();
        metadata.put(Downloader.SHA256_METADATA, ova.sha256());
        metadata.put(Downloader.SOURCE_METADATA, url);
        // the upstream's vendor/product/version: the mirror's entry lands where the upstream's is
        metadata.putAll(new ProductOverrides(version.vendor(), version.product(), version.version()).toMetadata());
        InputStream source;
        try {
            source = upstream.open(ova.key()).orElseThrow(() -> new FollowException(url + ": not there"));
        } catch (IOException e) {
            throw new FollowException(url + ": cannot be read: " + e.getMessage());
        }
        VerifyingStream body = new VerifyingStream(source, ova.size(), ova.sha256(), () -> {
        });
        try (body) {
            // size -1: a multipart upload that reads the body to its end, so the size and sha256 checks at the
            // end of the stream run before the store completes the object
            mirror.write(incomingBucket, key, body, -1, CONTENT_TYPE, metadata);
        } catch (IOException | RuntimeException e) {
            if (body.failure() != null) {
                throw new FollowException(url + ": " + body.failure() + " (the upstream's index states "
                        + ova.size() + " bytes, sha256 " + ova.sha256() + "): not imported");
            }
            if (body.sourceFailure() != null) {
                throw new FollowException(url + ": reading failed after " + body.count() + " bytes: "
                        + body.sourceFailure().getMessage());
            }
            throw new FollowException("s3://" + incomingBucket + "/" + key + ": " + e.getMessage());
        }
        return mirror.stat(incomingBucket, key).map(ObjectInfo::ref).orElseThrow(() -> new FollowException(
                "s3://" + incomingBucket + "/" + key + " vanished right after its upload"));
    }

    private Step retract(FollowPlan.Retract retraction, FollowState state) throws IOException {
        String reason = retraction.reason() != null ? retraction.reason()
                : "retracted upstream (" + upstream.describe("") + ")";
        Optional<ApplianceRecord> retracted;
        try {
            retracted = new CatalogRetraction(mirror, catalogBucket, signer).retract(retraction.id(), reason);
        } catch (RuntimeException e) {
            // the mirror's store or catalog: the next run tries again
            return new Step(retraction.id(), Outcome.FAILED, null, "cannot retract: " + e.getMessage());
        }
        FollowState.Followed before = state.get(retraction.id()).orElse(null);
        if (retracted.isEmpty()) {
            return new Step(retraction.id(), Outcome.PENDING, before == null ? null : before.importId(),
                    "retracted upstream, not in the mirror's catalog yet (still importing, or the mirror refused "
                            + "it): retracted once it is");
        }
        String importId = retracted.get().provenance().importId();
        state.put(retraction.id(), before == null
                ? new FollowState.Followed(null, null, importId, null, null, clock.instant(), null)
                : before.withRetracted(clock.instant()));
        return new Step(retraction.id(), Outcome.RETRACTED, importId, reason);
    }

    /** A version that could not be imported: its message is the report's line. */
    private static final class FollowException extends Exception {
        FollowException(String message) {
            super(message);
        }
    }
}
