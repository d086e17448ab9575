/**
 * The cinderblock driver SPI: what a driver compiles against and nothing else. The SPI types and
 * their values ({@code io.cinderblock.sdk.spi}), the error types ({@code io.cinderblock.sdk.error})
 * and the stability annotation ({@code io.cinderblock.sdk.ApiStatus}). Depends on {@code java.base}
 * only, so a vendor inherits no library choices.
 */
@SuppressWarnings("module") // the host module is built after this one
module io.cinderblock.sdk {
    exports io.cinderblock.sdk;
    exports io.cinderblock.sdk.spi;
    exports io.cinderblock.sdk.error;
    exports io.cinderblock.sdk.support;
    // Value parsing shared with the host (config values, Cinder's stats dictionary); not API.
    exports io.cinderblock.sdk.internal to io.cinderblock.sdk.host;
}
