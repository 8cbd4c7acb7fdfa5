package org.ovaflow.validate.schema;

import org.ovaflow.core.event.ApplianceMetadata;
import org.ovaflow.core.event.CheckResult;

import java.util.List;

/**
 * The schema stage's verdict on a descriptor: its checks, and the appliance metadata when the descriptor could
 * be read at all (null when it could not).
 */
public record DescriptorValidation(ApplianceMetadata appliance, List<CheckResult> checks) {

    public DescriptorValidation {
        checks = List.copyOf(checks);
    }

    public boolean rejected() {
        return appliance == null || checks.stream().anyMatch(CheckResult::failed);
    }
}
