package io.cinderblock.driver.snmp;

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

/**
 * The {@code snmp-array} driver: reads a storage array's (or storage host's) pools, capacities and
 * health over SNMP v2c or v3 as a {@link Profile} declares them, and provisions volumes through a
 * RowStatus volume table when the profile has a writable one.
 *
 * <p>The storage protocol is fixed to iSCSI: arrays that expose a volume table over SNMP export
 * those volumes over iSCSI, and Cinder's scheduler needs one protocol per driver. The descriptor
 * declares {@link Capability#CREATE_VOLUME} and {@link Capability#EXTEND_VOLUME} because the driver
 * can provision; a backend whose profile has no writable volume table offers none of them in its
 * {@link VolumeDriver#capabilities()}, so hosts refuse those operations with the SDK's standard
 * "not supported" error (and the driver itself refuses them too).
 */
public final class SnmpArrayDriverProvider implements VolumeDriverProvider {
    /** The driver id, what {@code volume_driver} names. */
    public static final String DRIVER_ID = "snmp-array";
    /** The driver version reported as {@code driver_version}. */
    public static final String DRIVER_VERSION = "0.1.0";

    private static final DriverDescriptor DESCRIPTOR = DriverDescriptor.builder(DRIVER_ID)
            .vendorName("cinderblock")
            .driverVersion(DRIVER_VERSION)
            .storageProtocol(StorageProtocol.ISCSI)
            .option(ConfigOption.builder(SnmpSettings.HOST, OptionType.STRING).required()
                    .endpoint(EndpointRole.HOST, Transport.UDP)
                    .description("Address of the SNMP agent of the array").build())
            .option(ConfigOption.builder(SnmpSettings.PORT, OptionType.INTEGER).defaultValue("161")
                    .endpoint(EndpointRole.PORT, Transport.UDP)
                    .description("UDP port of the SNMP agent").build())
            .option(ConfigOption.builder(SnmpSettings.VERSION, OptionType.CHOICE).choices("2c", "3").defaultValue("3")
                    .description("SNMP version: 2c (community) or 3 (USM user)").build())
            .option(ConfigOption.builder(SnmpSettings.COMMUNITY, OptionType.STRING).secret()
                    .description("SNMP v2c community; required with snmp_version 2c").build())
            .option(ConfigOption.builder(SnmpSettings.USER, OptionType.STRING)
                    .description("SNMP v3 USM user name; required with snmp_version 3").build())
            .option(ConfigOption.builder(SnmpSettings.AUTH_PROTOCOL, OptionType.CHOICE)
                    .choices(AuthProtocol.wireNames()).defaultValue(AuthProtocol.SHA_256.wireName())
                    .description("SNMP v3 authentication protocol; MD5 and SHA-1 only for old agents, with a warning")
                    .build())
            .option(ConfigOption.builder(SnmpSettings.AUTH_KEY, OptionType.STRING).secret()
                    .description("SNMP v3 authentication pass phrase (at least 8 characters)").build())
            .option(ConfigOption.builder(SnmpSettings.PRIV_PROTOCOL, OptionType.CHOICE)
                    .choices(PrivProtocol.wireNames()).defaultValue(PrivProtocol.AES_128.wireName())
                    .description("SNMP v3 privacy protocol; 'none' for authNoPriv; DES only for old agents, with a warning")
                    .build())
            .option(ConfigOption.builder(SnmpSettings.PRIV_KEY, OptionType.STRING).secret()
                    .description("SNMP v3 privacy pass phrase (at least 8 characters); required unless snmp_priv_protocol is none")
                    .build())
            .option(ConfigOption.builder(SnmpSettings.TIMEOUT, OptionType.DURATION).defaultValue("2s")
                    .description("How long to wait for each SNMP answer").build())
            .option(ConfigOption.builder(SnmpSettings.RETRIES, OptionType.INTEGER).defaultValue("1")
                    .description("How many times to resend an unanswered request (0-5)").build())
            .option(ConfigOption.builder(SnmpSettings.MAX_REPETITIONS, OptionType.INTEGER).defaultValue("20")
                    .description("GETBULK max-repetitions for table walks (1-100)").build())
            .option(ConfigOption.builder(SnmpSettings.PROFILE, OptionType.STRING).defaultValue(Profiles.HOST_RESOURCES)
                    .description("Name of a shipped profile: " + String.join(", ", Profiles.SHIPPED)).build())
            .option(ConfigOption.builder(SnmpSettings.PROFILE_FILE, OptionType.PATH)
                    .description("A profile file of your own; replaces snmp_profile").build())
            .option(ConfigOption.builder(SnmpSettings.POOLS, OptionType.STRING)
                    .description("Comma-separated pool names that must exist; a missing one makes the backend DOWN")
                    .build())
            .option(ConfigOption.builder(SnmpSettings.POOL_PATTERN, OptionType.STRING)
                    .description("Regular expression a pool name must match (whole name); default: the profile's")
                    .build())
            .option(ConfigOption.builder(NotificationReceiver.PORT, OptionType.INTEGER).defaultValue("0")
                    .description("UDP port on which to receive the agent's SNMP notifications (traps, informs), "
                            + "authenticated like requests and only from snmp_host; 0 (default) turns them off")
                    .build())
            .option(ConfigOption.builder(NotificationReceiver.ADDRESS, OptionType.STRING).defaultValue("0.0.0.0")
                    .description("Local address on which to receive SNMP notifications").build())
            .capability(Capability.CREATE_VOLUME, Capability.EXTEND_VOLUME)
            .build();

    /** The public no-argument constructor {@link java.util.ServiceLoader} needs; does nothing. */
    public SnmpArrayDriverProvider() {}

    @Override
    public DriverDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public VolumeDriver open(DriverConfig config, DriverContext context) {
        SnmpSettings settings = SnmpSettings.from(config);
        Profile profile = Profiles.load(config);
        return SnmpArrayDriver.open(DESCRIPTOR, config.backendName(), settings, profile,
                NotificationReceiver.listenAddress(config), context);
    }
}
