package io.cinderblock.sdk.spi;

import io.cinderblock.sdk.ApiStatus;

/** The transport a device endpoint uses. */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public enum Transport {
    /** SSH, HTTP and most management protocols. */
    TCP,
    /** SNMP. */
    UDP
}
