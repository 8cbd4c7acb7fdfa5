package org.ovaflow.publish.catalog;

import org.ovaflow.core.store.ObjectStore;

import java.util.function.Supplier;

/**
 * The catalog's real writes, stopped before write {@code crashAfter + 1} as a crash would stop them
 * ({@link SimulatedCrash}); {@code Integer.MAX_VALUE} counts them without a crash. {@code afterEach} runs after every
 * write done, to check the state a crash right there would leave.
 */
final class CrashingWrites implements CatalogWrites {

    private final int crashAfter;
    private final Runnable afterEach;
    private final CatalogWrites direct;
    private int done;

    CrashingWrites(ObjectStore store, int crashAfter) {
        this(store, crashAfter, () -> { });
    }

    CrashingWrites(ObjectStore store, int crashAfter, Runnable afterEach) {
        this.direct = CatalogWrites.to(store);
        this.crashAfter = crashAfter;
        this.afterEach = afterEach;
    }

    /** The writes done. */
    int done() {
        return done;
    }

    private <T> T next(Supplier<T> write) {
        if (done == crashAfter) {
            throw new SimulatedCrash(done);
        }
        T answer = write.get();
        done++;
        afterEach.run();
        return answer;
    }

    @Override
    public void copy(String fromBucket, String fromKey, long size, String fromEtag, String toBucket, String toKey) {
        next(() -> {
            direct.copy(fromBucket, fromKey, size, fromEtag, toBucket, toKey);
            return null;
        });
    }

    @Override
    public String write(String bucket, String key, byte[] data, String contentType) {
        return next(() -> direct.write(bucket, key, data, contentType));
    }

    @Override
    public void remove(String bucket, String key) {
        next(() -> {
            direct.remove(bucket, key);
            return null;
        });
    }
}
