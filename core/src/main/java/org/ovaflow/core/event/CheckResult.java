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

    /** The check and the file it concerns, as people read it in status lines: {@code manifest.digest [disk1.img]}. */
    public String where() {
        return id + (file != null ? " [" + file + "]" : "");
    }

    public boolean failed() {
        return status == Status.FAIL;
    }
}
