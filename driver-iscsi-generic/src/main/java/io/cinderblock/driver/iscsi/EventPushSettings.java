package io.cinderblock.driver.iscsi;

import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.EVENT_ADDRESS;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.EVENT_CHECK_INTERVAL;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.EVENT_DESTINATION;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.EVENT_PORT;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.EVENT_TRANSPORT;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.SSE_HEARTBEAT;

import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.spi.DriverConfig;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * How the driver hears the array's Redfish events, parsed once at open. Absent ({@link #from}
 * empty) with the default transport ({@code subscription}) and {@code redfish_event_port} 0:
 * polling only.
 *
 * @param transport POST subscription, Server-Sent Events, or SSE when offered and else subscription
 * @param port the TCP port of the event listener (subscription); 0 with {@code sse}, and with
 *     {@code auto} when the service must offer SSE
 * @param address the local address it binds (wildcard by default)
 * @param destination the URL the array is told to call back, without the per-subscription token;
 *     empty: derived at subscription time from the local address that reaches the array
 * @param checkInterval how often (at most) a probe also checks that the subscription still exists
 * @param heartbeat the longest silence accepted on an SSE stream before it counts as broken
 */
record EventPushSettings(Transport transport, int port, InetAddress address, Optional<URI> destination,
        Duration checkInterval, Duration heartbeat) {

    /** The values of {@code redfish_event_transport}. */
    enum Transport {
        /** An {@code EventDestination} subscription; the array POSTs to our listener. */
        SUBSCRIPTION,
        /** The service's {@code ServerSentEventUri} stream. */
        SSE,
        /** SSE where the service offers it, else a subscription (which needs {@code redfish_event_port}). */
        AUTO;

        static Transport parse(String text) {
            for (Transport transport : values()) {
                if (transport.name().equalsIgnoreCase(text.strip())) {
                    return transport;
                }
            }
            throw new InvalidConfigException(EVENT_TRANSPORT, "Option '" + EVENT_TRANSPORT + "' must be one of "
                    + "subscription, sse, auto; got '" + text + "'");
        }
    }

    static Optional<EventPushSettings> from(DriverConfig config) {
        Transport transport = Transport.parse(config.string(EVENT_TRANSPORT));
        int port = (int) config.integer(EVENT_PORT, 0, 65535);
        if (port == 0 && transport == Transport.SUBSCRIPTION) {
            return Optional.empty();
        }
        if (port != 0 && transport == Transport.SSE) {
            throw new InvalidConfigException(EVENT_PORT, "Option '" + EVENT_PORT + "' (" + port + ") has no use "
                    + "with " + EVENT_TRANSPORT + " = sse, which opens no listener: unset it, or choose auto");
        }
        String host = config.string(EVENT_ADDRESS).strip();
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new InvalidConfigException(EVENT_ADDRESS, "Option '" + EVENT_ADDRESS + "' is not an address of "
                    + "this host: '" + host + "'");
        }
        Optional<URI> destination = config.optional(EVENT_DESTINATION, String.class).map(String::strip)
                .map(EventPushSettings::destination);
        Duration interval = atLeastOneSecond(config, EVENT_CHECK_INTERVAL);
        Duration heartbeat = atLeastOneSecond(config, SSE_HEARTBEAT);
        return Optional.of(new EventPushSettings(transport, port, address, destination, interval, heartbeat));
    }

    private static Duration atLeastOneSecond(DriverConfig config, String option) {
        Duration value = config.duration(option);
        if (value.compareTo(Duration.ofSeconds(1)) < 0) {
            // Not config.string(): a DURATION option is not readable as a String.
            throw new InvalidConfigException(option, "Option '" + option + "' must be at least 1s, got "
                    + value.toMillis() + " ms");
        }
        return value;
    }

    private static URI destination(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new InvalidConfigException(EVENT_DESTINATION, "Option '" + EVENT_DESTINATION + "' is not a URL: '"
                    + text + "'");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new InvalidConfigException(EVENT_DESTINATION, "Option '" + EVENT_DESTINATION + "' must be an "
                    + "http(s) URL with a host, got '" + text + "'");
        }
        if (uri.getUserInfo() != null || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new InvalidConfigException(EVENT_DESTINATION, "Option '" + EVENT_DESTINATION + "' must have no user "
                    + "information, query or fragment, got '" + text + "'");
        }
        return uri;
    }
}
