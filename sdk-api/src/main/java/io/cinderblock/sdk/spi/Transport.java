package io.cinderblock.sdk.spi;

import io.cinderblock.sdk.ApiStatus;

/**
 * The transport a device endpoint uses, declared on an endpoint {@link ConfigOption} so that tools
 * (the conformance kit's fault proxy) relay the right kind of traffic.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public enum Transport {
    /**
     * SSH, HTTP and most management protocols.
     *
     * @since 0.1
     */
    TCP,
    /**
     * SNMP.
     *
     * @since 0.1
     */
    UDP
}
