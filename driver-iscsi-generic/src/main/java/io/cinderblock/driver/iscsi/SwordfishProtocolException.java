package io.cinderblock.driver.iscsi;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import java.util.Optional;

/**
 * The array answered, but not as Swordfish says it should: malformed JSON, a required field
 * missing, a body too large, a redirect to another host. {@link #field()} names the missing or
 * malformed field when there is one.
 */
public final class SwordfishProtocolException extends CinderblockException {
    private static final long serialVersionUID = 1L;

    /** The missing or malformed field's dotted path, or null. */
    private final String field;

    SwordfishProtocolException(String message) {
        this(message, null, null);
    }

    SwordfishProtocolException(String message, String field, Throwable cause) {
        super(ErrorCode.OPERATION_FAILED, message, cause);
        this.field = field;
    }

    /**
     * The JSON field (dotted path) that was missing or malformed, if that is the problem.
     *
     * @return the field, or empty when the problem is not one field
     */
    public Optional<String> field() {
        return Optional.ofNullable(field);
    }
}
