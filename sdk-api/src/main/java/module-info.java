/**
 * The cinderblock SDK: the driver SPI, its values and errors, driver discovery, and the Backend
 * facade. Depends on the JDK only.
 */
module io.cinderblock.sdk {
    requires transitive java.sql;

    exports io.cinderblock.sdk;
    exports io.cinderblock.sdk.spi;
    exports io.cinderblock.sdk.error;
    exports io.cinderblock.sdk.discovery;
    exports io.cinderblock.sdk.metadata;

    uses io.cinderblock.sdk.spi.VolumeDriverProvider;
}
