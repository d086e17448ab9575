package io.cinderblock.driver.snmp;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;

/**
 * The agent answered, but not with what the profile promised: {@code noSuchObject}, {@code
 * noSuchInstance} or {@code endOfMibView} where a value must be, a value of the wrong type, a
 * negative or absurd number, a table with a hole or without end, or an error status. The message
 * names the OID and what was wrong. Code {@link ErrorCode#OPERATION_FAILED}: the device answered.
 */
public final class MalformedReplyException extends CinderblockException {
    private static final long serialVersionUID = 1L;

    MalformedReplyException(String message) {
        super(ErrorCode.OPERATION_FAILED, message);
    }
}
