package org.ovaflow.core.ova;

import org.junit.jupiter.api.Test;

import java.io.EOFException;
import java.io.IOException;

import static org.assertj.core.api.Assertions.assertThat;

/** Rejection messages quote exceptions: one without a message is described, never written as "null". */
class FailureDescriptionTest {

    @Test
    void aMessageIsQuotedAsItIs() {
        assertThat(FailureDescription.of(new IOException("Truncated TAR archive"))).isEqualTo("Truncated TAR archive");
    }

    @Test
    void anEofWithoutMessageSaysTheDataEndsEarly() {
        assertThat(FailureDescription.of(new EOFException())).isEqualTo("the data ends early (EOFException)");
    }

    @Test
    void anotherExceptionWithoutMessageIsNamedByTypeAndItsCausesMessage() {
        assertThat(FailureDescription.of(new IllegalStateException()))
                .isEqualTo("a java.lang.IllegalStateException without a message");
        assertThat(FailureDescription.of(new IOException((String) null, new EOFException("Unexpected end of ZLIB input stream"))))
                .isEqualTo("a java.io.IOException without a message: Unexpected end of ZLIB input stream");
        assertThat(FailureDescription.of(null)).isEqualTo("an unknown failure");
    }
}
