package io.cinderblock.tck.runner;

import static java.util.Objects.requireNonNull;

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
 */
public record RequirementResult(Requirement requirement, Status status, Duration duration, Optional<String> message,
        Optional<String> blockedBy) {

    /** A requirement's verdict. */
    public enum Status {
        PASSED,
        FAILED,
        BLOCKED,
        SKIPPED,
        NOT_RUN
    }

    public RequirementResult {
        requireNonNull(requirement, "requirement is null");
        requireNonNull(status, "status is null");
        requireNonNull(duration, "duration is null");
        requireNonNull(message, "message is null");
        requireNonNull(blockedBy, "blockedBy is null");
    }
}
