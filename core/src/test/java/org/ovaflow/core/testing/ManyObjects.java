package org.ovaflow.core.testing;

import org.ovaflow.core.store.ObjectStore;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.ToIntFunction;

/**
 * Writes many small objects 16 at a time: the tests that need more than a listing page (1,000 keys) of them spent
 * their whole time waiting for one PUT after the other.
 */
public final class ManyObjects {

    private ManyObjects() {
    }

    /** Writes each of {@code keys} into {@code bucket} with {@code size(key)} zero bytes, and returns when all are in. */
    public static void write(ObjectStore store, String bucket, List<String> keys, ToIntFunction<String> size) {
        ExecutorService writers = Executors.newFixedThreadPool(16);
        try {
            CompletableFuture.allOf(keys.stream()
                    .map(key -> CompletableFuture.runAsync(() -> store.write(bucket, key,
                            new byte[size.applyAsInt(key)], "application/octet-stream"), writers))
                    .toArray(CompletableFuture[]::new)).join();
        } finally {
            writers.shutdownNow();
        }
    }
}
