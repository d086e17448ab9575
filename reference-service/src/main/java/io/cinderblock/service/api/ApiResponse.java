package io.cinderblock.service.api;

import static java.util.Objects.requireNonNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An HTTP response: status, headers in the order Cinder sends them, body.
 *
 * @param status the HTTP status
 * @param headers name and value pairs, names spelled as Cinder spells them
 * @param body the body bytes
 */
public record ApiResponse(int status, List<Map.Entry<String, String>> headers, byte[] body) {
    public ApiResponse {
        headers = List.copyOf(requireNonNull(headers, "headers is null"));
        requireNonNull(body, "body is null");
    }

    /** The first value of a header (case-insensitive). */
    public String header(String name) {
        return headers.stream().filter(h -> h.getKey().equalsIgnoreCase(name)).map(Map.Entry::getValue).findFirst()
                .orElse(null);
    }

    /** The body as UTF-8 text. */
    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Builds a response. */
    static final class Builder {
        private final int status;
        private final List<Map.Entry<String, String>> headers = new ArrayList<>();
        private byte[] body = new byte[0];

        Builder(int status) {
            this.status = status;
        }

        Builder header(String name, String value) {
            headers.add(Map.entry(name, value));
            return this;
        }

        Builder body(String text) {
            this.body = text.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        Builder body(byte[] bytes) {
            this.body = bytes;
            return this;
        }

        int bodyLength() {
            return body.length;
        }

        ApiResponse build() {
            return new ApiResponse(status, headers, body);
        }
    }
}
