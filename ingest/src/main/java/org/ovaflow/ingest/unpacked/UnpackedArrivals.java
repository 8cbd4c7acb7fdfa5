package org.ovaflow.ingest.unpacked;

import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.ObjectRef;
import org.ovaflow.core.ova.OvaArchive;
import org.ovaflow.core.ova.PackageForm;
import org.ovaflow.core.ova.UnpackedPackage;
import org.ovaflow.core.store.ObjectGoneException;
import org.ovaflow.core.store.ObjectInfo;
import org.ovaflow.core.store.ObjectStore;
import org.ovaflow.ingest.Arrivals;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Unpacked OVF packages arriving file by file: the import is the package's {@code .ovf}, and it may only go once
 * every file its References name inside the package is in the bucket beside it. Until then its arrival is held
 * back, not failed: the next scan, or the notification of a file of its folder, asks again.
 */
public final class UnpackedArrivals {

    private static final Logger LOG = LoggerFactory.getLogger(UnpackedArrivals.class);
    /** Forget which packages were announced as waiting beyond this many: the log line only comes again. */
    private static final int MAX_REMEMBERED = 10_000;

    private final ObjectStore store;
    private final Arrivals arrivals;
    private final Clock clock;
    /** importId → the file it was last seen waiting for, so each wait is logged at INFO once. */
    private final Map<String, String> waiting = new ConcurrentHashMap<>();

    public UnpackedArrivals(ObjectStore store, Arrivals arrivals, Clock clock) {
        this.store = store;
        this.arrivals = arrivals;
        this.clock = clock;
    }

    /**
     * Whether {@code arrival} may go now: it is no unpacked package's descriptor, or every file the descriptor
     * references inside the package is there. A descriptor gone, too large or unreadable has nothing to wait for:
     * the later stages say what is wrong with it (gone, {@code ovf.descriptor}).
     */
    public boolean ready(ImportEvent arrival) {
        ObjectRef descriptor = arrival.source();
        if (PackageForm.of(descriptor.fileName()) != PackageForm.UNPACKED) {
            return true;
        }
        Optional<String> missing;
        try {
            missing = firstMissing(descriptor);
        } catch (ObjectGoneException e) {
            return true;
        }
        if (missing.isEmpty()) {
            waiting.remove(arrival.importId());
            return true;
        }
        String file = missing.get();
        if (!file.equals(waiting.put(arrival.importId(), file))) {
            if (waiting.size() > MAX_REMEMBERED) {
                waiting.clear();
            }
            LOG.info("{}: waiting for {} of the unpacked package before importing it", descriptor, file);
        } else {
            LOG.debug("{}: still waiting for {}", descriptor, file);
        }
        return false;
    }

    private Optional<String> firstMissing(ObjectRef descriptor) {
        byte[] xml;
        try (InputStream in = store.read(descriptor)) {
            xml = in.readNBytes(UnpackedPackage.MAX_DESCRIPTOR_BYTES + 1);
        } catch (IOException e) {
            throw new UncheckedIOException("reading " + descriptor + " failed", e);
        }
        if (xml.length > UnpackedPackage.MAX_DESCRIPTOR_BYTES) {
            return Optional.empty();
        }
        List<String> referenced;
        try {
            referenced = UnpackedPackage.referencedFiles(xml, OvaArchive.MAX_ENTRIES);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (referenced.size() > OvaArchive.MAX_ENTRIES) {
            return Optional.empty();
        }
        String folder = UnpackedPackage.folderOf(descriptor.key());
        return referenced.stream().filter(name -> UnpackedPackage.spellings(name).stream()
                .noneMatch(spelling -> store.exists(descriptor.bucket(), folder + spelling))).findFirst();
    }

    /**
     * The arrivals of the unpacked packages' descriptors lying in the folders of {@code created} objects (files
     * that are not imports themselves): a package's last file to arrive makes its descriptor an arrival again.
     */
    public List<ImportEvent> descriptorsBeside(List<ObjectRef> created) {
        Set<String> folders = new LinkedHashSet<>();
        for (ObjectRef object : created) {
            if (object.bucket().equals(arrivals.bucket())) {
                folders.add(UnpackedPackage.folderOf(object.key()));
            }
        }
        List<ImportEvent> found = new ArrayList<>();
        for (String folder : folders) {
            for (ObjectInfo object : store.listFolder(arrivals.bucket(), folder)) {
                if (PackageForm.of(object.key()) == PackageForm.UNPACKED && arrivals.isImport(object.bucket(), object.key())) {
                    found.add(ImportEvent.arrived(object.ref(), "notification", clock.instant()));
                }
            }
        }
        return found;
    }
}
