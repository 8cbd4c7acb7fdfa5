package org.ovaflow.publish.quarantine;

import com.fasterxml.jackson.annotation.JsonInclude;
import org.ovaflow.core.event.CheckConcern;
import org.ovaflow.core.event.CheckResult;

import java.time.Instant;
import java.util.List;

/**
 * The content of {@code report.json} beside a quarantined OVA: every failed check with the file it concerns, and
 * every check that warned, each with its severity and remedy; and every check that ran. Documented in
 * docs/events.md. {@code released} is not part of report.json: the readers fill it in from {@code released.json}
 * beside it, once the import was released ({@link QuarantineRelease}). Reports written before warnings were listed
 * read with none.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RejectionReport(int schemaVersion, String importId, String source, String etag, String quarantinedAs,
                              Instant arrivedAt, Instant rejectedAt, List<CheckConcern> failed,
                              List<CheckConcern> warnings, List<CheckResult> checks, Release released) {

    public RejectionReport {
        failed = failed == null ? List.of() : List.copyOf(failed);
        warnings = warnings == null ? List.of() : List.copyOf(warnings);
        checks = checks == null ? List.of() : List.copyOf(checks);
    }

    public RejectionReport withReleased(Release release) {
        return new RejectionReport(schemaVersion, importId, source, etag, quarantinedAs, arrivedAt, rejectedAt, failed,
                warnings, checks, release);
    }
}
