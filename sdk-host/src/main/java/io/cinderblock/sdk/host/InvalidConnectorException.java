package io.cinderblock.sdk.host;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;

/**
 * A {@link io.cinderblock.sdk.spi.Connector} lacks a field, or carries a malformed one, that the
 * backend's storage protocol needs to export a volume: thrown by {@link Backend#validateConnector}
 * and by {@link Backend#initializeConnection} before the driver is called. {@link #field()} names
 * the field as in Cinder's connector dictionary ({@code initiator}, ...). Code {@link
 * ErrorCode#INVALID_ARGUMENT}.
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
public final class InvalidConnectorException extends CinderblockException {
    private static final long serialVersionUID = 1L;

    /** The connector field, as Cinder names it. */
    private final String field;

    /**
     * A connector refusal; thrown by the host's checks, not by drivers.
     *
     * @param field the connector field, as Cinder names it
     * @param message names the field, the host and the backend
     */
    public InvalidConnectorException(String field, String message) {
        super(ErrorCode.INVALID_ARGUMENT, message);
        this.field = requireNonNull(field, "field is null");
    }

    /**
     * The missing or malformed connector field, as Cinder names it (e.g. {@code initiator}): what a
     * client should fix.
     *
     * @return the field name, never null
     */
    public String field() {
        return field;
    }
}
