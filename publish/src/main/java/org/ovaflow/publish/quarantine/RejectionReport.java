package org.ovaflow.publish.quarantine;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.ovaflow.core.event.CheckResult;

import java.time.Instant;
import java.util.List;

/**
 * The content of {@code report.json} beside a quarantined OVA: every failed check with the file it concerns,
 * and every other check that ran. Documented in docs/events.md. {@code released} is not part of report.json: the
 * readers fill it in from {@code released.json} beside it, once the import was released ({@link QuarantineRelease}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RejectionReport(int schemaVersion, String importId, String source, String etag, String quarantinedAs,
                              Instant arrivedAt, Instant rejectedAt, List<CheckResult> failed,
                              List<CheckResult> checks, Release released) {

    public RejectionReport withReleased(Release release) {
        return new RejectionReport(schemaVersion, importId, source, etag, quarantinedAs, arrivedAt, rejectedAt, failed,
                checks, release);
    }
}
