package org.ovaflow.app.pipeline;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Waits at start for a broker or store that is not there yet: a stage process started while they restart (or
 * before them, as an orchestrator starts services in any order) retries with backoff instead of exiting, for at
 * most {@code ovaflow.startup.timeout-s}; then the last failure is thrown.
 */
final class StartupWait {

    private static final Logger LOG = LoggerFactory.getLogger(StartupWait.class);
    private static final long FIRST_DELAY_MS = 500;
    private static final long MAX_DELAY_MS = 15_000;

    private StartupWait() {
    }

    static void until(Duration budget, String what, Runnable step) throws InterruptedException {
        long deadline = System.nanoTime() + budget.toNanos();
        long delay = FIRST_DELAY_MS;
        while (true) {
            try {
                step.run();
                return;
            } catch (RuntimeException e) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    throw e;
                }
                long wait = Math.min(delay, left);
                LOG.warn("{} failed ({}), trying again in {} ms ({} s left of ovaflow.startup.timeout-s)", what,
                        e.getMessage(), wait, left / 1000);
                Thread.sleep(wait);
                delay = Math.min(delay * 2, MAX_DELAY_MS);
            }
        }
    }
}
