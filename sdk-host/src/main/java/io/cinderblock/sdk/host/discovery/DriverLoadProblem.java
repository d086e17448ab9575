package io.cinderblock.sdk.host.discovery;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.util.Optional;

/**
 * A provider that could not be loaded, kept so that hosts can show it instead of hiding it.
 *
 * @param source where the provider came from: a jar path, a directory, or {@code class path}
 * @param message what went wrong, quoting the provider class or id
 * @param cause the underlying error, if any
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record DriverLoadProblem(String source, String message, Optional<Throwable> cause) {

    /**
     * A load problem; made by {@link DriverRegistry} during discovery.
     *
     * @param source where the provider came from: a jar path, a directory, or {@code class path}
     * @param message what went wrong, quoting the provider class or id
     * @param cause the underlying error, if any
     * @throws NullPointerException if any part is null (an absent cause is {@code Optional.empty()})
     */
    public DriverLoadProblem {
        requireNonNull(source, "source is null");
        requireNonNull(message, "message is null");
        requireNonNull(cause, "cause is null");
    }

    @Override
    public String toString() {
        return source + ": " + message;
    }
}
