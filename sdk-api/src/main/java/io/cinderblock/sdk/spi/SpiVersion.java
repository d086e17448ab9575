package io.cinderblock.sdk.spi;

import io.cinderblock.sdk.ApiStatus;

/**
 * The version of this SPI a driver was built against. A host accepts drivers of its own major
 * version whose minor version is not newer than its own.
 *
 * @param major incremented on a binary-incompatible change
 * @param minor incremented when something is added
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record SpiVersion(int major, int minor) implements Comparable<SpiVersion> {

    /** The SPI version of this SDK; a driver's descriptor uses it unless told otherwise. */
    public static final SpiVersion CURRENT = new SpiVersion(1, 0);

    public SpiVersion {
        if (major < 1 || minor < 0) {
            throw new IllegalArgumentException("Invalid SPI version " + major + "." + minor);
        }
    }

    /** Whether a driver built for {@code driverVersion} can run on a host of this version. */
    public boolean canHost(SpiVersion driverVersion) {
        return driverVersion.major == major && driverVersion.minor <= minor;
    }

    @Override
    public int compareTo(SpiVersion other) {
        return major != other.major ? Integer.compare(major, other.major) : Integer.compare(minor, other.minor);
    }

    @Override
    public String toString() {
        return major + "." + minor;
    }
}
