package io.cinderblock.service.api;

import java.util.Optional;
import java.util.UUID;

/**
 * Cinder's answers on the wire: JSON bodies and faults with the request id headers in Cinder's
 * order, its HTML pages, noauth's 204. Shared by the API, the operations endpoints and the
 * server's own errors (parser errors, unknown paths), so every error has the same shape.
 */
final class CinderResponses {
    static final String HTML = "text/html; charset=UTF-8";
    static final String JSON = "application/json";

    private CinderResponses() {}

    /** A new request id, as Cinder's {@code req-<uuid>}. */
    static String newRequestId() {
        return "req-" + UUID.randomUUID();
    }

    /** A Cinder fault with a new request id and no version echo. */
    static ApiResponse fault(int status, String message) {
        return error(newRequestId(), new ApiException(status, message), Optional.empty());
    }

    static ApiResponse json(String requestId, int status, Optional<Microversion> version, Object body) {
        ApiResponse.Builder response = new ApiResponse.Builder(status);
        if (body instanceof byte[]) {
            response.body((byte[]) body);
        } else {
            response.body(PythonJson.write(body));
        }
        response.header("Content-Type", JSON);
        response.header("X-Compute-Request-Id", requestId);
        response.header("Content-Length", String.valueOf(response.bodyLength()));
        version.ifPresent(v -> {
            response.header("Openstack-Api-Version", "volume " + v);
            response.header("Vary", Microversion.HEADER);
        });
        response.header("X-Openstack-Request-Id", requestId);
        return response.build();
    }

    static ApiResponse error(String requestId, ApiException e, Optional<String> echo) {
        ApiResponse.Builder response = new ApiResponse.Builder(e.status()).body(e.body());
        echo.ifPresent(v -> {
            response.header("Openstack-Api-Version", "volume " + v);
            response.header("Vary", Microversion.HEADER);
        });
        response.header("Content-Length", String.valueOf(response.bodyLength()));
        response.header("Content-Type", JSON);
        response.header("X-Compute-Request-Id", requestId);
        response.header("X-Openstack-Request-Id", requestId);
        return response.build();
    }

    static ApiResponse html(String requestId, int status, String body) {
        ApiResponse.Builder response = new ApiResponse.Builder(status).body(body);
        response.header("Content-Length", String.valueOf(response.bodyLength()));
        response.header("Content-Type", HTML);
        response.header("X-Openstack-Request-Id", requestId);
        return response.build();
    }

    /** noauth without a token: Cinder answers 204 with a token and the management URL. */
    static ApiResponse tokenIssued(String requestId, ApiRequest request, String token) {
        String url = request.url();
        while (url.endsWith("/")) {
            url = url.substring(0, url.length() - 1);
        }
        return new ApiResponse.Builder(204)
                .header("Content-Length", "0")
                .header("X-Auth-Token", token)
                .header("X-Server-Management-Url", url)
                .header("Content-Type", "text/plain; charset=UTF-8")
                .header("X-Openstack-Request-Id", requestId)
                .build();
    }
}
