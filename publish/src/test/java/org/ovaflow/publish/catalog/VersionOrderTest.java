package org.ovaflow.publish.catalog;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Which version of an appliance is later: what makes one the latest. */
class VersionOrderTest {

    private final VersionOrder order = VersionOrder.INSTANCE;

    @Test
    void numbersCompareAsNumbers() {
        assertThat(order.compare("1.10", "1.9")).isPositive();
        assertThat(order.compare("1.9", "1.10")).isNegative();
        assertThat(order.compare("1.2", "1.10")).isNegative();
        assertThat(order.compare("10.0", "9.99.99")).isPositive();
        assertThat(order.compare("2024.10.1", "2024.9.30")).isPositive();
        assertThat(order.compare("1.100000000000000000000", "1.99999999999999999999")).isPositive();
    }

    @Test
    void moreNumbersAreLaterAndATrailingWordIsAPreRelease() {
        assertThat(order.compare("1.0.1", "1.0")).isPositive();
        assertThat(order.compare("1.0-rc1", "1.0")).isNegative();
        assertThat(order.compare("1.0-beta", "1.0-rc1")).isNegative();
        assertThat(order.compare("1.0rc2", "1.0-rc1")).isPositive();
        assertThat(order.compare("2.beta", "2.0")).isNegative();
    }

    @Test
    void versionsWithoutNumbersComeBeforeNumberedOnes() {
        assertThat(order.compare("unversioned-0123456789abcdef01234567", "0.1")).isNegative();
    }

    @Test
    void theOrderIsTotalAndConsistentWithEquals() {
        assertThat(order.compare("1.2", "1.2")).isZero();
        assertThat(order.compare("1.02", "1.2")).isNotZero();
        assertThat(Integer.signum(order.compare("1.02", "1.2"))).isEqualTo(-Integer.signum(order.compare("1.2", "1.02")));
        assertThat(order.compare("1-0", "1.0")).isNotZero();
    }

    @Test
    void sortsAProductsVersions() {
        List<String> versions = new ArrayList<>(List.of("1.10", "1.2", "1.9", "1.0-rc1", "1.0", "2.0-beta", "1.10.1",
                "0.9"));
        Collections.shuffle(versions);

        versions.sort(order);

        assertThat(versions).containsExactly("0.9", "1.0-rc1", "1.0", "1.2", "1.9", "1.10", "1.10.1", "2.0-beta");
    }
}
