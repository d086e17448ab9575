package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * How a host reaches an exported volume: Cinder's connection info, {@code driver_volume_type} plus
 * its {@code data} map (for iSCSI: {@code target_iqn}, {@code target_portal}, {@code target_lun},
 * {@code auth_method}, {@code auth_username}, {@code auth_password}, ...).
 *
 * <p>Build iSCSI info with {@link #iscsi(String, String, int)}. {@link #toString()} masks the
 * credentials in {@link #SECRET_KEYS}; {@link #data()} holds them in clear because the attaching
 * host needs them.
 *
 * <p>The record (type plus data map) is stable; the iSCSI helpers that fill the map are
 * experimental while more protocols join.
 *
 * <p>Returned by {@link VolumeDriver#initializeConnection}; hosts pass it to the attaching host
 * and must not log {@link #data()}.
 *
 * @param driverVolumeType e.g. {@code iscsi}
 * @param data the type-specific keys; scalar values
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record ConnectionInfo(String driverVolumeType, Map<String, Object> data) {

    /**
     * Keys of {@link #data()} whose values are credentials, masked by {@link #toString()}.
     *
     * @since 0.1
     */
    @ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
    public static final Set<String> SECRET_KEYS = Set.of("auth_password", "discovery_auth_password");

    private static final Pattern IQN = Pattern.compile(
            "iqn\\.\\d{4}-\\d{2}\\.[a-z0-9][a-z0-9.-]*(:[^\\s]+)?|eui\\.[0-9A-Fa-f]{16}|naa\\.[0-9A-Fa-f]{16,32}");
    private static final Pattern PORTAL = Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):(\\d{1,5})");

    /**
     * Checks the components and copies the data, keeping its order.
     *
     * @param driverVolumeType not blank
     * @param data not null
     * @throws IllegalArgumentException if the type is blank
     * @since 0.1
     */
    public ConnectionInfo {
        requireNonNull(driverVolumeType, "driverVolumeType is null");
        data = Collections.unmodifiableMap(new LinkedHashMap<>(requireNonNull(data, "data is null")));
        if (driverVolumeType.isBlank()) {
            throw new IllegalArgumentException("driver_volume_type is blank");
        }
    }

    /**
     * Whether {@code iqn} is a well-formed iSCSI qualified name ({@code iqn.}, {@code eui.} or
     * {@code naa.}).
     *
     * @param iqn the name; {@code null} is not well-formed
     * @return true if well-formed
     * @since 0.1
     */
    @ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
    public static boolean isValidIqn(String iqn) {
        return iqn != null && IQN.matcher(iqn).matches();
    }

    /**
     * Whether {@code portal} is {@code host:port} (IPv6 in brackets) with a port in 1-65535.
     *
     * @param portal the portal; {@code null} is not well-formed
     * @return true if well-formed
     * @since 0.1
     */
    @ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
    public static boolean isValidPortal(String portal) {
        if (portal == null) {
            return false;
        }
        var m = PORTAL.matcher(portal);
        if (!m.matches()) {
            return false;
        }
        int port = Integer.parseInt(m.group(2));
        return port >= 1 && port <= 65535;
    }

    /**
     * Starts iSCSI connection info. Called by drivers in {@link VolumeDriver#initializeConnection}.
     *
     * @param targetIqn the target's IQN
     * @param targetPortal the target's {@code host:port}
     * @param targetLun the volume's LUN, at least 0
     * @return a builder with {@code target_discovered}, {@code target_iqn}, {@code target_portal}
     *     and {@code target_lun} set
     * @throws IllegalArgumentException for a malformed IQN, portal or LUN, quoting it
     * @since 0.1
     */
    @ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
    public static IscsiBuilder iscsi(String targetIqn, String targetPortal, int targetLun) {
        return new IscsiBuilder(targetIqn, targetPortal, targetLun);
    }

    /**
     * {@return the data as Cinder's {@code {"driver_volume_type": ..., "data": {...}}}, credentials
     * in clear} What a host returns to the attaching host; never log it.
     *
     * @since 0.1
     */
    public Map<String, Object> toCinderMap() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("driver_volume_type", driverVolumeType);
        map.put("data", data);
        return map;
    }

    /**
     * {@return the type and data with the {@link #SECRET_KEYS} masked} Safe to log.
     *
     * @since 0.1
     */
    @Override
    public String toString() {
        Map<String, Object> shown = new LinkedHashMap<>(data);
        SECRET_KEYS.forEach(key -> shown.computeIfPresent(key, (k, v) -> DriverConfig.MASK));
        return "ConnectionInfo[driver_volume_type=" + driverVolumeType + ", data=" + shown + "]";
    }

    /**
     * Builds iSCSI {@link ConnectionInfo}. Not thread-safe.
     *
     * @since 0.1
     */
    @ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
    public static final class IscsiBuilder {
        private final Map<String, Object> data = new LinkedHashMap<>();

        private IscsiBuilder(String targetIqn, String targetPortal, int targetLun) {
            if (!isValidIqn(targetIqn)) {
                throw new IllegalArgumentException("Not an iSCSI qualified name: '" + targetIqn + "'");
            }
            if (!isValidPortal(targetPortal)) {
                throw new IllegalArgumentException("Not a host:port portal: '" + targetPortal + "'");
            }
            if (targetLun < 0) {
                throw new IllegalArgumentException("LUN must be >= 0, got " + targetLun);
            }
            data.put("target_discovered", false);
            data.put("target_iqn", targetIqn);
            data.put("target_portal", targetPortal);
            data.put("target_lun", targetLun);
        }

        /**
         * Sets {@code volume_id}, the Cinder volume id the target exports.
         *
         * @param id not null
         * @return this builder
         * @since 0.1
         */
        public IscsiBuilder volumeId(String id) {
            data.put("volume_id", requireNonNull(id, "id is null"));
            return this;
        }

        /**
         * Sets CHAP authentication ({@code auth_method}, {@code auth_username}, {@code
         * auth_password}).
         *
         * @param username not null
         * @param password not null; masked by {@link ConnectionInfo#toString()}
         * @return this builder
         * @since 0.1
         */
        public IscsiBuilder chap(String username, String password) {
            data.put("auth_method", "CHAP");
            data.put("auth_username", requireNonNull(username, "username is null"));
            data.put("auth_password", requireNonNull(password, "password is null"));
            return this;
        }

        /**
         * Sets {@code access_mode}: whether the host may attach the volume read-write or read-only.
         *
         * @param mode {@code rw} (Cinder's default) or {@code ro}
         * @return this builder
         * @throws IllegalArgumentException for any other mode, quoting it
         * @since 0.1
         */
        public IscsiBuilder accessMode(String mode) {
            if (!mode.equals("rw") && !mode.equals("ro")) {
                throw new IllegalArgumentException("access_mode must be 'rw' or 'ro', got '" + mode + "'");
            }
            data.put("access_mode", mode);
            return this;
        }

        /**
         * {@return the connection info, {@code driver_volume_type} {@code iscsi}}
         *
         * @since 0.1
         */
        public ConnectionInfo build() {
            return new ConnectionInfo("iscsi", data);
        }
    }
}
