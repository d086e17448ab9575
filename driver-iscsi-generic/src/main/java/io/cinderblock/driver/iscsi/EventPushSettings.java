package io.cinderblock.driver.iscsi;

import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.EVENT_ADDRESS;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.EVENT_CHECK_INTERVAL;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.EVENT_DESTINATION;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.EVENT_PORT;

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
 * Where the driver receives the array's Redfish events, parsed once at open. Absent ({@link
 * #from} empty) when {@code redfish_event_port} is 0, the default: polling only.
 *
 * @param port the TCP port of the event listener
 * @param address the local address it binds (wildcard by default)
 * @param destination the URL the array is told to call back, without the per-subscription token;
 *     empty: derived at subscription time from the local address that reaches the array
 * @param checkInterval how often (at most) a probe also checks that the subscription still exists
 */
record EventPushSettings(int port, InetAddress address, Optional<URI> destination, Duration checkInterval) {

    static Optional<EventPushSettings> from(DriverConfig config) {
        int port = (int) config.integer(EVENT_PORT, 0, 65535);
        if (port == 0) {
            return Optional.empty();
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
        Duration interval = config.duration(EVENT_CHECK_INTERVAL);
        if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
            throw new InvalidConfigException(EVENT_CHECK_INTERVAL, "Option '" + EVENT_CHECK_INTERVAL
                    + "' must be at least 1s, got '" + config.string(EVENT_CHECK_INTERVAL) + "'");
        }
        return Optional.of(new EventPushSettings(port, address, destination, interval));
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
