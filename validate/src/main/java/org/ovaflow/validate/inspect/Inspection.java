package org.ovaflow.validate.inspect;

import org.ovaflow.core.event.CheckResult;
import org.ovaflow.core.event.ImportEvent;
import org.ovaflow.core.event.VerifiedSigner;

import java.util.List;

/**
 * What {@link OvaInspector} found of one local OVA: the event the checksum and schema stages would have made
 * of it, with every check and the appliance metadata when the descriptor could be read.
 *
 * @param sha256 the whole file's SHA-256, null when the archive could not be walked
 * @param signer who signed it, when its signature verified and chained to the trust store; null otherwise
 */
public record Inspection(String file, long size, String sha256, VerifiedSigner signer, ImportEvent event) {

    public boolean valid() {
        return event.failedChecks().isEmpty();
    }

    public List<CheckResult> failed() {
        return event.failedChecks();
    }
}
