package org.ovaflow.validate.ovf;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/** Unit strings as producers write them, turned into byte multipliers. */
class AllocationUnitsTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "byte | 1",
            "bytes | 1",
            "byte * 2^30 | 1073741824",
            "byte*2^20 | 1048576",
            "byte * 1024 | 1024",
            "byte * 10^3 | 1000",
            "MegaBytes | 1048576",
            "GigaBytes | 1073741824",
            "KiloBytes | 1024",
    })
    void understandsProgrammaticAndNamedUnits(String units, long bytesPerUnit) {
        assertThat(AllocationUnits.bytesPerUnit(units)).hasValue(bytesPerUnit);
    }

    @ParameterizedTest
    @NullAndEmptySource
    void missingUnitMeansBytes(String units) {
        assertThat(AllocationUnits.bytesPerUnit(units)).hasValue(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"hertz * 10^6", "percent", "byte * 2^99"})
    void refusesUnitsThatAreNotByteSizes(String units) {
        assertThat(AllocationUnits.bytesPerUnit(units)).isEmpty();
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "40 | byte * 2^30 | 42949672960",
            "null | byte * 2^30 | null",
            "-1 | byte | null",
            "9223372036854775807 | byte * 2^20 | null",
    })
    void convertsAmountsAndGivesNullForNonSizes(Long amount, String units, Long bytes) {
        assertThat(AllocationUnits.toBytes(amount, units)).isEqualTo(bytes);
    }
}
