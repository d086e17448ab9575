package io.cinderblock.service.model;

import java.util.Optional;

/**
 * The narrow interface between the agent side (drivers, probes, database writes) and the API side
 * (HTTP): the API reads a snapshot and asks for status changes, nothing else. In one process the
 * agent's in-memory directory implements it; an API-only process ({@code serve --role api})
 * implements it over the shared database without touching a driver.
 */
public interface ServiceDirectory {
    /** The latest snapshot. Must not block on I/O: it is called on every list request. */
    ServiceSnapshot snapshot();

    /**
     * Enables or disables a service, durably, and returns the updated row.
     *
     * @param reason the operator's reason when disabling; cleared when enabling
     * @throws ServiceNotFoundException no such host and binary
     */
    ServiceRecord setDisabled(String host, String binary, boolean disabled, Optional<String> reason);
}
