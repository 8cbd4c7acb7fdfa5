package org.ovaflow.publish.catalog;

/** What {@link CrashingWrites} throws in place of the write a crash would have stopped. */
final class SimulatedCrash extends RuntimeException {
    SimulatedCrash(int writes) {
        super("crash after " + writes + " writes");
    }
}
