package io.cinderblock.driver.lvm;

import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.EndpointRole;
import io.cinderblock.sdk.spi.OptionType;
import io.cinderblock.sdk.spi.Transport;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

/**
 * The options of the LVM driver and their parsing. Names follow Cinder's own ({@code san_ip},
 * {@code san_login}, {@code volume_group}, {@code lvm_type}, {@code target_helper}, ...) so that
 * a {@code cinder.conf} backend section carries over.
 */
final class LvmOptions {
    static final String SAN_IP = "san_ip";
    static final String SAN_SSH_PORT = "san_ssh_port";
    static final String SAN_LOGIN = "san_login";
    static final String SAN_PRIVATE_KEY = "san_private_key";
    static final String SAN_PRIVATE_KEY_PASSPHRASE = "san_private_key_passphrase";
    static final String SSH_HOSTS_KEY_FILE = "ssh_hosts_key_file";
    static final String STRICT_SSH_HOST_KEY_POLICY = "strict_ssh_host_key_policy";
    static final String SSH_CONN_TIMEOUT = "ssh_conn_timeout";
    static final String SSH_READ_TIMEOUT = "ssh_read_timeout";
    static final String SSH_COMMAND_TIMEOUT = "ssh_command_timeout";
    static final String SSH_USE_SUDO = "ssh_use_sudo";
    static final String VOLUME_GROUP = "volume_group";
    static final String LVM_TYPE = "lvm_type";
    static final String RESERVED_PERCENTAGE = "reserved_percentage";
    static final String MAX_OVER_SUBSCRIPTION_RATIO = "max_over_subscription_ratio";
    static final String LVM_CONFIG_OVERRIDE = "lvm_config_override";
    static final String LVM_DEVICE_DIR = "lvm_device_dir";
    static final String TARGET_HELPER = "target_helper";
    static final String TARGET_IP_ADDRESS = "target_ip_address";
    static final String TARGET_PORT = "target_port";
    static final String TARGET_PREFIX = "target_prefix";
    static final String TGTADM_CONTROL_PORT = "tgtadm_control_port";

