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
 * @param message the failure message, skip reason, or what blocked it
 * @param blockedBy for a {@link Status#BLOCKED} test, the id of the failed requirement that blocked it
 */
public record TestResult(String name, List<String> requirements, String group, List<String> capabilities,
        Status status, Duration duration, Optional<String> message, Optional<String> blockedBy) {

    /** How a test ended. */
    public enum Status {
        PASSED,
        FAILED,
        /** Not applicable to this driver or configuration (the reason says why); no verdict against it. */
        SKIPPED,
        /** Not checked because another requirement failed first; counts against the verdict. */
        BLOCKED
    }

    /** A result that was not blocked. */
    public TestResult(String name, List<String> requirements, String group, List<String> capabilities,
            Status status, Duration duration, Optional<String> message) {
        this(name, requirements, group, capabilities, status, duration, message, Optional.empty());
    }

    public TestResult {
        requireNonNull(name, "name is null");
        requirements = List.copyOf(requirements);
        requireNonNull(group, "group is null");
        capabilities = List.copyOf(capabilities);
        requireNonNull(status, "status is null");
        requireNonNull(duration, "duration is null");
        requireNonNull(message, "message is null");
        requireNonNull(blockedBy, "blockedBy is null");
        if ((status == Status.BLOCKED) != blockedBy.isPresent()) {
            throw new IllegalArgumentException("blockedBy must be set exactly for a BLOCKED test, got " + status
                    + " blocked by " + blockedBy);
        }
    }
}
