package org.ovaflow.validate.checksum;

import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ManifestVerdict;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.event.TarIndex;
import org.ovaflow.core.ova.InvalidOvaException;
import org.ovaflow.core.ova.OvaArchive;
import org.ovaflow.core.ova.OvaEntry;
import org.ovaflow.disk.DiskHeader;
import org.ovaflow.validate.ValidationSettings;
import org.ovaflow.validate.disk.DiskHeaderChecks;
import org.ovaflow.validate.disk.DiskImageProbe;
import org.ovaflow.validate.signature.SignatureVerdict;
import org.ovaflow.validate.signature.SignatureVerifier;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The checksum stage's verdict on an OVA, from one pass over its bytes: the tar is well-formed and holds only
 * plain files with safe names, the descriptor comes first, every digest of the manifest is right, the signature
 * (if any) verifies, and no disk image's header reaches outside the package ({@link DiskHeaderChecks}).
 * Works on any stream, so the pipeline (a GET of the object) and {@code ovaflow inspect} (a local file)
 * run the same checks.
 */
public final class PackageVerifier {

    private final ValidationSettings settings;
    private final SignatureVerifier signatures;

    /** @throws IllegalArgumentException when the settings' trust store cannot be read */
    public PackageVerifier(ValidationSettings settings) {
        this(settings, Clock.systemUTC());
    }

    /** A verifier judging certificate validity at {@code clock}'s time. */
    public PackageVerifier(ValidationSettings settings, Clock clock) {
        this.settings = settings;
        this.signatures = SignatureVerifier.of(settings, clock);
    }

    /** A verifier with the default policies. */
    public PackageVerifier() {
        this(ValidationSettings.DEFAULTS);
    }

    public PackageVerification verify(String ovaName, InputStream ova) throws IOException {
        return verify(ovaName, ova, (EntryTap) null);
    }

    /** {@link #verify(String, InputStream)}, handing every entry's bytes to {@code tap} as well (when not null). */
    public PackageVerification verify(String ovaName, InputStream ova, EntryTap tap) throws IOException {
        try (EntryDigests digests = new EntryDigests(tap)) {
            return verify(ovaName, ova, digests);
        }
    }

    private PackageVerification verify(String ovaName, InputStream ova, EntryDigests digests) throws IOException {
        List<OvaEntry> entries;
        byte[] wholeDigest;
        // the whole OVA's digest and the entries' digests each on a thread of their own, beside the tar walk
        try (ConcurrentDigestInputStream hashed = new ConcurrentDigestInputStream(ova, sha256())) {
            try {
                // the walk closes what it reads: shielded, so that what follows the archive can still be hashed
                entries = OvaArchive.walkBuffered(new FilterInputStream(hashed) {
                    @Override
                    public void close() {
                    }
                }, digests);
                // the end-of-archive blocks and any padding after them: part of the object the catalog keeps
                hashed.transferTo(OutputStream.nullOutputStream());
            } catch (InvalidOvaException e) {
                return new PackageVerification(new TarIndex(List.of()), new ManifestVerdict(null, Map.of()),
                        List.of(CheckResult.fail(e.checkId(), ovaName, e.getMessage())), digests.bytesRead());
            }
            wholeDigest = hashed.digest();
            digests.finish();
        }
        List<CheckResult> checks = new ArrayList<>(tarChecks(entries));
        long trailingData = digests.trailingNonZeroBytes();
        if (trailingData > 0) {
            // tar readers stop at the end-of-archive blocks: what follows is never read as files, but it may hide
            // a second archive that a careless extractor would unpack
            checks.add(CheckResult.warn("tar.trailing-data", ovaName, trailingData + " non-zero byte(s) after the "
                    + "end of the archive: ignored, kept in the OVA's sha256"));
        }
        ManifestVerdict verdict = manifestChecks(entries, digests, checks);
        SignatureVerdict signature = signatures.verify(
                digests.manifest() != null ? digests.manifest().fileName() : digests.oversizeManifest(),
                digests.manifestBytes(), digests.certName(), digests.certBytes());
        checks.addAll(signature.checks());
        Map<String, DiskHeader> headers = digests.diskHeaders();
        List<TarEntry> index = entries.stream()
                .filter(e -> e.kind() == OvaEntry.Kind.FILE)
                .map(e -> new TarEntry(e.name(), e.dataOffset(), e.size(), digests.digest(e.name(), "SHA256"),
                        headers.containsKey(e.name()) ? DiskImageProbe.image(headers.get(e.name())) : null))
                .toList();
        checks.addAll(DiskHeaderChecks.check(headers, index.stream().map(TarEntry::name)
                .collect(java.util.stream.Collectors.toSet())));
        // the descriptor travels in the event: the schema and transcode stages need not read it from the store
        return new PackageVerification(new TarIndex(index, HexFormat.of().formatHex(wholeDigest))
                .withDescriptor(digests.descriptorBytes()),
                verdict.withSigner(signature.signer()), List.copyOf(checks), digests.bytesRead());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    private static List<CheckResult> tarChecks(List<OvaEntry> entries) {
        List<CheckResult> checks = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (OvaEntry entry : entries) {
            if (entry.kind() != OvaEntry.Kind.FILE) {
                checks.add(CheckResult.fail("tar.entry-type", entry.name(), "a " + entry.kind().name().toLowerCase()
                        + (entry.linkTarget() != null ? " to " + entry.linkTarget() : "")
                        + " entry: an OVA holds only regular files"));
            }
            String unsafe = unsafeName(entry.name());
            if (unsafe != null) {
                checks.add(CheckResult.fail("tar.entry-name", entry.name(), unsafe));
            }
            if (!seen.add(entry.name())) {
                checks.add(CheckResult.fail("tar.duplicate-name", entry.name(),
                        "the archive holds this name more than once"));
            }
        }
        OvaEntry first = entries.get(0);
        if (first.name().toLowerCase().endsWith(".ovf") && first.kind() == OvaEntry.Kind.FILE) {
            checks.add(CheckResult.pass("tar.descriptor-first", first.name(), "the descriptor is the first entry"));
        } else {
            checks.add(CheckResult.fail("tar.descriptor-first", first.name(),
                    "the first entry must be the .ovf descriptor (DSP0243), found " + first.name()));
        }
        if (checks.stream().noneMatch(CheckResult::failed)) {
            checks.add(CheckResult.pass("tar.structure", null, entries.size() + " plain files with safe names"));
        }
        return checks;
    }

    /**
     * The longest entry name accepted, in UTF-8 bytes: what file systems allow, and short enough that staging
     * and catalog keys built from it stay under S3's 1,024-byte key limit.
     */
    static final int MAX_NAME_BYTES = 255;

    /** Why a tar entry name is unsafe to use as a file or object name, or null when it is fine. */
    static String unsafeName(String name) {
        if (name.isEmpty()) {
            return "empty name";
        }
        int bytes = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_NAME_BYTES) {
            return "a name of " + bytes + " bytes (at most " + MAX_NAME_BYTES + ")";
        }
        if (name.startsWith("/") || name.startsWith("\\") || name.matches("^[A-Za-z]:.*")) {
            return "absolute path";
        }
        for (String segment : name.split("[/\\\\]")) {
            if (segment.equals("..")) {
                return "path traversal ('..')";
            }
        }
        for (char c : name.toCharArray()) {
            if (c < 0x20 || c == 0x7f) {
                return "control character in the name";
            }
        }
        return null;
    }

