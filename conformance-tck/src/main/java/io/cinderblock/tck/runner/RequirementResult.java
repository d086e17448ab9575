package io.cinderblock.tck.runner;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.tck.Requirement;
import java.time.Duration;
import java.util.Optional;

/**
 * The verdict on one requirement: failed if any of its tests failed, blocked if none failed but one
 * was blocked by another requirement's failure, passed if one passed, skipped if all were skipped,
 * not run if the filters excluded them.
 *
 * @param requirement the requirement
 * @param status the verdict
 * @param duration the summed duration of its tests
 * @param message the first failure message, blocking cause or skip reason
 * @param blockedBy for a {@link Status#BLOCKED} requirement, the id of the failed requirement that blocked it
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
public record RequirementResult(Requirement requirement, Status status, Duration duration, Optional<String> message,
        Optional<String> blockedBy) {

    /**
     * A requirement's verdict.
     *
     * @since 0.1
     */
    public enum Status {
        /**
         * A test of it passed and none failed or was blocked.
         *
         * @since 0.1
         */
        PASSED,
        /**
         * A test of it failed.
         *
         * @since 0.1
         */
        FAILED,
        /**
         * None failed, but one was blocked by another requirement's failure; counts against the verdict.
         *
         * @since 0.1
         */
        BLOCKED,
        /**
         * Every test of it was skipped (not applicable; the message says why).
         *
         * @since 0.1
         */
        SKIPPED,
        /**
         * The run's filters excluded its tests.
         *
         * @since 0.1
         */
        NOT_RUN
    }

    /**
     * Checks the components.
     *
     * @param requirement the requirement
     * @param status the verdict
     * @param duration the summed duration of its tests
     * @param message the first failure message, blocking cause or skip reason
     * @param blockedBy the failed requirement that blocked it
     * @throws NullPointerException if a component is null
     * @since 0.1
     */
    public RequirementResult {
        requireNonNull(requirement, "requirement is null");
        requireNonNull(status, "status is null");
        requireNonNull(duration, "duration is null");
        requireNonNull(message, "message is null");
        requireNonNull(blockedBy, "blockedBy is null");
    }
}
