package io.cinderblock.tck.proxy;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.EndpointRole;
import io.cinderblock.sdk.spi.Transport;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Puts fault proxies between a driver and its device by rewriting the options the driver declared
 * as endpoints ({@link ConfigOption#endpoint()}): each {@link EndpointRole#HOST} + {@link
 * EndpointRole#PORT} pair of one {@link Transport} gets one proxy, and so does each {@link
 * EndpointRole#URL} option (its authority is replaced, scheme and path kept).
 *
 * <p>A {@code PORT} without a {@code HOST} of the same transport is taken to be on 127.0.0.1; a
 * {@code HOST} without a {@code PORT}, or a URL without a port and an unknown scheme, cannot be
 * proxied and is refused, since the kit cannot know where to forward.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
public final class DeviceProxies implements AutoCloseable {
    private static final Map<String, Integer> DEFAULT_PORTS = Map.of("http", 80, "https", 443, "ssh", 22,
            "snmp", 161, "udp", 161);

    private final Map<String, String> config;
    private final List<FaultProxy> proxies;

    private DeviceProxies(Map<String, String> config, List<FaultProxy> proxies) {
        this.config = Collections.unmodifiableMap(config);
        this.proxies = List.copyOf(proxies);
    }

    /**
     * Whether the descriptor declares any endpoint option the kit can proxy.
     *
     * @param descriptor the driver's descriptor
     * @return true if an option declares an {@link EndpointRole}
     * @since 0.1
     */
    public static boolean canProxy(DriverDescriptor descriptor) {
        return descriptor.options().stream().anyMatch(o -> o.endpoint().isPresent());
    }

    /**
     * Starts one proxy per declared endpoint and returns them with the rewritten configuration.
     *
     * @param descriptor the driver's descriptor, naming its endpoint options
     * @param config the configuration that reaches the device directly
     * @return the started proxies, to close after use
     * @throws IllegalArgumentException if the driver declares no endpoint, or one that cannot be
     *     proxied; the message names the option
     * @since 0.1
     */
    public static DeviceProxies insert(DriverDescriptor descriptor, Map<String, String> config) {
        requireNonNull(descriptor, "descriptor is null");
        requireNonNull(config, "config is null");
        Map<Transport, ConfigOption> hosts = new EnumMap<>(Transport.class);
        Map<Transport, ConfigOption> ports = new EnumMap<>(Transport.class);
        List<ConfigOption> urls = new ArrayList<>();
        for (ConfigOption option : descriptor.options()) {
            Optional<EndpointRole> role = option.endpoint();
            if (role.isEmpty()) {
                continue;
            }
            Map<Transport, ConfigOption> slot = role.get() == EndpointRole.HOST ? hosts
                    : role.get() == EndpointRole.PORT ? ports : null;
            if (slot == null) {
                urls.add(option);
            } else if (slot.putIfAbsent(option.transport(), option) != null) {
                throw new IllegalArgumentException("Driver '" + descriptor.id() + "' declares two " + role.get()
                        + " endpoints for " + option.transport() + ": '" + slot.get(option.transport()).name()
                        + "' and '" + option.name() + "'");
            }
        }
        if (hosts.isEmpty() && ports.isEmpty() && urls.isEmpty()) {
            throw new IllegalArgumentException("Driver '" + descriptor.id() + "' declares no endpoint option");
        }
        Map<String, String> rewritten = new LinkedHashMap<>(config);
        List<FaultProxy> started = new ArrayList<>();
        try {
            for (Transport transport : Transport.values()) {
                ConfigOption host = hosts.get(transport);
                ConfigOption port = ports.get(transport);
                if (host == null && port == null) {
                    continue;
                }
                if (port == null) {
                    throw new IllegalArgumentException("Endpoint option '" + host.name() + "' of driver '"
                            + descriptor.id() + "' has no PORT option for " + transport + ": cannot place a proxy");
                }
                String hostValue = host == null ? "127.0.0.1" : value(host, config).orElse("127.0.0.1");
                String portValue = value(port, config).orElseThrow(() -> new IllegalArgumentException(
                        "Endpoint option '" + port.name() + "' has no value: cannot place a proxy"));
                FaultProxy proxy = start(transport, new InetSocketAddress(hostValue, parsePort(port, portValue)));
                started.add(proxy);
                if (host != null) {
                    rewritten.put(host.name(), "127.0.0.1");
                }
                rewritten.put(port.name(), String.valueOf(proxy.address().getPort()));
            }
            for (ConfigOption url : urls) {
                Optional<String> text = value(url, config);
                if (text.isEmpty()) {
                    continue;
                }
                URI uri = parseUrl(url, text.get());
                int port = uri.getPort() > 0 ? uri.getPort() : DEFAULT_PORTS.getOrDefault(
                        uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT), -1);
                if (port < 0) {
                    throw new IllegalArgumentException("Endpoint option '" + url.name() + "' has no port and an unknown"
                            + " scheme: cannot place a proxy");
                }
                FaultProxy proxy = start(url.transport(), new InetSocketAddress(uri.getHost(), port));
                started.add(proxy);
                rewritten.put(url.name(), withAuthority(url, uri, proxy.address().getPort()));
            }
        } catch (RuntimeException e) {
            started.forEach(FaultProxy::close);
            throw e;
        }
        return new DeviceProxies(rewritten, started);
    }

    private static FaultProxy start(Transport transport, InetSocketAddress target) {
        return transport == Transport.UDP ? UdpFaultProxy.start(target) : TcpFaultProxy.start(target);
    }

    private static Optional<String> value(ConfigOption option, Map<String, String> config) {
        return Optional.ofNullable(config.get(option.name())).or(option::defaultValue);
    }

    private static int parsePort(ConfigOption option, String text) {
        try {
            int port = Integer.parseInt(text.strip());
            if (port >= 1 && port <= 65535) {
                return port;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("Endpoint option '" + option.name() + "' is not a port: '" + text + "'");
    }

    private static URI parseUrl(ConfigOption option, String text) {
        try {
            URI uri = new URI(text.strip());
            if (uri.getHost() == null) {
                throw new IllegalArgumentException("Endpoint option '" + option.name() + "' has no host: '" + text + "'");
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Endpoint option '" + option.name() + "' is not a URL: '" + text + "'", e);
        }
    }

    private static String withAuthority(ConfigOption option, URI uri, int port) {
        try {
            return new URI(uri.getScheme(), uri.getUserInfo(), "127.0.0.1", port, uri.getPath(), uri.getQuery(),
                    uri.getFragment()).toString();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Cannot rewrite endpoint option '" + option.name() + "'", e);
        }
    }

    /**
     * The configuration with every endpoint pointing at its proxy.
     *
     * @return the rewritten configuration (unmodifiable)
     * @since 0.1
     */
    public Map<String, String> config() {
        return config;
    }

    /**
     * The proxies, one per endpoint.
     *
     * @return the proxies (unmodifiable)
     * @since 0.1
     */
    public List<FaultProxy> proxies() {
        return proxies;
    }

    /**
     * Whether every proxy can simulate a mode.
     *
     * @param mode the mode to ask about
     * @return true if {@link #mode(FaultMode)} accepts it
     * @since 0.1
     */
    public boolean supports(FaultMode mode) {
        return proxies.stream().allMatch(p -> p.supports(mode));
    }

    /**
     * Switches every proxy to a mode.
     *
     * @param mode the new mode
     * @throws UnsupportedOperationException if a proxy does not support it (see {@link #supports})
     * @since 0.1
     */
    public void mode(FaultMode mode) {
        proxies.forEach(p -> p.mode(mode));
    }

    /**
     * Sets the latency of {@link FaultMode#SLOW} on every proxy.
     *
     * @param latency the added delay; not negative
     * @since 0.1
     */
    public void latency(Duration latency) {
        proxies.forEach(p -> p.latency(latency));
    }

    /**
     * Sets the idle timeout of {@link FaultMode#IDLE_CLOSE} on every proxy (all must be TCP: see {@link #supports}).
     *
     * @param idleTimeout the idle time; positive
     * @throws UnsupportedOperationException if a proxy is UDP
     * @since 0.1
     */
    public void idleTimeout(Duration idleTimeout) {
        proxies.forEach(p -> p.idleTimeout(idleTimeout));
    }

    /**
     * How many times the driver reached any of the proxies (connections, datagrams).
     *
     * @return the sum over the proxies
     * @since 0.1
     */
    public long arrivals() {
        return proxies.stream().mapToLong(FaultProxy::arrivals).sum();
    }

    /**
     * Back to {@link FaultMode#PASS} everywhere.
     *
     * @since 0.1
     */
    public void heal() {
        mode(FaultMode.PASS);
    }

    /**
     * Stops every proxy; idempotent.
     *
     * @since 0.1
     */
    @Override
    public void close() {
        proxies.forEach(FaultProxy::close);
    }

    @Override
    public String toString() {
        return "DeviceProxies" + proxies;
    }
}
