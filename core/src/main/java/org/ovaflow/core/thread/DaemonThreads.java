package org.ovaflow.core.thread;

import java.util.concurrent.ThreadFactory;

/**
 * Threads for the pools the pipeline's parts make for themselves (uploads, file writes, publish's commits, the HTTP
 * server, onboarding's downloads): named, so that a thread dump or the bench's CPU by part tells whose they are, and
 * daemons, so that a pool its owner could not shut down never keeps the JVM from exiting.
 */
public final class DaemonThreads {

    private DaemonThreads() {
    }

    /** A factory of daemon threads, each called {@code name}. */
    public static ThreadFactory named(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
