/**
 * The driver SPI: what a driver jar implements and the values it exchanges with the host.
 *
 * <p>A driver provides {@link io.cinderblock.sdk.spi.VolumeDriverProvider} (found with {@link
 * java.util.ServiceLoader}), which describes the driver ({@link
 * io.cinderblock.sdk.spi.DriverDescriptor}: identity, {@link io.cinderblock.sdk.spi.ConfigOption}s,
 * {@link io.cinderblock.sdk.spi.Capability}s) and opens a {@link
 * io.cinderblock.sdk.spi.VolumeDriver} per backend. The driver answers with immutable values
 * checked when they are built ({@link io.cinderblock.sdk.spi.BackendStats}, {@link
 * io.cinderblock.sdk.spi.PoolStats}, {@link io.cinderblock.sdk.spi.BackendState}, {@link
 * io.cinderblock.sdk.spi.Volume}, ...). Values a driver builds have builders or factories, so
 * that they can grow without breaking a driver: prefer them to the records' constructors.
 *
 * <p>Unless a type says otherwise, values are immutable and thread-safe, builders are not
 * thread-safe, and no method accepts or returns {@code null}: absent values are {@link
 * java.util.Optional}. Start with {@code docs/writing-a-driver.md}.
 *
 * @since 0.1
 */
package io.cinderblock.sdk.spi;
