package org.ovaflow.app.onboard;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.List;

/** What became of every item of a vendor catalog: the summary `ovaflow onboard` prints (and --json emits). */
public record OnboardingReport(String catalog, List<Item> items) {

    /** How an item ended. Only PUBLISHED counts as success. */
    public enum Outcome { PUBLISHED, REJECTED, FAILED, PENDING }

    /** One line of the summary: the item, how it ended, and why (rejection reasons, download error). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Item(String item, String file, Outcome outcome, String importId, String detail, Long bytes) {
    }

    public boolean allPublished() {
        return !items.isEmpty() && items.stream().allMatch(i -> i.outcome() == Outcome.PUBLISHED);
    }

    public long count(Outcome outcome) {
        return items.stream().filter(i -> i.outcome() == outcome).count();
    }
}
