package ${package};

import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.EndpointRole;
import io.cinderblock.sdk.spi.OptionType;
import io.cinderblock.sdk.spi.StorageProtocol;
import io.cinderblock.sdk.spi.Transport;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeDriverProvider;
import java.time.Duration;

/**
 * The ${vendorName} driver, id {@code ${driverId}}: who it is, what it
 * accepts, what it can do. Registered for {@link java.util.ServiceLoader} in
 * {@code META-INF/services/io.cinderblock.sdk.spi.VolumeDriverProvider}.
 */
public final class ${classPrefix}DriverProvider implements VolumeDriverProvider {
    /** The driver id: what {@code volume_driver} names. */
    public static final String DRIVER_ID = "${driverId}";

    static final String HOST = "san_ip";
    static final String PORT = "san_port";
    static final String LOGIN = "san_login";
    static final String PASSWORD = "san_password";
    static final String CONNECT_TIMEOUT = "connect_timeout";
    static final String REQUEST_TIMEOUT = "request_timeout";

    private static final DriverDescriptor DESCRIPTOR = DriverDescriptor.builder(DRIVER_ID)
            .vendorName("${vendorName}")
            .driverVersion("1.0.0")
            .storageProtocol(StorageProtocol.ISCSI)
            // Endpoint options tell tools (and the conformance kit's fault proxy) where the device is.
            .option(ConfigOption.builder(HOST, OptionType.STRING).required()
                    .endpoint(EndpointRole.HOST, Transport.TCP)
                    .description("Management address of the array").build())
            .option(ConfigOption.builder(PORT, OptionType.INTEGER).defaultValue("8080")
                    .endpoint(EndpointRole.PORT, Transport.TCP)
                    .description("Management (HTTP) port of the array").build())
            .option(ConfigOption.builder(LOGIN, OptionType.STRING).defaultValue("admin")
                    .description("Management user").build())
            // secret(): masked wherever the SDK shows the configuration, scrubbed from messages.
            .option(ConfigOption.builder(PASSWORD, OptionType.STRING).required().secret()
                    .description("Management password").build())
            .option(ConfigOption.builder(CONNECT_TIMEOUT, OptionType.DURATION).defaultValue("2s")
                    .description("Timeout of connecting to the array").build())
            .option(ConfigOption.builder(REQUEST_TIMEOUT, OptionType.DURATION).defaultValue("5s")
                    .description("Timeout of each management request, once connected").build())
            // Declare only what works: the SDK refuses the others before they reach the driver.
            .capability(Capability.CREATE_VOLUME, Capability.EXTEND_VOLUME)
            .build();

    /** Required by {@link java.util.ServiceLoader}; does nothing costly. */
    public ${classPrefix}DriverProvider() {}

    @Override
    public DriverDescriptor descriptor() {
        return DESCRIPTOR;
    }

    /**
     * Opens one backend. The SDK has already checked names, required options and types; this checks
     * only ranges. It does not contact the array, so a backend opens while the array is down and
     * reports DOWN until it is back.
     */
    @Override
    public VolumeDriver open(DriverConfig config, DriverContext context) {
        int port = (int) config.integer(PORT, 1, 65535);    // a range error names the option
        Duration connectTimeout = config.duration(CONNECT_TIMEOUT);
        Duration requestTimeout = config.duration(REQUEST_TIMEOUT);
        ${classPrefix}Client client = new ${classPrefix}Client(config.string(HOST), port, config.string(LOGIN),
                config.string(PASSWORD), connectTimeout, requestTimeout);
        // One probe is one request: its worst case is a connect plus a request, plus scheduling slack.
        Duration stateDeadline = connectTimeout.plus(requestTimeout).plusMillis(250);
        return new ${classPrefix}Driver(DESCRIPTOR, config.backendName(), client, stateDeadline, context);
    }
}
