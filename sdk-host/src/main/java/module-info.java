/**
 * The host side of the cinderblock SDK, for integrators and services: the {@code Backend} facade
 * and its registry, driver discovery (class path and isolated drivers directories), and the volume
 * metadata stores (in memory, JDBC). Drivers never depend on it.
 */
module io.cinderblock.sdk.host {
    requires transitive io.cinderblock.sdk;
    requires transitive java.sql;

    exports io.cinderblock.sdk.host;
    exports io.cinderblock.sdk.host.discovery;
    exports io.cinderblock.sdk.host.metadata;

    uses io.cinderblock.sdk.spi.VolumeDriverProvider;
}
