package io.cinderblock.driver.snmp;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.error.DeviceUnavailableException;

/**
 * The agent gave no usable answer: it timed out, or rejected our credentials. {@link #fault()}
 * says which, so that a backend state can give each its own reason.
 */
public final class SnmpUnreachableException extends DeviceUnavailableException {
    private static final long serialVersionUID = 1L;

    /** Why the agent could not be used. */
    public enum Fault {
        /** No answer after timeout × (retries + 1). */
        TIMEOUT,
        /** The agent reported an unknown user, a wrong digest or a refused community/view (USM report or authorizationError). */
        AUTHENTICATION,
        /** The agent answers authenticated requests but not encrypted ones, or reported a decryption error. */
        PRIVACY,
        /** The local UDP socket failed. */
        TRANSPORT
    }

    /** Why the agent could not be used. */
    private final Fault fault;

    SnmpUnreachableException(Fault fault, String message) {
        super(message);
        this.fault = requireNonNull(fault, "fault is null");
    }

    /**
     * Why the agent could not be used.
     *
     * @return the kind of fault, never null
     */
    public Fault fault() {
        return fault;
    }
}
