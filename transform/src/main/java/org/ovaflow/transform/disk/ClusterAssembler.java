package org.ovaflow.transform.disk;

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
         * @param data    the cluster, {@code data[0, length)}; the assembler's array, reused after the call
         * @param allZero whether every byte of it is zero
         */
        void accept(long index, byte[] data, int length, boolean allZero) throws IOException;
    }

    private final int clusterSize;
    private final long virtualSize;
    private final ClusterConsumer consumer;
    private final byte[] cluster;
    private long current = -1;
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
        int from2 = from;
        int left = length;
        while (left > 0) {
            long index = at / clusterSize;
            if (index != current) {
                flush();
                current = index;
            }
            int within = (int) (at % clusterSize);
            int run = Math.min(left, clusterSize - within);
            System.arraycopy(data, from2, cluster, within, run);
            at += run;
            from2 += run;
            left -= run;
        }
        written = offset + length;
    }

    /** Hands over the cluster being filled, if any; call once at the end. */
    public void flush() throws IOException {
        if (current < 0) {
            return;
        }
        int length = (int) Math.min(clusterSize, virtualSize - current * clusterSize);
        consumer.accept(current, cluster, length, Zeros.allZero(cluster, 0, length));
        Arrays.fill(cluster, (byte) 0);
        current = -1;
    }
}
