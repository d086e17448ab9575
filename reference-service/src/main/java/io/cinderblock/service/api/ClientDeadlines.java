package io.cinderblock.service.api;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How long a client may take, in total, to send a request's line and headers, and its body. The
 * idle timeout alone does not bound a client that keeps sending a byte now and then; these do, as a
 * reverse proxy's {@code client_header_timeout} and {@code client_body_timeout} would.
 *
 * @param headers from the request's first byte to the end of its headers
 * @param body from the end of the headers to the end of the body
 */
public record ClientDeadlines(Duration headers, Duration body) {
    /** 10 s for headers, 30 s for a body (bodies here are at most 112 KiB). */
    public static final ClientDeadlines DEFAULT = new ClientDeadlines(Duration.ofSeconds(10), Duration.ofSeconds(30));

    public ClientDeadlines {
        requireNonNull(headers, "headers is null");
        requireNonNull(body, "body is null");
        if (headers.isNegative() || headers.isZero()) {
            throw new IllegalArgumentException("headers deadline must be positive: " + headers);
        }
        if (body.isNegative() || body.isZero()) {
            throw new IllegalArgumentException("body deadline must be positive: " + body);
        }
    }
}
