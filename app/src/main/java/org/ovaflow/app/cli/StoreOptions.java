package org.ovaflow.app.cli;

import org.ovaflow.app.pipeline.Buckets;
import org.ovaflow.app.pipeline.Endpoints;
import org.ovaflow.core.store.ObjectStore;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.HashMap;
import java.util.Map;

/** What the read commands share: how to reach the store, the bucket names and {@code --json}. */
public final class StoreOptions {

    @Mixin
    ConnectionOptions connection;

    @Option(names = "--json", description = "Print machine-readable JSON (shapes in docs/).")
    boolean json;

    @Option(names = {"-D", "--set"}, paramLabel = "KEY=VALUE", description = "Bucket names, as given to run.")
    Map<String, String> properties = new HashMap<>();

    ObjectStore store() {
        Endpoints endpoints = connection.endpoints();
        return new ObjectStore(endpoints.s3(), endpoints.s3AccessKey(), endpoints.s3SecretKey(),
                ObjectStore.UploadSettings.from(endpoints.storeSettings(properties)));
    }

    Buckets buckets() {
        return Buckets.from(properties);
    }
}
