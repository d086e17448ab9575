package io.cinderblock.driver.iscsi;

import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.AUTH;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.CA_BUNDLE;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.CONNECT_TIMEOUT;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.FABRIC_ID;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.ISCSI_PORTAL;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.MAX_RESPONSE_BYTES;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.PASSWORD;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.POOLS;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.REQUEST_TIMEOUT;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.STORAGE_ID;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.TASK_TIMEOUT;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.URL;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.USER;
import static io.cinderblock.driver.iscsi.SwordfishDriverProvider.VERIFY_TLS;

import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.DriverConfig;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The driver's configuration, parsed and checked once at open. {@link #toString()} never shows the
 * password.
 */
record SwordfishSettings(
        URI baseUri,
        String user,
        String password,
        boolean sessionAuth,
        boolean verifyTls,
        Optional<Path> caBundle,
        Optional<String> storageId,
        Optional<String> fabricId,
        List<String> pools,
        Duration connectTimeout,
        Duration requestTimeout,
        Duration taskTimeout,
        long maxResponseBytes,
        Optional<String> portalOverride) {

    static SwordfishSettings from(DriverConfig config) {
        URI base = baseUri(config.string(URL));
        Optional<Path> ca = config.optional(CA_BUNDLE, Path.class);
        if (ca.isPresent() && !java.nio.file.Files.isReadable(ca.get())) {
            throw new InvalidConfigException(CA_BUNDLE, "Option '" + CA_BUNDLE + "': file '" + ca.get()
                    + "' does not exist or is not readable");
        }
        boolean verify = config.bool(VERIFY_TLS);
        if (!verify && ca.isPresent()) {
            throw new InvalidConfigException(CA_BUNDLE, "Option '" + CA_BUNDLE + "' makes no sense with '"
                    + VERIFY_TLS + "' false");
        }
        Optional<String> portal = config.optional(ISCSI_PORTAL, String.class).map(String::strip);
        if (portal.isPresent() && !ConnectionInfo.isValidPortal(portal.get())) {
            throw new InvalidConfigException(ISCSI_PORTAL, "Option '" + ISCSI_PORTAL + "' must be host:port, got '"
                    + portal.get() + "'");
        }
        List<String> pools = config.optional(POOLS, String.class)
                .map(text -> Arrays.stream(text.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
        if (config.isSet(POOLS) && pools.isEmpty()) {
            throw new InvalidConfigException(POOLS, "Option '" + POOLS + "' names no pool");
        }
        return new SwordfishSettings(
                base,
                config.string(USER),
                config.string(PASSWORD),
                config.string(AUTH).equals("session"),
                verify,
                ca,
                nonBlank(config, STORAGE_ID),
                nonBlank(config, FABRIC_ID),
                pools,
                config.duration(CONNECT_TIMEOUT),
                config.duration(REQUEST_TIMEOUT),
                config.duration(TASK_TIMEOUT),
                config.integer(MAX_RESPONSE_BYTES, 1024, 1L << 30),
                portal);
    }

    private static Optional<String> nonBlank(DriverConfig config, String option) {
        Optional<String> value = config.optional(option, String.class).map(String::strip);
        if (value.isPresent() && value.get().isEmpty()) {
            throw new InvalidConfigException(option, "Option '" + option + "' is blank");
        }
        return value;
    }

    private static URI baseUri(String text) {
        URI uri;
        try {
            uri = new URI(text.strip());
        } catch (URISyntaxException e) {
            throw new InvalidConfigException(URL, "Option '" + URL + "' is not a URL: '" + text + "'");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new InvalidConfigException(URL, "Option '" + URL + "' must be an http or https URL, got '" + text + "'");
        }
        if (uri.getHost() == null) {
            throw new InvalidConfigException(URL, "Option '" + URL + "' has no host: '" + text + "'");
        }
        if (uri.getUserInfo() != null) {
            // Credentials belong in the user and password options, where they are masked.
            throw new InvalidConfigException(URL, "Option '" + URL + "' must not carry user information");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        if (!path.isEmpty() && !path.equals("/") || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new InvalidConfigException(URL, "Option '" + URL + "' must have no path, query or fragment "
                    + "(Redfish lives at /redfish/v1), got '" + text + "'");
        }
        try {
            return new URI(scheme, null, uri.getHost(), uri.getPort(), "/", null, null);
        } catch (URISyntaxException e) {
            throw new InvalidConfigException(URL, "Option '" + URL + "' is not a URL: '" + text + "'");
        }
    }

    /** {@code host:port} of the service, for messages. */
    String authority() {
        int port = baseUri.getPort() != -1 ? baseUri.getPort() : baseUri.getScheme().equals("https") ? 443 : 80;
        return baseUri.getHost() + ":" + port;
    }

    @Override
    public String toString() {
        return "SwordfishSettings[url=" + baseUri + ", user=" + user + ", password=" + DriverConfig.MASK
                + ", session=" + sessionAuth + ", verifyTls=" + verifyTls + "]";
    }
}
