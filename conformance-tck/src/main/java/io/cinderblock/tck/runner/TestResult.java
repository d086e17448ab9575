package io.cinderblock.tck.runner;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
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
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
public record TestResult(String name, List<String> requirements, String group, List<String> capabilities,
        Status status, Duration duration, Optional<String> message, Optional<String> blockedBy) {

    /**
     * How a test ended.
     *
     * @since 0.1
     */
    public enum Status {
        /**
         * Every check held.
         *
         * @since 0.1
         */
        PASSED,
        /**
         * A check did not hold, or the driver threw or hung; counts against the verdict.
         *
         * @since 0.1
         */
        FAILED,
        /**
         * Not applicable to this driver or configuration (the reason says why); no verdict against it.
         *
         * @since 0.1
         */
        SKIPPED,
        /**
         * Not checked because another requirement failed first; counts against the verdict.
         *
         * @since 0.1
         */
        BLOCKED
    }

    /**
     * A result that was not blocked.
     *
     * @param name the display path
     * @param requirements the requirement ids the test checks
     * @param group the requirement group
     * @param capabilities the capability wire names the test needs
     * @param status how it ended; not {@link Status#BLOCKED}
     * @param duration how long it ran
     * @param message the failure message or skip reason
     * @since 0.1
     */
    public TestResult(String name, List<String> requirements, String group, List<String> capabilities,
            Status status, Duration duration, Optional<String> message) {
        this(name, requirements, group, capabilities, status, duration, message, Optional.empty());
    }

    /**
     * Checks the components and copies the lists.
     *
     * @param name the display path
     * @param requirements the requirement ids the test checks
     * @param group the requirement group
     * @param capabilities the capability wire names the test needs
     * @param status how it ended
     * @param duration how long it ran
     * @param message the failure message, skip reason, or what blocked it
     * @param blockedBy the failed requirement that blocked it; present exactly for {@link Status#BLOCKED}
     * @throws NullPointerException if a component is null
     * @throws IllegalArgumentException if {@code blockedBy} does not match the status
     * @since 0.1
     */
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
