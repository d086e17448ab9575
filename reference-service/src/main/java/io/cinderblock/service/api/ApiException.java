package io.cinderblock.service.api;

import java.util.Map;
import java.util.Optional;

/**
 * An error answered in Cinder's shape: {@code {"<faultName>": {"code": N, "message": "..."}}}.
 */
public final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private static final Map<Integer, String> FAULT_NAMES = Map.of(400, "badRequest", 401, "unauthorized",
            403, "forbidden", 404, "itemNotFound", 405, "badMethod", 409, "conflictingRequest", 413, "overLimit",
            415, "badMediaType", 501, "notImplemented", 503, "serviceUnavailable");

    private final int status;
    private final transient Optional<String> echoedVersion;

    /**
     * Creates an error.
     *
     * @param echoedVersion the version to echo in {@code OpenStack-API-Version} when it differs from
     *     the negotiated one (406 answers echo the request); empty to follow the request's
     */
    public ApiException(int status, String message, Optional<String> echoedVersion) {
        super(message);
        this.status = status;
        this.echoedVersion = echoedVersion;
    }

    /** Creates an error that echoes the negotiated version. */
    public ApiException(int status, String message) {
        this(status, message, Optional.empty());
    }

    /** The HTTP status. */
    public int status() {
        return status;
    }

    /** The version to echo for errors raised before negotiation finished. */
    public Optional<String> echoedVersion() {
        return echoedVersion;
    }

    /** Cinder's fault name for the status. */
    public String faultName() {
        return FAULT_NAMES.getOrDefault(status, "computeFault");
    }

    /** The JSON body. */
    public String body() {
        return "{\"" + faultName() + "\": {\"code\": " + status + ", \"message\": " + PythonJson.write(getMessage())
                + "}}";
    }
}
