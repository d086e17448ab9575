package io.cinderblock.tck.gallery;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.tck.Requirements;
import io.cinderblock.tck.SimDevice;
import io.cinderblock.tck.runner.ConformanceRun;
import io.cinderblock.tck.runner.RunResult;
import io.cinderblock.tck.runner.TestResult;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves the kit catches what it claims to: each broken driver of the gallery (one defect, wrapped
 * around the SIMULATED array's correct driver) must fail, under the requirement its defect breaks.
 * Cheap groups run whole; fault checks run only the requirement itself, to keep the suite short.
 */
class GalleryTest {

    static Stream<BrokenDriverProvider> gallery() {
        return BrokenDrivers.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gallery")
    void failsUnderTheRightRequirement(BrokenDriverProvider broken) {
        String group = Requirements.byId(broken.breaks()).orElseThrow().group();
        List<String> include = group.equals("faults") ? List.of(broken.breaks()) : List.of(group);
        SimDevice device = SimDevice.start();
        // A short settle timeout: the stale-stats driver would otherwise be waited on for the default 10 s.
        var fixture = device.fixture(broken).settleTimeout(java.time.Duration.ofSeconds(3)).closeAfterRun(device);
        if (broken instanceof BrokenDrivers.NullPointerOnMissingOption) {
            fixture.option("sim_label", "tck");
        }
        RunResult result = ConformanceRun.of(fixture.build()).include(include).execute();

        assertThat(result.count(TestResult.Status.FAILED)).as("failed tests of %s", broken).isPositive();
        assertThat(result.failedRequirements()).as("requirements %s fails", broken).contains(broken.breaks());
    }

    @org.junit.jupiter.api.Test
    void galleryHasAtLeastTwelveDistinctDefects() {
        assertThat(BrokenDrivers.all()).hasSizeGreaterThanOrEqualTo(12);
        assertThat(BrokenDrivers.all().stream().map(BrokenDriverProvider::breaks).distinct().count())
                .isGreaterThanOrEqualTo(12);
    }
}
