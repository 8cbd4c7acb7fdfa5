package org.ovaflow.core.event;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/**
 * A check that failed or warned, as report.json and {@code ovaflow inspect --json} list it: the check's own fields
 * ({@code id}, {@code status}, {@code file}, {@code message}) and, from {@link CheckCatalogue}, its {@code severity}
 * and a one-line {@code remedy}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record CheckConcern(String id, CheckResult.Status status, String file, String message,
                           CheckCatalogue.Severity severity, String remedy) {

    public static CheckConcern of(CheckResult check) {
        return new CheckConcern(check.id(), check.status(), check.file(), check.message(),
                CheckCatalogue.severity(check), CheckCatalogue.remedy(check));
    }

    /** The failed checks of {@code checks}, each with its severity and remedy. */
    public static List<CheckConcern> failed(List<CheckResult> checks) {
        return checks.stream().filter(CheckResult::failed).map(CheckConcern::of).toList();
    }

    /** The checks of {@code checks} that warned: accepted, but worth a look. */
    public static List<CheckConcern> warnings(List<CheckResult> checks) {
        return checks.stream().filter(c -> c.status() == CheckResult.Status.WARN).map(CheckConcern::of).toList();
    }

    /** The check and the file it concerns, as people read it in status lines: {@code manifest.digest [disk1.img]}. */
    public String where() {
        return id + (file != null ? " [" + file + "]" : "");
    }
}
