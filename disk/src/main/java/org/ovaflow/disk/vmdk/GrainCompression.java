package org.ovaflow.disk.vmdk;

import org.ovaflow.disk.InvalidDiskImageException;

import java.util.function.Supplier;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * Deflating and inflating one grain in the zlib format (RFC 1950) VMware and qemu write, on the codec
 * threads: each thread keeps one native zlib stream of either kind, reset between grains.
 */
final class GrainCompression {

    /**
     * Level 1: on disk data it costs a few percent of size against the default level and runs several times
     * faster; the grain size, not the level, dominates how well a VMDK compresses.
     */
    static final int LEVEL = Deflater.BEST_SPEED;

    private static final ThreadLocal<Inflater> INFLATERS = ThreadLocal.withInitial(Inflater::new);
    private static final ThreadLocal<Inflater> RAW_INFLATERS = ThreadLocal.withInitial(() -> new Inflater(true));
    private static final ThreadLocal<Deflater> DEFLATERS = ThreadLocal.withInitial(() -> new Deflater(LEVEL));

    private GrainCompression() {
    }

    /** An upper bound of a zlib stream deflating {@code length} bytes (zlib's own bound, rounded up). */
    static int deflateBound(int length) {
        return length + (length >> 12) + (length >> 14) + (length >> 25) + 64;
    }

    /**
     * Inflates one grain into {@code into}, which holds exactly one grain: a stream that would inflate to
     * more is refused (a zip bomb), as is one that is not zlib or ends early.
     *
     * @return the bytes inflated, at most {@code into.length}
     */
    static int inflate(byte[] data, int from, int length, byte[] into, String where) throws InvalidDiskImageException {
        return inflate(data, from, length, into, 0, into.length, true, where::toString);
    }

    /**
     * {@link #inflate(byte[], int, int, byte[], String)} into {@code into[at, at + grain)}; without
     * {@code checkAdler32}, the zlib header is checked and the deflate data inflated raw, its trailing Adler-32
     * left unchecked.
     */
    static int inflate(byte[] data, int from, int length, byte[] into, int at, int grain, boolean checkAdler32,
                       Supplier<String> where) throws InvalidDiskImageException {
        Inflater inflater;
        if (checkAdler32) {
            inflater = INFLATERS.get();
            inflater.reset();
            inflater.setInput(data, from, length);
        } else {
            if (length < 2 || (data[from] & 0x0f) != 8 || (data[from + 1] & 0x20) != 0
                    || ((data[from] & 0xff) << 8 | (data[from + 1] & 0xff)) % 31 != 0) {
                throw new InvalidDiskImageException("disk.vmdk.grain-data", where.get() + " has no zlib header");
            }
            inflater = RAW_INFLATERS.get();
            inflater.reset();
            inflater.setInput(data, from + 2, length - 2);
        }
        try {
            int produced = 0;
            while (produced < grain && !inflater.finished()) {
                int n = inflater.inflate(into, at + produced, grain - produced);
                if (n == 0) {
                    break; // wants input it will not get, or a preset dictionary: judged below
                }
                produced += n;
            }
            if (!inflater.finished()) {
                byte[] probe = new byte[1];
                if (inflater.inflate(probe) > 0) {
                    throw new InvalidDiskImageException("disk.vmdk.grain-bomb", where.get() + " inflates to more than one "
                            + "grain (" + grain + " bytes)");
                }
                if (!inflater.finished()) {
                    throw new InvalidDiskImageException("disk.vmdk.grain-data", where.get()
                            + " holds a deflate stream that ends before its end marker");
                }
            }
            return produced;
        } catch (DataFormatException e) {
            throw new InvalidDiskImageException("disk.vmdk.grain-data", where.get() + " is not zlib-compressed data: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Deflates {@code data[0, length)} into {@code into} from {@code at}, which must have room for
     * {@link #deflateBound}; the number of bytes written.
     */
    static int deflate(byte[] data, int length, byte[] into, int at) {
        Deflater deflater = DEFLATERS.get();
        deflater.reset();
        deflater.setInput(data, 0, length);
        deflater.finish();
        int written = 0;
        while (!deflater.finished()) {
            int n = deflater.deflate(into, at + written, into.length - at - written);
            if (n == 0 && at + written == into.length) {
                throw new IllegalStateException("deflated grain exceeds its bound of " + (into.length - at) + " bytes");
            }
            written += n;
        }
        return written;
    }
}
