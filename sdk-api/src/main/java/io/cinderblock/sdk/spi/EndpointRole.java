package io.cinderblock.sdk.spi;

import io.cinderblock.sdk.ApiStatus;

/**
 * Marks an option as part of the address of the device the driver manages, so that tools (the
 * conformance kit's fault proxy) can reroute the driver's traffic. Declared with {@link
 * ConfigOption.Builder#endpoint(EndpointRole, Transport)}; an endpoint option cannot be secret.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public enum EndpointRole {
    /**
     * A host name or IP address; pairs with a {@link #PORT} option.
     *
     * @since 0.1
     */
    HOST,
    /**
     * A port number; pairs with a {@link #HOST} option.
     *
     * @since 0.1
     */
    PORT,
    /**
     * A URL whose authority ({@code host:port}) is the device.
     *
     * @since 0.1
     */
    URL
}
