package io.cinderblock.sdk.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Capacity: GiB, infinite or unknown")
class CapacityTest {
    @Test
    @DisplayName("refuses negative, NaN and infinite amounts, and amounts on sentinels")
    void validation() {
        assertThatThrownBy(() -> Capacity.ofGib(-1)).hasMessageContaining("-1.0");
        assertThatThrownBy(() -> Capacity.ofGib(Double.NaN)).hasMessageContaining("NaN");
        assertThatThrownBy(() -> Capacity.ofGib(Double.POSITIVE_INFINITY)).hasMessageContaining("finite");
        assertThatThrownBy(() -> new Capacity(Capacity.Kind.INFINITE, 3)).hasMessageContaining("carries no amount");
        assertThatThrownBy(() -> new Capacity(null, 0)).hasMessageContaining("kind is null");
        assertThatThrownBy(() -> Capacity.ofBytes(-5)).hasMessageContaining("-5");
    }

    @Test
    @DisplayName("converts bytes exactly at 2^30 per GiB")
    void bytes() {
        assertThat(Capacity.ofBytes(3L << 30)).isEqualTo(Capacity.ofGib(3));
        assertThat(Capacity.ofBytes(1L << 29).gib()).isEqualTo(0.5);
    }

    @Test
    @DisplayName("adds: unknown wins over infinite, infinite over numbers")
    void plus() {
        assertThat(Capacity.ofGib(1).plus(Capacity.ofGib(2))).isEqualTo(Capacity.ofGib(3));
        assertThat(Capacity.ofGib(1).plus(Capacity.INFINITE)).isEqualTo(Capacity.INFINITE);
        assertThat(Capacity.INFINITE.plus(Capacity.UNKNOWN)).isEqualTo(Capacity.UNKNOWN);
    }

    @Test
    @DisplayName("reads and writes Cinder values, sentinels as strings in any case")
    void cinderValues() {
        assertThat(Capacity.fromCinderValue(12)).isEqualTo(Capacity.ofGib(12));
        assertThat(Capacity.fromCinderValue("12.5")).isEqualTo(Capacity.ofGib(12.5));
        assertThat(Capacity.fromCinderValue("Infinite")).isEqualTo(Capacity.INFINITE);
        assertThat(Capacity.fromCinderValue(" unknown ")).isEqualTo(Capacity.UNKNOWN);
        assertThat(Capacity.INFINITE.toCinderValue()).isEqualTo("infinite");
        assertThat(Capacity.UNKNOWN.toCinderValue()).isEqualTo("unknown");
        assertThat(Capacity.ofGib(2).toCinderValue()).isEqualTo(2.0);
        assertThatThrownBy(() -> Capacity.fromCinderValue("lots")).hasMessageContaining("'lots'");
        assertThatThrownBy(() -> Capacity.fromCinderValue(true)).hasMessageContaining("'true'");
        assertThatThrownBy(() -> Capacity.fromCinderValue(null)).hasMessageContaining("'null'");
    }
}
