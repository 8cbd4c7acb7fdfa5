package org.ovaflow.core.thread;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A value made when it is first asked for, once, and shared from then on by every thread: what a short command
 * (inspect) should not pay for at start when its input may never need it (a schema of another OVF version, the
 * JDK's certificate authorities for an unsigned package).
 */
public final class OnFirstUse<T> implements Supplier<T> {

    private final Supplier<? extends T> make;
    private T value;

    private OnFirstUse(Supplier<? extends T> make) {
        this.make = make;
    }

    /** {@code make} run by the first {@link #get}, its result kept; it must not return null. */
    public static <T> OnFirstUse<T> of(Supplier<? extends T> make) {
        return new OnFirstUse<>(Objects.requireNonNull(make));
    }

    @Override
    public synchronized T get() {
        if (value == null) {
            value = Objects.requireNonNull(make.get(), "made nothing");
        }
        return value;
    }
}
