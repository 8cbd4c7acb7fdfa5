package org.ovaflow.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The verdict of one named check on one OVA: what was checked ({@code id}, e.g. {@code manifest.digest}),
 * on which file of the package, and why it passed or failed.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CheckResult(String id, Status status, String file, String message) {

    /** A check passes, warns (accepted but worth a look) or fails (the OVA is rejected). */
    public enum Status { PASS, WARN, FAIL }

    public static CheckResult pass(String id, String file, String message) {
        return new CheckResult(id, Status.PASS, file, message);
    }

    public static CheckResult warn(String id, String file, String message) {
        return new CheckResult(id, Status.WARN, file, message);
    }

    public static CheckResult fail(String id, String file, String message) {
        return new CheckResult(id, Status.FAIL, file, message);
    }

    public boolean failed() {
        return status == Status.FAIL;
    }
}
