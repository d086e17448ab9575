package io.cinderblock.tck.runner;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The result of one test of the kit.
 *
 * @param name the display path, e.g. {@code Faults > FAULT-2 connection refused: ...}
 * @param requirements the requirement ids the test checks
 * @param group the requirement group, e.g. {@code faults}
 * @param capabilities the capability wire names the test needs
 * @param status how it ended
 * @param duration how long it ran
 * @param message the failure message or skip reason
 */
public record TestResult(String name, List<String> requirements, String group, List<String> capabilities,
        Status status, Duration duration, Optional<String> message) {

    /** How a test ended. */
    public enum Status {
        PASSED,
        FAILED,
        SKIPPED
    }

    public TestResult {
        requireNonNull(name, "name is null");
        requirements = List.copyOf(requirements);
        requireNonNull(group, "group is null");
        capabilities = List.copyOf(capabilities);
        requireNonNull(status, "status is null");
        requireNonNull(duration, "duration is null");
        requireNonNull(message, "message is null");
    }
}
