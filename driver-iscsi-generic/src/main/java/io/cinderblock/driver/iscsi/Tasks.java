package io.cinderblock.driver.iscsi;

import com.fasterxml.jackson.databind.JsonNode;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * Completes the answers to changing requests: follows a 202 through its Redfish task monitor,
 * turns refusals into typed errors, and finds where a POST created its resource.
 */
final class Tasks {
    private final SwordfishSettings settings;
    private final RedfishClient client;

    Tasks(SwordfishSettings settings, RedfishClient client) {
        this.settings = settings;
        this.client = client;
    }

    /**
     * Completes an operation's response: a 202 is followed through its task monitor; a 4xx becomes
     * a typed error ({@link ErrorCode#INSUFFICIENT_CAPACITY} when the array says so). A 404 is
     * returned for the caller to judge.
     */
    RedfishClient.Response finish(RedfishClient.Response response, String doing) {
        RedfishClient.Response result = response.status() == 202 ? awaitTask(response, doing) : response;
        if (!result.isSuccess() && result.status() != 404) {
            String id = RedfishClient.errorMessageId(result.body()).orElse("").toLowerCase(Locale.ROOT);
            if (id.contains("insufficient") || id.contains("capacity")) {
                throw new CinderblockException(ErrorCode.INSUFFICIENT_CAPACITY, "Swordfish service at "
                        + settings.authority() + " lacks the capacity for " + doing
                        + client.errorMessage(result.body()));
            }
            client.requireSuccess(result, doing);
        }
        return result;
    }

    /**
     * Polls a Redfish task monitor until the operation ends or {@code swordfish_task_timeout}
     * passes. The monitor answers 202 while running and the operation's own response when done;
     * some arrays answer with the Task resource instead, whose {@code TaskState} is then read.
     */
    private RedfishClient.Response awaitTask(RedfishClient.Response accepted, String doing) {
        String monitor = accepted.location()
                .or(() -> Json.optionalText(accepted.body(), "@odata.id", "task"))
                .orElseThrow(() -> new SwordfishProtocolException("Swordfish service at " + settings.authority()
                        + " accepted " + doing + " (HTTP 202) without a task monitor Location", "Location", null));
        Deadline deadline = Deadline.after(settings.taskTimeout());
        RedfishClient.Response last = accepted;
        while (true) {
            Duration pause = deadline.capped(retryAfter(last));
            if (deadline.expired()) {
                throw new CinderblockException(ErrorCode.OPERATION_FAILED, "Swordfish task " + monitor + " for "
                        + doing + " did not finish within " + RedfishClient.seconds(settings.taskTimeout()));
            }
            sleep(pause);
            last = client.send("GET", monitor, null, client.newDeadline());
            Optional<String> state = Json.optionalText(last.body(), "TaskState", "Task " + monitor);
            if (state.isPresent()) {
                switch (state.get()) {
                    case "Completed":
                        if ("Critical".equals(Json.optionalText(last.body(), "TaskStatus", "Task " + monitor).orElse(""))) {
                            throw taskFailed(monitor, doing, last.body());
                        }
                        return last;
                    case "Exception":
                    case "Killed":
                    case "Cancelled":
                    case "Interrupted":
                        throw taskFailed(monitor, doing, last.body());
                    default:
                        continue;
                }
            }
            if (last.status() != 202) {
                return last;
            }
        }
    }

    /**
     * Where a POST created its resource: the Location header, else the returned resource's {@code
     * @odata.id}. Empty when the answer is a completed Task, whose Location and id name the task
     * itself; callers then search for what they created.
     */
    Optional<String> createdAt(RedfishClient.Response response, String type) {
        if (Json.at(response.body(), "TaskState") != null) {
            return Optional.empty();
        }
        return response.location().or(() -> Json.optionalText(response.body(), "@odata.id", type))
                .map(l -> client.resolve(l).getRawPath());
    }

    private CinderblockException taskFailed(String monitor, String doing, JsonNode task) {
        JsonNode messages = Json.at(task, "Messages");
        String detail = messages != null && messages.isArray() && messages.size() > 0
                && messages.get(0).path("Message").isTextual() ? ": " + messages.get(0).path("Message").asText() : "";
        return new CinderblockException(ErrorCode.OPERATION_FAILED, client.scrub("Swordfish task " + monitor + " for "
                + doing + " failed (TaskState " + Json.optionalText(task, "TaskState", "task").orElse("?") + ")"
                + detail));
    }

    private static Duration retryAfter(RedfishClient.Response response) {
        long seconds = response.headers().firstValueAsLong("Retry-After").orElse(-1);
        if (seconds < 0) {
            return Duration.ofMillis(200);
        }
        return Duration.ofSeconds(Math.min(seconds, 5));
    }

    private static void sleep(Duration pause) {
        if (pause.isNegative() || pause.isZero()) {
            return;
        }
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CinderblockException(ErrorCode.OPERATION_FAILED, "Interrupted while waiting for a Swordfish task");
        }
    }
}
