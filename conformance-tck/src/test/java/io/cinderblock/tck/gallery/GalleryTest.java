package io.cinderblock.tck.gallery;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.driver.sim.SimulatedArrayDriverProvider;
import io.cinderblock.sdk.spi.VolumeDriverProvider;
import io.cinderblock.tck.Requirements;
import io.cinderblock.tck.SimDevice;
import io.cinderblock.tck.TckFixture;
import io.cinderblock.tck.runner.ConformanceRun;
import io.cinderblock.tck.runner.RunResult;
import io.cinderblock.tck.runner.TestResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Proves the kit catches what it claims to, and nothing else: each broken driver of the gallery (one
 * defect, wrapped around the SIMULATED array's correct driver) must fail exactly the requirements it
 * names (its own first), with everything that depends on them blocked, not failed. Every group runs
 * except the slow fault checks, of which only FAULT-1 (the healthy proxy, where a stats defect used
 * to show up) and the driver's own fault requirement run. The known-good sim driver runs under the
 * same filter with exact counts, so a regression that turns checks into skips fails here.
 */
class GalleryTest {

    /** What the known-good driver must score under {@link #filter}: everything passes but CAP-1 (it offers every capability). */
    private static final long KNOWN_GOOD_PASSED = 40;
    private static final Set<String> KNOWN_GOOD_SKIPPED = Set.of("CAP-1");

    /** Driver-enforced requirements no gallery driver fails yet; the list may only shrink. */
    private static final Set<String> NOT_YET_BROKEN = Set.of();

    static Stream<BrokenDriverProvider> gallery() {
        return BrokenDrivers.all().stream();
    }

    /** Every group but faults and push, plus FAULT-1 and the given requirements. */
    private static List<String> filter(Set<String> extra) {
        List<String> include = new ArrayList<>(Requirements.GROUPS);
        include.remove("faults");
        include.remove("push");
        include.add("FAULT-1");
        include.addAll(extra);
        return include;
    }

    private static RunResult run(VolumeDriverProvider provider, Set<String> extra, boolean withLabel) {
        return run(provider, extra, withLabel, b -> b);
    }

    private static RunResult run(VolumeDriverProvider provider, Set<String> extra, boolean withLabel,
            java.util.function.UnaryOperator<TckFixture.Builder> customize) {
        SimDevice device = SimDevice.start();
        // A short settle timeout: the stale-stats driver would otherwise be waited on for the default 10 s.
        TckFixture.Builder fixture = customize.apply(device.fixture(provider).settleTimeout(Duration.ofSeconds(3))
                .closeAfterRun(device));
        if (withLabel) {
            fixture.option("sim_label", "tck");
        }
        // DISC-1 needs a ServiceLoader registration, which the gallery's drivers (test classes) do not have:
        // it runs only for the driver that breaks it.
        ConformanceRun run = ConformanceRun.of(fixture.build()).include(filter(extra));
        if (!extra.contains("DISC-1")) {
            run.exclude(List.of("DISC-1"));
        }
        return run.execute();
    }

    private static Set<String> ids(RunResult result, TestResult.Status status) {
        return result.tests().stream().filter(t -> t.status() == status).flatMap(t -> t.requirements().stream())
                .collect(Collectors.toCollection(TreeSet::new));
    }

    /** The tests that did not pass, one line each, for failure messages. */
    private static String notPassed(RunResult result) {
        return result.tests().stream().filter(t -> t.status() != TestResult.Status.PASSED)
                .map(t -> "\n  " + t.status() + " " + t.requirements() + t.blockedBy().map(b -> " by " + b).orElse("")
                        + ": " + t.message().orElse(""))
                .collect(Collectors.joining());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gallery")
    void failsExactlyTheRequirementsItBreaks(BrokenDriverProvider broken) {
        Set<String> expected = new TreeSet<>(broken.alsoFails());
        expected.add(broken.breaks());
        RunResult result = run(broken, expected, broken instanceof ContractDrivers.NullPointerOnMissingOption,
                broken::fixture);

        assertThat(result.failedRequirements()).as("requirements %s fails; not passed: %s", broken, notPassed(result))
                .isEqualTo(expected);
        assertThat(result.passed()).as("verdict on %s", broken).isFalse();
        assertThat(result.tests()).filteredOn(t -> t.status() == TestResult.Status.BLOCKED)
                .as("tests of %s blocked by a requirement it does not fail", broken)
                .allSatisfy(t -> assertThat(expected).contains(t.blockedBy().orElseThrow()));
    }

    @Test
    void knownGoodDriverPassesEveryCheckOfTheGalleryRun() {
        RunResult result = run(new SimulatedArrayDriverProvider(), Set.of(), false,
                b -> b.expectCapabilities(java.util.EnumSet.allOf(io.cinderblock.sdk.spi.Capability.class)));

        assertThat(result.count(TestResult.Status.FAILED)).as("failed: %s", notPassed(result)).isZero();
        assertThat(result.count(TestResult.Status.BLOCKED)).as("blocked").isZero();
        assertThat(ids(result, TestResult.Status.SKIPPED)).as("skipped").isEqualTo(KNOWN_GOOD_SKIPPED);
        assertThat(result.count(TestResult.Status.PASSED)).as("passed").isEqualTo(KNOWN_GOOD_PASSED);
    }

    @Test
    void everyDriverEnforcedRequirementHasAGalleryDriverThatFailsIt() {
        Set<String> broken = BrokenDrivers.all().stream().map(BrokenDriverProvider::breaks)
                .collect(Collectors.toCollection(TreeSet::new));
        Set<String> driverEnforced = Requirements.ALL.stream().filter(r -> !r.sdkEnforced())
                .map(io.cinderblock.tck.Requirement::id).collect(Collectors.toCollection(TreeSet::new));
        assertThat(broken).as("requirements the gallery breaks are driver-enforced").isSubsetOf(driverEnforced);
        Set<String> missing = new TreeSet<>(driverEnforced);
        missing.removeAll(broken);
        assertThat(missing).as("driver-enforced requirements no gallery driver fails").isEqualTo(NOT_YET_BROKEN);
    }
}