    /** What {@code lvm_config_override} may contain: LVM config syntax without quotes or shell characters. */
    private static final Pattern LVM_CONFIG = Pattern.compile("[A-Za-z0-9_ {}=/.,\\[\\]-]+");
    private static final Pattern TARGET_PREFIX_PATTERN = Pattern.compile("iqn\\.\\d{4}-\\d{2}\\.[a-z0-9][a-z0-9.-]*:");
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]+|[0-9A-Fa-f:.]+");
    private static final Pattern DEVICE_DIR = Pattern.compile("/[A-Za-z0-9_./-]*");

    private LvmOptions() {}

    /** Every option the driver declares, in the order the README lists them. */
    static List<ConfigOption> all() {
        return List.of(
                ConfigOption.builder(SAN_IP, OptionType.STRING).required()
                        .endpoint(EndpointRole.HOST, Transport.TCP)
                        .description("Address of the Linux host that holds the volume group (SSH).").build(),
                ConfigOption.builder(SAN_SSH_PORT, OptionType.INTEGER).defaultValue("22")
                        .endpoint(EndpointRole.PORT, Transport.TCP)
                        .description("SSH port of the LVM host.").build(),
                ConfigOption.builder(SAN_LOGIN, OptionType.STRING).required()
                        .description("SSH user; root, or a user with the sudo rules in the README.").build(),
                ConfigOption.builder(SAN_PRIVATE_KEY, OptionType.PATH).required()
                        .description("Private key file for SSH key authentication (passwords are not supported).").build(),
                ConfigOption.builder(SAN_PRIVATE_KEY_PASSPHRASE, OptionType.STRING).secret()
                        .description("Passphrase of the private key, if it has one.").build(),
                ConfigOption.builder(SSH_HOSTS_KEY_FILE, OptionType.PATH)
                        .description("known_hosts file holding the host's key; required while strict_ssh_host_key_policy is true.").build(),
                ConfigOption.builder(STRICT_SSH_HOST_KEY_POLICY, OptionType.BOOLEAN).defaultValue("true")
                        .description("Refuse hosts whose key is unknown or changed. Turn off only in a lab.").build(),
                ConfigOption.builder(SSH_CONN_TIMEOUT, OptionType.DURATION).defaultValue("10s")
                        .description("Bound on TCP connect, SSH handshake and authentication.").build(),
                ConfigOption.builder(SSH_READ_TIMEOUT, OptionType.DURATION).defaultValue("10s")
                        .description("Socket read timeout and keep-alive interval; a session missing two keep-alives is replaced.").build(),
                ConfigOption.builder(SSH_COMMAND_TIMEOUT, OptionType.DURATION).defaultValue("30s")
                        .description("Deadline of each remote command; a command past it is abandoned and reported as timed out.").build(),
                ConfigOption.builder(SSH_USE_SUDO, OptionType.BOOLEAN).defaultValue("false")
                        .description("Run LVM and tgtadm commands through 'sudo -n' (for a non-root san_login).").build(),
                ConfigOption.builder(VOLUME_GROUP, OptionType.STRING).defaultValue("cinder-volumes")
                        .description("The volume group the backend manages.").build(),
                ConfigOption.builder(LVM_TYPE, OptionType.CHOICE).choices("default", "thin").defaultValue("default")
                        .description("'default' for thick LVs, 'thin' for thin LVs in the pool '<volume_group>-pool'.").build(),
                ConfigOption.builder(RESERVED_PERCENTAGE, OptionType.INTEGER).defaultValue("0")
                        .description("Percentage of capacity the scheduler keeps free (0-100).").build(),
                ConfigOption.builder(MAX_OVER_SUBSCRIPTION_RATIO, OptionType.DECIMAL).defaultValue("20.0")
                        .description("Thin provisioning over-subscription ratio reported to the scheduler (>= 1).").build(),
                ConfigOption.builder(LVM_CONFIG_OVERRIDE, OptionType.STRING)
                        .description("Passed to every LVM command as --config, e.g. 'global {activation=0}' on a kernel without device-mapper.").build(),
                ConfigOption.builder(LVM_DEVICE_DIR, OptionType.PATH).defaultValue("/dev")
                        .description("Where the host's LV device nodes appear (<dir>/<vg>/<lv>), as lvm.conf devices/dir.").build(),
                ConfigOption.builder(TARGET_HELPER, OptionType.CHOICE).choices("tgtadm", "none").defaultValue("tgtadm")
                        .description("How volumes are exported: 'tgtadm' (iSCSI with CHAP) or 'none' (no export).").build(),
                ConfigOption.builder(TARGET_IP_ADDRESS, OptionType.STRING)
                        .description("iSCSI portal address given to hosts; defaults to san_ip.").build(),
                ConfigOption.builder(TARGET_PORT, OptionType.INTEGER).defaultValue("3260")
                        .description("iSCSI portal port.").build(),
                ConfigOption.builder(TARGET_PREFIX, OptionType.STRING).defaultValue("iqn.2010-10.org.openstack:")
                        .description("Prefix of target IQNs; the volume name follows it.").build(),
                ConfigOption.builder(TGTADM_CONTROL_PORT, OptionType.INTEGER)
                        .description("tgtadm --control-port of the tgtd to use, when it is not the default instance.").build());
    }

    /**
     * Reads and checks a validated configuration. Files must exist and be readable here, so a
     * typo fails at start-up, not at the first probe.
     *
     * @throws InvalidConfigException naming the option
     */
    static LvmSettings parse(DriverConfig config) {
        String host = config.string(SAN_IP).strip();
        if (!HOST.matcher(host).matches()) {
            throw new InvalidConfigException(SAN_IP, "Option '" + SAN_IP + "' must be a host name or IP address, got '"
                    + RemoteCommand.printable(host) + "'");
        }
        int port = (int) config.integer(SAN_SSH_PORT, 1, 65535);
        String user = config.string(SAN_LOGIN).strip();
        if (user.isEmpty()) {
            throw new InvalidConfigException(SAN_LOGIN, "Option '" + SAN_LOGIN + "' is blank");
        }
        Path key = readableFile(config, SAN_PRIVATE_KEY);
        boolean strict = config.bool(STRICT_SSH_HOST_KEY_POLICY);
        Optional<Path> knownHosts = Optional.empty();
        if (strict) {
            if (!config.isSet(SSH_HOSTS_KEY_FILE)) {
                throw new InvalidConfigException(SSH_HOSTS_KEY_FILE, "Option '" + SSH_HOSTS_KEY_FILE
                        + "' is required while '" + STRICT_SSH_HOST_KEY_POLICY + "' is true");
            }
            knownHosts = Optional.of(readableFile(config, SSH_HOSTS_KEY_FILE));
        }
        Duration connect = config.duration(SSH_CONN_TIMEOUT);
        Duration read = config.duration(SSH_READ_TIMEOUT);
        Duration command = config.duration(SSH_COMMAND_TIMEOUT);
        SshSettings ssh = new SshSettings(host, port, user, key, config.optional(SAN_PRIVATE_KEY_PASSPHRASE, String.class),
                knownHosts, strict, connect, read, config.bool(SSH_USE_SUDO));

        String vg = config.string(VOLUME_GROUP);
        if (!LvmNames.LVM_NAME.matcher(vg).matches()) {
            throw new InvalidConfigException(VOLUME_GROUP, "Option '" + VOLUME_GROUP + "' must match "
                    + LvmNames.LVM_NAME.pattern() + ", got '" + RemoteCommand.printable(vg) + "'");
        }
        int reserved = (int) config.integer(RESERVED_PERCENTAGE, 0, 100);
        BigDecimal ratio = config.decimal(MAX_OVER_SUBSCRIPTION_RATIO);
        if (ratio.compareTo(BigDecimal.ONE) < 0) {
            throw new InvalidConfigException(MAX_OVER_SUBSCRIPTION_RATIO, "Option '" + MAX_OVER_SUBSCRIPTION_RATIO
                    + "' must be at least 1, got '" + ratio.toPlainString() + "'");
        }
        Optional<String> lvmConfig = config.optional(LVM_CONFIG_OVERRIDE, String.class).map(String::strip);
        if (lvmConfig.isPresent() && !LVM_CONFIG.matcher(lvmConfig.get()).matches()) {
            throw new InvalidConfigException(LVM_CONFIG_OVERRIDE, "Option '" + LVM_CONFIG_OVERRIDE
                    + "' may contain only letters, digits, spaces and _ { } = / . , [ ] -, got '"
                    + RemoteCommand.printable(lvmConfig.get()) + "'");
        }
        String deviceDir = config.path(LVM_DEVICE_DIR).toString();
        if (!DEVICE_DIR.matcher(deviceDir).matches()) {
            throw new InvalidConfigException(LVM_DEVICE_DIR, "Option '" + LVM_DEVICE_DIR
                    + "' must be an absolute path of letters, digits and _ . / -, got '"
                    + RemoteCommand.printable(deviceDir) + "'");
        }
        boolean tgt = config.string(TARGET_HELPER).equals("tgtadm");
        String portalHost = config.optional(TARGET_IP_ADDRESS, String.class).map(String::strip).orElse(host);
        if (!HOST.matcher(portalHost).matches()) {
            throw new InvalidConfigException(TARGET_IP_ADDRESS, "Option '" + TARGET_IP_ADDRESS
                    + "' must be a host name or IP address, got '" + RemoteCommand.printable(portalHost) + "'");
        }
        int portalPort = (int) config.integer(TARGET_PORT, 1, 65535);
        String prefix = config.string(TARGET_PREFIX);
        if (!TARGET_PREFIX_PATTERN.matcher(prefix).matches()) {
            throw new InvalidConfigException(TARGET_PREFIX, "Option '" + TARGET_PREFIX + "' must look like "
                    + "'iqn.2010-10.org.openstack:' (pattern " + TARGET_PREFIX_PATTERN.pattern() + "), got '"
                    + RemoteCommand.printable(prefix) + "'");
        }
        OptionalInt controlPort = OptionalInt.empty();
        if (config.isSet(TGTADM_CONTROL_PORT)) {
            controlPort = OptionalInt.of((int) config.integer(TGTADM_CONTROL_PORT, 0, 65535));
        }
        String portal = (portalHost.contains(":") ? "[" + portalHost + "]" : portalHost) + ":" + portalPort;
        return new LvmSettings(config.backendName(), ssh, vg, config.string(LVM_TYPE).equals("thin"), reserved,
                ratio.doubleValue(), command, lvmConfig, deviceDir, tgt, portal, prefix, controlPort);
    }

    private static Path readableFile(DriverConfig config, String option) {
        Path path = config.path(option);
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            throw new InvalidConfigException(option, "Option '" + option + "': file '" + path
                    + "' does not exist or is not readable");
        }
        return path;
    }
}
