package org.ovaflow.validate.inspect;

import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.TarEntry;
import org.ovaflow.validate.checksum.EntryTap;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/**
 * Reads every disk image of a package to its end, as the transcode stage reads them: what a header probe
 * cannot see (tables and grains pointing past the end of the file, data that does not inflate). The app
 * supplies it with the transcode stage's readers, which a validate stage may not depend on.
 *
 * <p>A disk whose reader reads forward (streamOptimized VMDK, a gzip-compressed file) is read in the one
 * streaming pass that hashes the package, from the bytes the tar walk streams past ({@link EntryTap}); the
 * others (qcow2, VHD, raw, monolithicSparse VMDK, descriptor and extents) go back to their tables, so they are
 * read after the pass by ranges of the package's files, which a compressed package does not have.
 */
@FunctionalInterface
public interface DiskImageReads {

    /**
     * The check a disk passes when it was read to its end, or warns with when it could not be (a disk of a
     * compressed package that only ranges can read); a refusal carries the reader's own id ({@code disk.vmdk.*}, …).
     */
    String CHECK = "disk.read";

    /** The reads of one package's disks. */
    Pass start();

    /** Fed in the streaming pass, judged after it; close it (it stops what still reads). */
    interface Pass extends EntryTap, AutoCloseable {

        /**
         * The checks of the disks {@code event}'s appliance names (its tar index and appliance as the stages
         * found them): the verdicts of the reads done in the pass, and the other disks read by {@code ranges},
         * or, when there are none (a compressed package), a warning that they were not read to their end.
         */
        List<CheckResult> finish(ImportEvent event, EntryRanges ranges) throws IOException;

        @Override
        void close();
    }

    /** Byte ranges of a package's files, each a tar entry of its index: a plain OVA's, or an unpacked package's. */
    @FunctionalInterface
    interface EntryRanges {

        /** At most {@code length} bytes from {@code offset} of {@code entry}'s data. */
        InputStream open(TarEntry entry, long offset, long length) throws IOException;
    }
}
