package org.ovaflow.transform.transcode;

import org.ovaflow.core.event.StagedArtifact;

/**
 * What an event may still carry of its files' bytes ({@link StagedArtifact#content}) rather than staging them:
 * files up to {@link StagedArtifact#CARRIED_MAX}, {@link StagedArtifact#CARRIED_PER_EVENT} in all.
 */
final class CarryingRoom {

    private long left = StagedArtifact.CARRIED_PER_EVENT;

    /** Whether a file of {@code size} bytes is carried; if so, the room it takes is taken. */
    boolean take(long size) {
        if (size > StagedArtifact.CARRIED_MAX || size > left) {
            return false;
        }
        left -= size;
        return true;
    }
}
