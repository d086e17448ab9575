package io.cinderblock.sdk.spi;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.InvalidConfigException;

/**
 * The service a driver jar provides, found with {@link java.util.ServiceLoader}. Register the
 * implementation in {@code META-INF/services/io.cinderblock.sdk.spi.VolumeDriverProvider} and, in
 * a modular jar, with {@code provides io.cinderblock.sdk.spi.VolumeDriverProvider with ...}.
 *
 * <p>The implementation needs a public no-argument constructor that does nothing costly: hosts
 * instantiate every provider they find just to read its descriptor. It must be thread-safe: a
 * host may open several backends with one provider, from several threads.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public interface VolumeDriverProvider {

    /**
     * What the driver is. Called once per discovery, from any thread; must return the same value
     * every time, must not touch a device, and must not throw. A descriptor that breaks the
     * {@link Capability#requires() capability rules} cannot be built, so such a driver fails here,
     * at discovery, rather than later.
     *
     * @return the driver's descriptor; never {@code null}
     * @since 0.1
     */
    DriverDescriptor descriptor();

    /**
     * Opens a driver for one backend.
     *
     * <p>The host has already checked {@code config} against {@link DriverDescriptor#options()}:
     * declared options only, required ones present, types right. The driver checks what it alone
     * knows (ranges, files that must exist, combinations) and throws {@link InvalidConfigException}
     * naming the option. It should not require the device to be up: a backend whose device is down
     * at start-up must still open, report {@code DOWN}, and recover when the device returns. Throw
     * {@link DeviceUnavailableException} only if the driver truly cannot exist without it.
     *
     * @param config the validated configuration
     * @param context the host's clock and logger
     * @return an open driver, owned by the caller, who closes it
     * @throws InvalidConfigException naming the option that is wrong
     * @throws DeviceUnavailableException only if the driver cannot exist without its device
     * @since 0.1
     */
    VolumeDriver open(DriverConfig config, DriverContext context);
}
