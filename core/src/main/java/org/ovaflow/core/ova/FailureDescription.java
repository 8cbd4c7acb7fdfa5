package org.ovaflow.core.ova;

import java.io.EOFException;

/**
 * What an exception says, for a rejection's message: its own message when it has one, else what its type means
 * (the JDK's {@link EOFException} from a cut gzip or xz stream carries none, and "…: null" tells an operator
 * nothing), else its cause's message.
 */
public final class FailureDescription {

    private FailureDescription() {
    }

    /** The message of {@code e}, or a description of it when it has none; never null, never "null". */
    public static String of(Throwable e) {
        if (e == null) {
            return "an unknown failure";
        }
        String message = e.getMessage();
        if (message != null && !message.isBlank()) {
            return message;
        }
        String kind = e instanceof EOFException ? "the data ends early (" + e.getClass().getSimpleName() + ")"
                : "a " + e.getClass().getName() + " without a message";
        Throwable cause = e.getCause();
        // a cause is followed only while it has no message either: its message is the reason
        for (int depth = 0; cause != null && cause != e && depth < 5; depth++, cause = cause.getCause()) {
            String because = cause.getMessage();
            if (because != null && !because.isBlank()) {
                return kind + ": " + because;
            }
        }
        return kind;
    }
}
