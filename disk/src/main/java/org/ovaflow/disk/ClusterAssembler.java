package org.ovaflow.disk;

import java.io.IOException;
import java.util.Arrays;

/**
 * Turns guest data written in ascending order at any offsets and lengths into whole, aligned clusters
 * (qcow2 clusters, VMDK grains, VHD blocks), zero-filled where nothing was written, each handed to the
 * writer once, in ascending order. Clusters nothing was written to are never handed over; the last cluster
 * may end at the virtual size (shorter than the cluster size when the size is not a multiple of it).
 */
public final class ClusterAssembler {

    /** What a writer does with each completed cluster. */
    @FunctionalInterface
    public interface ClusterConsumer {
        /**
         * @param index   the cluster's number (virtual offset / cluster size)
         * @param data    the cluster is {@code data[from, from + length)}: the assembler's array or, for a cluster
         *                one write covered whole, the caller's; either way only valid during the call
         * @param allZero whether every byte of it is zero
         */
        void accept(long index, byte[] data, int from, int length, boolean allZero) throws IOException;
    }

    private final int clusterSize;
    private final long virtualSize;
    private final ClusterConsumer consumer;
    private final byte[] cluster;
    private long current = -1;
    /** How far into the current cluster bytes were written: what lies beyond still holds an old cluster. */
    private int filled;
    private long written;

    public ClusterAssembler(int clusterSize, long virtualSize, ClusterConsumer consumer) {
        this.clusterSize = clusterSize;
        this.virtualSize = virtualSize;
        this.consumer = consumer;
        this.cluster = new byte[clusterSize];
    }

    public void write(long offset, byte[] data, int from, int length) throws IOException {
        if (offset < written) {
            throw new IllegalArgumentException("write at " + offset + " before the end of the previous one (" + written
                    + ")");
        }
        if (offset + length > virtualSize) {
            throw new IllegalArgumentException("write of [" + offset + ", " + (offset + length)
                    + ") past the virtual size " + virtualSize);
        }
        long at = offset;
        int next = from;
        int left = length;
        while (left > 0) {
            long index = at / clusterSize;
            int within = (int) (at % clusterSize);
            int clusterLength = clusterLength(index);
            int run = Math.min(left, clusterSize - within);
            if (within == 0 && run >= clusterLength && index != current) {
                // a whole cluster in one write: handed over from the caller's array, no copy
                flush();
                consumer.accept(index, data, next, clusterLength, Zeros.allZero(data, next, clusterLength));
            } else {
                if (index != current) {
                    flush();
                    current = index;
                    filled = 0;
                }
                Arrays.fill(cluster, filled, within, (byte) 0);
                System.arraycopy(data, next, cluster, within, run);
                filled = within + run;
            }
            at += run;
            next += run;
            left -= run;
        }
        written = offset + length;
    }

    /** Hands over the cluster being filled, if any; call once at the end. */
    public void flush() throws IOException {
        if (current < 0) {
            return;
        }
        int length = clusterLength(current);
        Arrays.fill(cluster, Math.min(filled, length), length, (byte) 0);
        consumer.accept(current, cluster, 0, length, Zeros.allZero(cluster, 0, length));
        current = -1;
    }

    /** A cluster's length: the cluster size but for the last one of a disk that is not a multiple of it. */
    private int clusterLength(long index) {
        return (int) Math.min(clusterSize, virtualSize - index * clusterSize);
    }
}
