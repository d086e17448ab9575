package io.cinderblock.driver.lvm;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.error.DeviceUnavailableException;

/**
 * The LVM host could not be used over SSH. {@link #kind()} tells the cases apart, because each
 * needs a different fix from the operator.
 */
final class SshFailureException extends DeviceUnavailableException {
    private static final long serialVersionUID = 1L;

    /** Why SSH failed. */
    enum Kind {
        /** The TCP connection was refused, reset or never established. */
        UNREACHABLE,
        /** The host rejected our key. */
        AUTHENTICATION_FAILED,
        /** The host's key is not in the known-hosts file. */
        HOST_KEY_UNKNOWN,
        /** The host's key differs from the one in the known-hosts file. */
        HOST_KEY_CHANGED,
        /** A command did not finish within its deadline. */
        COMMAND_TIMED_OUT,
        /** Anything else the SSH layer reported (protocol errors, channel refused). */
        PROTOCOL_ERROR
    }

    private final Kind kind;

    SshFailureException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = requireNonNull(kind, "kind is null");
    }

    /** Why SSH failed. */
    Kind kind() {
        return kind;
    }
}
