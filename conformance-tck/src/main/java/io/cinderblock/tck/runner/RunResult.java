package io.cinderblock.tck.runner;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.tck.Requirement;
import io.cinderblock.tck.Requirements;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a {@link ConformanceRun} found: every test's result, and the verdict per requirement.
 *
 * @param descriptor the certified driver's descriptor
 * @param backendName the backend name the kit used
 * @param startedAt when the run started
 * @param finishedAt when it finished
 * @param tests every test's result, in execution order
 * @param context what the certification records besides the results: entry point, device, masked
 *     configuration, driver jars and their digests, environment
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
public record RunResult(DriverDescriptor descriptor, String backendName, Instant startedAt, Instant finishedAt,
        List<TestResult> tests, RunContext context) {

    /**
     * Checks the components and copies the tests.
     *
     * @param descriptor the certified driver's descriptor
     * @param backendName the backend name the kit used
     * @param startedAt when the run started
     * @param finishedAt when it finished
     * @param tests every test's result, in execution order
     * @param context what the certification records besides the results
     * @throws NullPointerException if a component is null
     * @since 0.1
     */
    public RunResult {
        requireNonNull(descriptor, "descriptor is null");
        requireNonNull(backendName, "backendName is null");
        requireNonNull(startedAt, "startedAt is null");
        requireNonNull(finishedAt, "finishedAt is null");
        requireNonNull(context, "context is null");
        tests = List.copyOf(tests);
    }

    /**
     * A result with an empty context (no driver jars, undeclared device): for tests of the reports.
     *
     * @param descriptor the driver's descriptor
     * @param backendName the backend name
     * @param startedAt when the run started
     * @param finishedAt when it finished
     * @param tests every test's result
     * @since 0.1
     */
    public RunResult(DriverDescriptor descriptor, String backendName, Instant startedAt, Instant finishedAt,
            List<TestResult> tests) {
        this(descriptor, backendName, startedAt, finishedAt, tests, new RunContext("library",
                io.cinderblock.tck.DeviceUnderTest.undeclared(), java.util.Map.of("volume_backend_name", backendName),
                List.of(), List.of(), java.util.Map.of(), RunContext.currentEnvironment()));
    }

    /**
     * The verdict in words: {@code Conformant}, {@code Not conformant}, with {@code on a simulated
     * device} when the fixture declared a simulator.
     *
     * @return the verdict line
     * @since 0.1
     */
    public String verdict() {
        String verdict = passed() ? "Conformant" : "Not conformant";
        return context.device().simulated() ? verdict + " on a simulated device" : verdict;
    }

    /**
     * Whether the driver conforms as far as this run checked.
     *
     * @return true if no test failed and none was blocked by a failure (a filtered run can block on an excluded one)
     * @since 0.1
     */
    public boolean passed() {
        return count(TestResult.Status.FAILED) == 0 && count(TestResult.Status.BLOCKED) == 0;
    }

    /**
     * How many tests ended with a status.
     *
     * @param status the status to count
     * @return the number of tests
     * @since 0.1
     */
    public long count(TestResult.Status status) {
        return tests.stream().filter(t -> t.status() == status).count();
    }

    /**
     * The run's wall-clock duration.
     *
     * @return from {@link #startedAt()} to {@link #finishedAt()}
     * @since 0.1
     */
    public Duration duration() {
        return Duration.between(startedAt, finishedAt);
    }

    /**
     * The requirements with a failed test.
     *
     * @return their ids, sorted
     * @since 0.1
     */
    public Set<String> failedRequirements() {
        Set<String> ids = new TreeSet<>();
        tests.stream().filter(t -> t.status() == TestResult.Status.FAILED).forEach(t -> ids.addAll(t.requirements()));
        return ids;
    }

    /**
     * The verdict on every requirement of the catalogue.
     *
     * @return one result per requirement, in document order
     * @since 0.1
     */
    public List<RequirementResult> requirements() {
        List<RequirementResult> results = new ArrayList<>();
        for (Requirement requirement : Requirements.ALL) {
            List<TestResult> mine = new ArrayList<>();
            tests.stream().filter(t -> t.requirements().contains(requirement.id())).forEach(mine::add);
            Duration duration = mine.stream().map(TestResult::duration).reduce(Duration.ZERO, Duration::plus);
            RequirementResult.Status status;
            Optional<String> message;
            Optional<String> blockedBy = Optional.empty();
            if (mine.isEmpty()) {
                status = RequirementResult.Status.NOT_RUN;
                message = Optional.of("excluded by the run's filters");
            } else if (mine.stream().anyMatch(t -> t.status() == TestResult.Status.FAILED)) {
                status = RequirementResult.Status.FAILED;
                message = first(mine, TestResult.Status.FAILED);
            } else if (mine.stream().anyMatch(t -> t.status() == TestResult.Status.BLOCKED)) {
                status = RequirementResult.Status.BLOCKED;
                message = first(mine, TestResult.Status.BLOCKED);
                blockedBy = mine.stream().map(TestResult::blockedBy).flatMap(Optional::stream).findFirst();
            } else if (mine.stream().anyMatch(t -> t.status() == TestResult.Status.PASSED)) {
                status = RequirementResult.Status.PASSED;
                message = Optional.empty();
            } else {
                status = RequirementResult.Status.SKIPPED;
                message = first(mine, TestResult.Status.SKIPPED);
            }
            results.add(new RequirementResult(requirement, status, duration, message, blockedBy));
        }
        return results;
    }

    /**
     * The requirements with a blocked test and no failed one.
     *
     * @return their ids, sorted
     * @since 0.1
     */
    public Set<String> blockedRequirements() {
        Set<String> ids = new TreeSet<>();
        requirements().stream().filter(r -> r.status() == RequirementResult.Status.BLOCKED)
                .forEach(r -> ids.add(r.requirement().id()));
        return ids;
    }

    private static Optional<String> first(List<TestResult> tests, TestResult.Status status) {
        return tests.stream().filter(t -> t.status() == status).map(TestResult::message).flatMap(Optional::stream)
                .findFirst();
    }
}
