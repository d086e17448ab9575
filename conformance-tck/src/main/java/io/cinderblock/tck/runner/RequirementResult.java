package io.cinderblock.tck.runner;

import static java.util.Objects.requireNonNull;

import io.cinderblock.tck.Requirement;
import java.time.Duration;
import java.util.Optional;

/**
 * The verdict on one requirement: failed if any of its tests failed, passed if one passed and none
 * failed, skipped if all were skipped, not run if the filters excluded them.
 *
 * @param requirement the requirement
 * @param status the verdict
 * @param duration the summed duration of its tests
 * @param message the first failure message or skip reason
 */
public record RequirementResult(Requirement requirement, Status status, Duration duration, Optional<String> message) {

    /** A requirement's verdict. */
    public enum Status {
        PASSED,
        FAILED,
        SKIPPED,
        NOT_RUN
    }

    public RequirementResult {
        requireNonNull(requirement, "requirement is null");
        requireNonNull(status, "status is null");
        requireNonNull(duration, "duration is null");
        requireNonNull(message, "message is null");
    }
}
