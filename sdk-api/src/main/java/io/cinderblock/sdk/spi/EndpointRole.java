package io.cinderblock.sdk.spi;

import io.cinderblock.sdk.ApiStatus;

/**
 * Marks an option as part of the address of the device the driver manages, so that tools (the
 * conformance kit's fault proxy) can reroute the driver's traffic.
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public enum EndpointRole {
    /** A host name or IP address; pairs with a {@link #PORT} option. */
    HOST,
    /** A port number; pairs with a {@link #HOST} option. */
    PORT,
    /** A URL whose authority ({@code host:port}) is the device. */
    URL
}
