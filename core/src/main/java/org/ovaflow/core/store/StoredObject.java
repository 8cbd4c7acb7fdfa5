package org.ovaflow.core.store;

import java.util.Map;

/** An object as a stat sees it, with the user metadata it was written with (keys lower-case, no x-amz-meta-). */
public record StoredObject(ObjectInfo info, Map<String, String> userMetadata) {

    public StoredObject {
        userMetadata = Map.copyOf(userMetadata);
    }
}
