package io.cinderblock.driver.iscsi;

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
import io.cinderblock.sdk.support.SecretScrubber;
import java.util.Objects;

/**
 * Provides the {@code iscsi-generic} driver: one driver for every iSCSI array that speaks SNIA
 * Swordfish over REST. Found by {@link java.util.ServiceLoader}; the constructor does nothing.
 */
public final class SwordfishDriverProvider implements VolumeDriverProvider {
    /** The driver id that {@code volume_driver} names. */
    public static final String DRIVER_ID = "iscsi-generic";
    /** The driver version reported as {@code driver_version}. */
    public static final String DRIVER_VERSION = "0.1.0";

    static final String URL = "swordfish_url";
    static final String USER = "swordfish_user";
    static final String PASSWORD = "swordfish_password";
    static final String AUTH = "swordfish_auth";
    static final String VERIFY_TLS = "swordfish_verify_tls";
    static final String CA_BUNDLE = "swordfish_ca_bundle";
    static final String STORAGE_ID = "swordfish_storage_id";
    static final String FABRIC_ID = "swordfish_fabric_id";
    static final String POOLS = "swordfish_pools";
    static final String CONNECT_TIMEOUT = "swordfish_connect_timeout";
    static final String REQUEST_TIMEOUT = "swordfish_request_timeout";
    static final String TASK_TIMEOUT = "swordfish_task_timeout";
    static final String MAX_RESPONSE_BYTES = "swordfish_max_response_bytes";
    static final String ISCSI_PORTAL = "iscsi_portal";
    static final String EVENT_PORT = "redfish_event_port";
    static final String EVENT_ADDRESS = "redfish_event_address";
    static final String EVENT_DESTINATION = "redfish_event_destination";
    static final String EVENT_CHECK_INTERVAL = "redfish_event_check_interval";
    static final String EVENT_TRANSPORT = "redfish_event_transport";
    static final String SSE_HEARTBEAT = "redfish_sse_heartbeat";

    private static final DriverDescriptor DESCRIPTOR = DriverDescriptor.builder(DRIVER_ID)
            .vendorName("Generic Swordfish")
            .driverVersion(DRIVER_VERSION)
            .storageProtocol(StorageProtocol.ISCSI)
            .option(ConfigOption.builder(URL, OptionType.STRING).required()
                    .endpoint(EndpointRole.URL, Transport.TCP)
                    .description("Base URL of the array's Redfish service, e.g. https://10.0.0.5 (no path)").build())
            .option(ConfigOption.builder(USER, OptionType.STRING).required()
                    .description("Redfish account name").build())
            .option(ConfigOption.builder(PASSWORD, OptionType.STRING).required().secret()
                    .description("Redfish account password").build())
            .option(ConfigOption.builder(AUTH, OptionType.CHOICE).choices("session", "basic").defaultValue("session")
                    .description("'session': log in once and reuse the X-Auth-Token; 'basic': HTTP Basic on every request")
                    .build())
            .option(ConfigOption.builder(VERIFY_TLS, OptionType.BOOLEAN).defaultValue("true")
                    .description("Verify the array's TLS certificate and host name; false is insecure and logged").build())
            .option(ConfigOption.builder(CA_BUNDLE, OptionType.PATH)
                    .description("PEM file of the certificates to trust instead of the JDK's default trust store").build())
            .option(ConfigOption.builder(STORAGE_ID, OptionType.STRING)
                    .description("Id of the Storage (or StorageServices) member to manage; default: the only or first one")
                    .build())
            .option(ConfigOption.builder(FABRIC_ID, OptionType.STRING)
                    .description("Id of the Fabric holding iSCSI Endpoints and Connections; default: the first iSCSI fabric")
                    .build())
            .option(ConfigOption.builder(POOLS, OptionType.STRING)
                    .description("Comma-separated StoragePool ids to report and provision from; default: all").build())
            .option(ConfigOption.builder(CONNECT_TIMEOUT, OptionType.DURATION).defaultValue("3s")
                    .description("TCP and TLS connect timeout").build())
            .option(ConfigOption.builder(REQUEST_TIMEOUT, OptionType.DURATION).defaultValue("5s")
                    .description("Longest wait for one complete HTTP response").build())
            .option(ConfigOption.builder(TASK_TIMEOUT, OptionType.DURATION).defaultValue("120s")
                    .description("Longest wait for an asynchronous Redfish task (HTTP 202) to finish").build())
            .option(ConfigOption.builder(MAX_RESPONSE_BYTES, OptionType.INTEGER).defaultValue("4194304")
                    .description("Largest response body accepted, in bytes; larger bodies are refused").build())
            .option(ConfigOption.builder(ISCSI_PORTAL, OptionType.STRING)
                    .description("host:port to hand to initiators instead of the portal the array reports").build())
            .option(ConfigOption.builder(EVENT_PORT, OptionType.INTEGER).defaultValue("0")
                    .description("TCP port on which to receive the array's Redfish events (EventService subscription); "
                            + "0: no events, polling only").build())
            .option(ConfigOption.builder(EVENT_ADDRESS, OptionType.STRING).defaultValue("0.0.0.0")
                    .description("Local address on which to receive Redfish events").build())
            .option(ConfigOption.builder(EVENT_DESTINATION, OptionType.STRING)
                    .description("URL the array calls back with events (e.g. through NAT); default: "
                            + "http://<local address that reaches the array>:<redfish_event_port>/").build())
            .option(ConfigOption.builder(EVENT_CHECK_INTERVAL, OptionType.DURATION).defaultValue("60s")
                    .description("How often a state probe also checks that the event subscription still exists").build())
            .option(ConfigOption.builder(EVENT_TRANSPORT, OptionType.CHOICE).choices("subscription", "sse", "auto")
                    .defaultValue("subscription")
                    .description("How to hear Redfish events: 'subscription' (the array POSTs to redfish_event_port), "
                            + "'sse' (read the EventService's ServerSentEventUri stream), 'auto' (SSE where offered, "
                            + "else subscription)").build())
            .option(ConfigOption.builder(SSE_HEARTBEAT, OptionType.DURATION).defaultValue("300s")
                    .description("Longest silence (not even a comment line) accepted on the Redfish SSE stream before "
                            + "it counts as broken: push lost, reconnect").build())
            .capability(Capability.CREATE_VOLUME, Capability.EXTEND_VOLUME, Capability.CONNECTION)
            .build();

    /** Public no-argument constructor for {@link java.util.ServiceLoader}. */
    public SwordfishDriverProvider() {
        // Nothing costly here: hosts instantiate every provider just to read its descriptor.
    }

    @Override
    public DriverDescriptor descriptor() {
        return DESCRIPTOR;
    }

    @Override
    public VolumeDriver open(DriverConfig config, DriverContext context) {
        Objects.requireNonNull(config, "config is null");
        Objects.requireNonNull(context, "context is null");
        SwordfishSettings settings = SwordfishSettings.from(config);
        return new SwordfishIscsiDriver(DESCRIPTOR, config.backendName(), settings, EventPushSettings.from(config),
                SecretScrubber.of(config), context);
    }
}
