package org.ovaflow.core.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.ovaflow.core.testing.ManyObjects;
import org.ovaflow.core.testing.S3Server;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Removing many objects at once (DeleteObjects) from a real S3 server. */
class RemoveAllTest {

    private static final String BUCKET = "ova-staging";

    @RegisterExtension
    static final S3Server S3 = new S3Server(BUCKET);

    private final ObjectStore store = S3.store();

    @Test
    void removesEveryKeyGivenAcrossMoreThanOneRequestAndLeavesTheOthers() {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 1_005; i++) {
            keys.add("imports/many/" + i);
        }
        ManyObjects.write(store, BUCKET, keys, key -> 1);
        store.write(BUCKET, "imports/kept", new byte[]{1}, "application/octet-stream");
        // a key that is not there is not an error, nor one given twice
        keys.add("imports/never-written");
        keys.add("imports/many/0");

        store.removeAll(BUCKET, keys);

        assertThat(store.list(BUCKET, "imports/")).extracting(ObjectInfo::key).containsExactly("imports/kept");
        store.removeAll(BUCKET, List.of());
    }
}