    private ManifestVerdict manifestChecks(List<OvaEntry> entries, EntryDigests digests,
                                                  List<CheckResult> checks) {
        if (digests.oversizeManifest() != null) {
            checks.add(CheckResult.fail("manifest.syntax", digests.oversizeManifest(),
                    "larger than " + Manifest.MAX_BYTES + " bytes: not a manifest"));
            return new ManifestVerdict(digests.oversizeManifest(), Map.of());
        }
        Manifest manifest = digests.manifest();
        if (manifest == null) {
            checks.add(settings.manifest() == ValidationSettings.ManifestPolicy.REQUIRE
                    ? CheckResult.fail("manifest.present", null, "no .mf manifest, and ovaflow.validate.manifest is "
                    + "require")
                    : CheckResult.warn("manifest.present", null, "no .mf manifest: file digests not verified"));
            return new ManifestVerdict(null, Map.of());
        }
        for (String error : manifest.errors()) {
            checks.add(CheckResult.fail("manifest.syntax", manifest.fileName(), error));
        }
        Set<String> files = new HashSet<>();
        entries.stream().filter(e -> e.kind() == OvaEntry.Kind.FILE).forEach(e -> files.add(e.name()));
        Map<String, ManifestVerdict.VerifiedDigest> verified = new LinkedHashMap<>();
        for (Manifest.Line line : manifest.lines()) {
            if (!files.contains(line.file())) {
                checks.add(CheckResult.fail("manifest.entry-missing", line.file(),
                        manifest.fileName() + " line " + line.number() + " lists a file the archive does not hold"));
                continue;
            }
            String actual = digests.digest(line.file(), line.algorithm());
            if (actual == null) {
                // cannot happen while EntryDigests computes every listed algorithm, but never pass unverified
                checks.add(CheckResult.fail("manifest.digest", line.file(), line.algorithm() + " not computed"));
            } else if (!actual.equals(line.digest())) {
                checks.add(CheckResult.fail("manifest.digest", line.file(), line.algorithm() + " is " + actual
                        + ", " + manifest.fileName() + " says " + line.digest()));
            } else {
                verified.put(line.file(), new ManifestVerdict.VerifiedDigest(line.algorithm(), line.digest()));
            }
        }
        for (OvaEntry entry : entries) {
            String name = entry.name().toLowerCase();
            if (entry.kind() == OvaEntry.Kind.FILE && !name.endsWith(".mf") && !name.endsWith(".cert")
                    && manifest.lines().stream().noneMatch(l -> l.file().equals(entry.name()))) {
                checks.add(CheckResult.warn("manifest.unlisted", entry.name(), "not listed in " + manifest.fileName()));
            }
        }
        if (!verified.isEmpty()) {
            checks.add(CheckResult.pass("manifest.digest", manifest.fileName(), verified.size()
                    + " digest(s) verified (" + String.join(", ", manifest.algorithms()) + "; written "
                    + String.join(", ", manifest.spellings()) + ")"));
        }
        return new ManifestVerdict(manifest.fileName(), verified);
    }
}
