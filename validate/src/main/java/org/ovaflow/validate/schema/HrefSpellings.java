package org.ovaflow.validate.schema;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.core.event.TarIndex;
import org.ovaflow.validate.ovf.OvfDescriptor;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * References' hrefs matched to the archive's names as tools write them. DSP0243 makes an href a URI, so the file
 * {@code my disk.vmdk} is {@code my%20disk.vmdk}: some exporters encode, others do not; and a package assembled on
 * a case-insensitive file system may name {@code Disk1.vmdk} a file archived as {@code disk1.vmdk}. An href that
 * names no file exactly but one file once percent-decoded, or one file alone ignoring case, is read as that file
 * with the warning {@code ovf.href-spelling}; the metadata names it as the archive does, so every later check and
 * stage finds it. Chunked files and hrefs outside the package are left to the reference checks.
 */
final class HrefSpellings {

    static final String CHECK_ID = "ovf.href-spelling";

    private HrefSpellings() {
    }

    record Resolved(OvfDescriptor descriptor, List<CheckResult> checks) {
    }

    static Resolved resolve(OvfDescriptor parsed, TarIndex tar) {
        List<CheckResult> checks = new ArrayList<>();
        List<ApplianceMetadata.File> files = new ArrayList<>();
        boolean changed = false;
        for (ApplianceMetadata.File file : parsed.appliance().files()) {
            Optional<Match> match = file.href() == null || file.chunkSize() != null
                    || PackagePaths.outsidePackage(file.href()).isPresent() || tar.find(file.href()).isPresent()
                    ? Optional.empty() : match(file.href(), tar);
            if (match.isPresent()) {
                checks.add(CheckResult.warn(CHECK_ID, file.href(), "References names '" + file.href() + "' (id "
                        + file.id() + "), the archive holds it as '" + match.get().name() + "' (" + match.get().how()
                        + "): read as that file"));
                files.add(new ApplianceMetadata.File(file.id(), match.get().name(), file.size(), file.compression(),
                        file.chunkSize()));
                changed = true;
            } else {
                files.add(file);
            }
        }
        OvfDescriptor resolved = changed
                ? parsed.withAppliance(parsed.appliance().withFiles(files)) : parsed;
        return new Resolved(resolved, checks);
    }

    private record Match(String name, String how) {
    }

    private static Optional<Match> match(String href, TarIndex tar) {
        Optional<String> decoded = percentDecoded(href).filter(d -> !d.equals(href));
        if (decoded.isPresent() && tar.find(decoded.get()).isPresent()) {
            return Optional.of(new Match(decoded.get(), "percent-encoded in the href"));
        }
        String wanted = decoded.orElse(href).toLowerCase(Locale.ROOT);
        List<TarEntry> alike = tar.entries().stream().skip(1) // never the descriptor itself
                .filter(e -> e.name().toLowerCase(Locale.ROOT).equals(wanted)).toList();
        return alike.size() == 1
                ? Optional.of(new Match(alike.get(0).name(), "another letter case")) : Optional.empty();
    }

    private static Optional<String> percentDecoded(String href) {
        if (href.indexOf('%') < 0) {
            return Optional.empty();
        }
        try {
            // URLDecoder reads '+' as a space, which a URI path does not
            return Optional.of(URLDecoder.decode(href.replace("+", "%2B"), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException malformed) {
            return Optional.empty();
        }
    }
}
