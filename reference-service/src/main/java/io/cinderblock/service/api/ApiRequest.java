package io.cinderblock.service.api;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * An HTTP request as the API sees it, independent of the server library.
 *
 * @param method the HTTP method
 * @param path the decoded path
 * @param query the query parameters, each with all its values in order
 * @param header looks a header up case-insensitively
 * @param body the body bytes (already bounded by the server); empty if none
 * @param bodyTooLarge whether the body exceeded the configured limit
 * @param url the request URL without the query, as the client sent it ({@code http://host:port/path})
 * @param origin {@code http://host:port} as the client addressed the server
 */
public record ApiRequest(String method, String path, Map<String, List<String>> query,
        Function<String, Optional<String>> header, byte[] body, boolean bodyTooLarge, String url, String origin) {
    public ApiRequest {
        requireNonNull(method, "method is null");
        requireNonNull(path, "path is null");
        query = Map.copyOf(requireNonNull(query, "query is null"));
        requireNonNull(header, "header is null");
        requireNonNull(body, "body is null");
        requireNonNull(url, "url is null");
        requireNonNull(origin, "origin is null");
    }

    /** The last value of a query parameter, as webob's {@code req.GET[key]} gives it. */
    public Optional<String> lastQueryValue(String key) {
        List<String> values = query.get(key);
        return values == null || values.isEmpty() ? Optional.empty() : Optional.of(values.get(values.size() - 1));
    }
}
