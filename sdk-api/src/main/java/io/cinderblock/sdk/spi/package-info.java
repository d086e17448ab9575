/**
 * The driver SPI: what a driver jar implements ({@link io.cinderblock.sdk.spi.VolumeDriverProvider},
 * {@link io.cinderblock.sdk.spi.VolumeDriver}) and the values it exchanges with the host. Start
 * with {@code docs/writing-a-driver.md}.
 */
package io.cinderblock.sdk.spi;
