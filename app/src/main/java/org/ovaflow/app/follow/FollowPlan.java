package org.ovaflow.app.follow;

import org.ovaflow.publish.catalog.ApplianceRecord;
import org.ovaflow.publish.catalog.CatalogIndex.Item;
import org.ovaflow.publish.catalog.CatalogIndex.ProductIndex;
import org.ovaflow.publish.catalog.CatalogIndex.Version;
import org.ovaflow.publish.catalog.PublishStage;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * What following an upstream's product means for the mirror, decided from three things only: the upstream's
 * product document (verified), what the state says was done before, and the mirror's own document of the same
 * product. No input or output here: the follower carries the actions out.
 *
 * <p>An available upstream version is imported once (again only when the upstream's original OVA has another
 * sha256: new content under the same version, which the mirror's own {@code on-conflict} then decides), unless
 * the mirror already has the version (then it is adopted: remembered, not imported). A retracted upstream
 * version is retracted in the mirror when the mirror has it available, and never imported. Everything the
 * upstream says is checked before it is used: the version's vendor, product and version must be catalog path
 * segments, its original OVA a plain {@code .ova} file name with a sha256 and a key inside the version's own
 * folder; what fails a check is skipped with the reason, never fetched.
 */
public final class FollowPlan {

    /** A catalog path segment as publish makes them (a slug), never "." or "..". */
    static final Pattern SEGMENT = Pattern.compile("[a-z0-9_-][a-z0-9._+-]{0,127}");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private FollowPlan() {
    }

    /** Something to do for one upstream version, {@code id} its {@code vendor/product/version}. */
    public sealed interface Action {
        String id();
    }

    /**
     * Import the version's original OVA {@code name} (the upstream's item {@code ova}) into the mirror.
     *
     * @param again the state had another sha256 for it: the upstream published new content for the version
     */
    public record Import(String id, String vendor, String product, String version, String name, Item ova,
                         String upstream, boolean again) implements Action {
    }

    /** Retract the mirror's entry of the version, as the upstream did. */
    public record Retract(String id, String reason) implements Action {
    }

    /** Remember the mirror's own entry of the version ({@code importId}), imported before or otherwise. */
    public record Adopt(String id, String sha256, String upstream, String importId, boolean retracted)
            implements Action {
    }

    /** The version cannot be followed, for {@code reason}: remembered with the sha256 it had, not tried again. */
    public record Skip(String id, String sha256, String upstream, String reason) implements Action {
    }

    /**
     * The actions for the product {@code upstream}.
     *
     * @param state  what was done before, by {@code vendor/product/version}
     * @param mirror the mirror's document of the same product, if it has one
     */
    public static List<Action> of(ProductIndex upstream, Function<String, Optional<FollowState.Followed>> state,
                                  Optional<ProductIndex> mirror) {
        List<Action> actions = new ArrayList<>();
        if (!SEGMENT.matcher(upstream.vendor()).matches() || !SEGMENT.matcher(upstream.product()).matches()) {
            String id = upstream.vendor() + "/" + upstream.product();
            if (state.apply(id).isEmpty()) {
                actions.add(new Skip(id, null, null, "not a catalog path (vendor and product must be slugs)"));
            }
            return actions;
        }
        Map<String, Version> mine = mirror.map(ProductIndex::versions).orElse(Map.of());
        for (Map.Entry<String, Version> entry : upstream.versions().entrySet()) {
            String version = entry.getKey();
            Version theirs = entry.getValue();
            String id = upstream.vendor() + "/" + upstream.product() + "/" + version;
            Optional<FollowState.Followed> done = state.apply(id);
            Version ours = mine.get(version);
            if (theirs == null) {
                continue;
            }
            if (!SEGMENT.matcher(version).matches()) {
                if (done.isEmpty()) {
                    actions.add(new Skip(id, null, theirs.importId(), "not a catalog path (the version must be a slug)"));
                }
                continue;
            }
            if (ApplianceRecord.AVAILABLE.equals(theirs.state())) {
                available(id, upstream, version, theirs, done, ours).ifPresent(actions::add);
            } else if (ApplianceRecord.RETRACTED.equals(theirs.state())) {
                retracted(id, theirs, done, ours).ifPresent(actions::add);
            }
        }
        return actions;
    }

    private static Optional<Action> available(String id, ProductIndex upstream, String version, Version theirs,
                                              Optional<FollowState.Followed> done, Version ours) {
        List<Map.Entry<String, Item>> ovas = theirs.items() == null ? List.of() : theirs.items().entrySet().stream()
                .filter(i -> i.getValue() != null && PublishStage.OVA_ROLE.equals(i.getValue().role())).toList();
        String sha256 = ovas.size() == 1 ? ovas.get(0).getValue().sha256() : null;
        if (done.isPresent() && Objects.equals(done.get().sha256(), sha256)) {
            return Optional.empty(); // imported, adopted or skipped already: the same content
        }
        if (done.isEmpty() && ours != null) {
            return Optional.of(new Adopt(id, sha256, theirs.importId(), ours.importId(),
                    !ApplianceRecord.AVAILABLE.equals(ours.state())));
        }
        if (ovas.isEmpty()) {
            return Optional.of(new Skip(id, null, theirs.importId(), "the upstream keeps no original OVA of it (no "
                    + "item of role " + PublishStage.OVA_ROLE + ": its ovaflow.publish.keep-ova is false)"));
        }
        if (ovas.size() > 1) {
            return Optional.of(new Skip(id, null, theirs.importId(), "more than one item of role "
                    + PublishStage.OVA_ROLE));
        }
        String name = ovas.get(0).getKey();
        Item ova = ovas.get(0).getValue();
        String folder = upstream.vendor() + "/" + upstream.product() + "/" + version + "/";
        String problem = problem(name, ova, folder);
        if (problem != null) {
            return Optional.of(new Skip(id, sha256, theirs.importId(), problem));
        }
        return Optional.of(new Import(id, upstream.vendor(), upstream.product(), version, name, ova,
                theirs.importId(), done.isPresent()));
    }

    private static Optional<Action> retracted(String id, Version theirs, Optional<FollowState.Followed> done,
                                              Version ours) {
        if (done.isPresent() && done.get().retracted() != null) {
            return Optional.empty();
        }
        String reason = theirs.retraction() == null ? null : theirs.retraction().reason();
        if (ours != null) {
            if (ApplianceRecord.AVAILABLE.equals(ours.state())) {
                return Optional.of(new Retract(id, reason));
            }
            // retracted in the mirror already: remembered as carried over
            return Optional.of(new Adopt(id, done.map(FollowState.Followed::sha256).orElse(null), theirs.importId(),
                    ours.importId(), true));
        }
        if (done.isPresent() && done.get().key() != null && done.get().skipped() == null) {
            // imported by us, not (yet) in the mirror's catalog: retried until it is
            return Optional.of(new Retract(id, reason));
        }
        return Optional.empty(); // never imported: nothing to withdraw
    }

    /** Null when the upstream's original OVA may be fetched and dropped as {@code name}; else why not. */
    static String problem(String name, Item ova, String folder) {
        if (name == null || name.isEmpty() || name.contains("/") || name.contains("\\") || name.startsWith(".")
                || name.chars().anyMatch(c -> c < 0x20 || c == 0x7f)
                || name.getBytes(StandardCharsets.UTF_8).length > 255) {
            return "its original OVA's name is not a plain file name: " + printable(name);
        }
        if (!name.toLowerCase(Locale.ROOT).endsWith(".ova")) {
            return "its original OVA's name does not end in .ova: " + printable(name);
        }
        if (ova.sha256() == null || !SHA256.matcher(ova.sha256()).matches()) {
            return "the upstream states no sha256 of its original OVA (" + printable(ova.sha256())
                    + "): it could not be checked";
        }
        if (ova.size() <= 0) {
            return "the upstream states no size of its original OVA (" + ova.size() + ")";
        }
        String key = ova.key();
        if (key == null || !key.startsWith(folder) || key.contains("\\")
                || key.chars().anyMatch(c -> c < 0x20 || c == 0x7f)
                || java.util.Arrays.stream(key.split("/", -1)).anyMatch(s -> s.isEmpty() || s.equals(".")
                || s.equals(".."))) {
            return "its original OVA's key is not inside the version's folder " + folder + ": " + printable(key);
        }
        return null;
    }

    private static String printable(String text) {
        if (text == null) {
            return "none";
        }
        String shown = text.length() > 120 ? text.substring(0, 120) + "…" : text;
        return "\"" + shown.replaceAll("\\p{Cntrl}", "?") + "\"";
    }
}
