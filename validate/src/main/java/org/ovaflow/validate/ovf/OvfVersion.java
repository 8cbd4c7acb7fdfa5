package org.ovaflow.validate.ovf;

import java.util.Arrays;
import java.util.Optional;

/** The OVF envelope generations, each identified by the namespace of its Envelope element. */
enum OvfVersion {
    /** Pre-DMTF OVF 0.9, published by VMware under its own namespace. */
    V0_9("0.9", "http://www.vmware.com/schema/ovf/1/envelope"),
    V1("1.x", "http://schemas.dmtf.org/ovf/envelope/1"),
    V2("2.x", "http://schemas.dmtf.org/ovf/envelope/2");

    private final String label;
    private final String namespace;

    OvfVersion(String label, String namespace) {
        this.label = label;
        this.namespace = namespace;
    }

    String label() {
        return label;
    }

    String namespace() {
        return namespace;
    }

    static Optional<OvfVersion> forNamespace(String namespaceUri) {
        return Arrays.stream(values()).filter(v -> v.namespace.equals(namespaceUri)).findFirst();
    }

    static boolean isOvfNamespace(String namespaceUri) {
        return forNamespace(namespaceUri).isPresent();
    }
}
