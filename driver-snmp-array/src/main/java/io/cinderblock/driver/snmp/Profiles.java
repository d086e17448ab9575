package io.cinderblock.driver.snmp;

import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.spi.DriverConfig;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.snmp4j.smi.OID;

/**
 * Loads {@link Profile}s: the shipped ones from the driver jar, a user's from a file. A profile
 * file is a Java properties file (the keys are documented in the module README). Every problem is
 * reported at open, naming the profile and the key: an unknown key (a typo), a missing column, a
 * bad OID or unit.
 */
final class Profiles {
    /** HOST-RESOURCES-MIB {@code hrStorageTable}, any net-snmp agent. */
    static final String HOST_RESOURCES = "host-resources";
    /** UCD-SNMP-MIB {@code dskTable} with its 64-bit high/low columns. */
    static final String UCD_DISK = "ucd-disk";
    /** The example array MIB with pools, health and a RowStatus volume table. */
    static final String EXAMPLE_ARRAY = "example-array";
    /** The profiles in the driver jar. */
    static final List<String> SHIPPED = List.of(HOST_RESOURCES, UCD_DISK, EXAMPLE_ARRAY);

    private static final Set<String> KEYS = Set.of("profile.description",
            "pool.table", "pool.name.column", "pool.name.pattern", "pool.select.column", "pool.select.values",
            "pool.total.column", "pool.total.high.column", "pool.used.column", "pool.used.high.column",
            "pool.free.column", "pool.free.high.column", "pool.unit", "pool.counter.bits",
            "health.oid", "health.table", "health.column", "health.select.column", "health.select.values",
            "health.ok", "health.failed", "health.names",
            "volume.table", "volume.rowstatus.column", "volume.name.column", "volume.name.max.length",
            "volume.size.column", "volume.size.unit", "volume.pool.column",
            "notification.down", "notification.check");
    private static final long GIB = 1L << 30;

    private Profiles() {}

    /**
     * The profile a backend's configuration names: {@code snmp_profile_file} if set, else the
     * shipped {@code snmp_profile}.
     *
     * @throws InvalidConfigException naming the option, the profile and the offending key
     */
    static Profile load(DriverConfig config) {
        Optional<Path> file = config.optional(SnmpSettings.PROFILE_FILE, Path.class);
        if (file.isPresent()) {
            if (config.masked().containsKey(SnmpSettings.PROFILE)) {
                throw new InvalidConfigException(SnmpSettings.PROFILE_FILE, "Options '" + SnmpSettings.PROFILE
                        + "' and '" + SnmpSettings.PROFILE_FILE + "' are both set; set one");
            }
            return fromFile(file.get());
        }
        String name = config.string(SnmpSettings.PROFILE).strip();
        if (!SHIPPED.contains(name)) {
            throw new InvalidConfigException(SnmpSettings.PROFILE, "Unknown profile '" + name + "' in option '"
                    + SnmpSettings.PROFILE + "'; shipped profiles: " + String.join(", ", SHIPPED)
                    + "; use '" + SnmpSettings.PROFILE_FILE + "' for a profile file of your own");
        }
        return shipped(name);
    }

    /** A profile shipped in the driver jar. */
    static Profile shipped(String name) {
        String resource = "profiles/" + name + ".properties";
        try (InputStream in = Profiles.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("Shipped profile '" + name + "' is missing from the jar");
            }
            return parse(name, SnmpSettings.PROFILE, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("Cannot read shipped profile '" + name + "'", e);
        }
    }

    /** A profile from a file; its name is the file name without {@code .properties}. */
    static Profile fromFile(Path file) {
        String name = file.getFileName().toString().replaceFirst("\\.properties$", "");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new InvalidConfigException(SnmpSettings.PROFILE_FILE, "Cannot read profile file '" + file + "' ("
                    + e.getClass().getSimpleName() + ": " + e.getMessage() + ")");
        }
        return parse(name, SnmpSettings.PROFILE_FILE, text);
    }

    /**
     * Parses profile text.
     *
     * @param name the profile's name, for messages
     * @param option the configuration option that selected the profile, named by errors
     * @throws InvalidConfigException naming the profile and key
     */
    static Profile parse(String name, String option, String text) {
        Properties properties = new Properties();
        try (Reader reader = new StringReader(text)) {
            properties.load(reader);
        } catch (IOException | IllegalArgumentException e) {
            throw new InvalidConfigException(option, "Profile '" + name + "' is not a properties file: "
                    + e.getMessage());
        }
        return new Parser(name, option, properties).profile();
    }

    /** Reads one profile's properties, failing with the profile's and the key's name. */
    private static final class Parser {
        private final String name;
        private final String option;
        private final Map<String, String> values = new LinkedHashMap<>();

        Parser(String name, String option, Properties properties) {
            this.name = name;
            this.option = option;
            for (String key : new TreeSet<>(properties.stringPropertyNames())) {
                if (!KEYS.contains(key)) {
                    throw fail("unknown key '" + key + "'");
                }
                String value = properties.getProperty(key).strip();
                if (!value.isEmpty()) {
                    values.put(key, value);
                }
            }
        }

        Profile profile() {
            return new Profile(name, values.getOrDefault("profile.description", name), pools(), health(), volumes(),
                    notifications());
        }

        private Profile.Notifications notifications() {
            Set<OID> down = notificationOids("notification.down");
            Set<OID> check = notificationOids("notification.check");
            Set<OID> both = new LinkedHashSet<>(down);
            both.retainAll(check);
            if (!both.isEmpty()) {
                throw fail("notifications " + both + " are in both 'notification.down' and 'notification.check'");
            }
            return new Profile.Notifications(down, check);
        }

        private Set<OID> notificationOids(String key) {
            Set<OID> result = new LinkedHashSet<>();
            for (String item : list(key)) {
                String dotted = item.startsWith(".") ? item.substring(1) : item;
                OID oid = dotted.matches("[0-9]+(\\.[0-9]+)+") ? new OID(dotted) : null;
                if (oid == null || !oid.isValid() || oid.size() < 3) {
                    throw fail("'" + key + "' holds '" + item + "', which is not a numeric notification OID");
                }
                result.add(oid);
            }
            return result;
        }

        private Profile.PoolTable pools() {
            OID entry = oid("pool.table", true).orElseThrow(() -> missing("pool.table"));
            int nameColumn = column("pool.name.column").orElseThrow(() -> missing("pool.name.column"));
            OptionalInt selectColumn = column("pool.select.column");
            Set<String> selectValues = list("pool.select.values");
            pairedSelection("pool", selectColumn, selectValues);
            Pattern pattern = pattern("pool.name.pattern");
            Profile.NumberColumn total = number("pool.total").orElseThrow(() -> missing("pool.total.column"));
            Optional<Profile.NumberColumn> used = number("pool.used");
            Optional<Profile.NumberColumn> free = number("pool.free");
            if (used.isPresent() == free.isPresent()) {
                throw fail("set exactly one of 'pool.used.column' and 'pool.free.column'");
            }
            Profile.Unit unit = unit("pool.unit", true);
            int bits = (int) integer("pool.counter.bits", 64);
            if (bits != 32 && bits != 64) {
                throw fail("'pool.counter.bits' must be 32 or 64, got '" + values.get("pool.counter.bits") + "'");
            }
            boolean split = total.highColumn().isPresent()
                    || used.filter(c -> c.highColumn().isPresent()).isPresent()
                    || free.filter(c -> c.highColumn().isPresent()).isPresent();
            if (split && bits == 32) {
                throw fail("'pool.counter.bits' is 32 but a '.high.column' makes the values 64-bit");
            }
            return new Profile.PoolTable(entry, nameColumn, selectColumn, selectValues, pattern, total, used, free, unit,
                    bits);
        }

        private Optional<Profile.Health> health() {
            Optional<OID> scalar = oid("health.oid", false);
            Optional<OID> table = oid("health.table", true);
            OptionalInt column = column("health.column");
            boolean anyKey = values.keySet().stream().anyMatch(k -> k.startsWith("health."));
            if (!anyKey) {
                return Optional.empty();
            }
            if (scalar.isPresent() && (column.isPresent() || table.isPresent())) {
                throw fail("set either 'health.oid' (a scalar) or 'health.column', not both");
            }
            if (scalar.isEmpty() && column.isEmpty()) {
                throw missing("health.oid' or 'health.column");
            }
            OptionalInt selectColumn = column("health.select.column");
            Set<String> selectValues = list("health.select.values");
            pairedSelection("health", selectColumn, selectValues);
            if (selectColumn.isPresent() && table.isEmpty()) {
                throw fail("'health.select.column' needs 'health.table' (pool rows are selected by 'pool.select.*')");
            }
            Set<Long> ok = longs("health.ok");
            Set<Long> failed = longs("health.failed");
            if (ok.isEmpty()) {
                throw missing("health.ok");
            }
            if (failed.isEmpty()) {
                throw missing("health.failed");
            }
            Set<Long> both = new HashSet<>(ok);
            both.retainAll(failed);
            if (!both.isEmpty()) {
                throw fail("values " + both + " are in both 'health.ok' and 'health.failed'");
            }
            Map<Long, String> names = new LinkedHashMap<>();
            for (String pair : list("health.names")) {
                String[] parts = pair.split("=", 2);
                if (parts.length != 2 || parts[1].isBlank()) {
                    throw fail("'health.names' entry '" + pair + "' is not VALUE=NAME");
                }
                names.put(parseLong("health.names", parts[0].strip()), parts[1].strip());
            }
            return Optional.of(new Profile.Health(scalar, table, column.orElse(0), selectColumn, selectValues, ok,
                    failed, names));
        }

        private Optional<Profile.VolumeTable> volumes() {
            Optional<OID> entry = oid("volume.table", true);
            if (entry.isEmpty()) {
                if (values.keySet().stream().anyMatch(k -> k.startsWith("volume."))) {
                    throw missing("volume.table");
                }
                return Optional.empty();
            }
            int rowStatus = column("volume.rowstatus.column").orElseThrow(() -> missing("volume.rowstatus.column"));
            int nameColumn = column("volume.name.column").orElseThrow(() -> missing("volume.name.column"));
            int sizeColumn = column("volume.size.column").orElseThrow(() -> missing("volume.size.column"));
            Profile.Unit unit = unit("volume.size.unit", false);
            if (GIB % unit.bytes() != 0) {
                throw fail("'volume.size.unit' must divide 1 GiB exactly, got " + unit.bytes() + " bytes");
            }
            OptionalInt poolColumn = column("volume.pool.column");
            long maxLength = integer("volume.name.max.length", 64);
            if (maxLength < 1 || maxLength > 255) {
                throw fail("'volume.name.max.length' must be 1-255, got " + maxLength);
            }
            Set<Integer> columns = new HashSet<>(List.of(rowStatus, nameColumn, sizeColumn));
            if (columns.size() != 3 || (poolColumn.isPresent() && !columns.add(poolColumn.getAsInt()))) {
                throw fail("the 'volume.*.column' keys must name different columns");
            }
            return Optional.of(new Profile.VolumeTable(entry.get(), rowStatus, nameColumn, sizeColumn, unit.bytes(),
                    poolColumn, (int) maxLength));
        }

        private Optional<Profile.NumberColumn> number(String prefix) {
            OptionalInt low = column(prefix + ".column");
            OptionalInt high = column(prefix + ".high.column");
            if (low.isEmpty()) {
                if (high.isPresent()) {
                    throw missing(prefix + ".column");
                }
                return Optional.empty();
            }
            return Optional.of(new Profile.NumberColumn(low.getAsInt(), high));
        }

        private void pairedSelection(String prefix, OptionalInt column, Set<String> selectValues) {
            if (column.isPresent() && selectValues.isEmpty()) {
                throw missing(prefix + ".select.values");
            }
            if (column.isEmpty() && !selectValues.isEmpty()) {
                throw missing(prefix + ".select.column");
            }
        }

        private Profile.Unit unit(String key, boolean columnAllowed) {
            String text = values.get(key);
            if (text == null) {
                throw missing(key);
            }
            String lower = text.toLowerCase(Locale.ROOT);
            switch (lower) {
                case "bytes":
                    return new Profile.Unit(1, OptionalInt.empty());
                case "kib":
                    return new Profile.Unit(1L << 10, OptionalInt.empty());
                case "mib":
                    return new Profile.Unit(1L << 20, OptionalInt.empty());
                case "gib":
                    return new Profile.Unit(1L << 30, OptionalInt.empty());
                case "tib":
                    return new Profile.Unit(1L << 40, OptionalInt.empty());
                default:
                    break;
            }
            if (columnAllowed && lower.startsWith("column:")) {
                return new Profile.Unit(0, OptionalInt.of(columnNumber(key, text.substring("column:".length()))));
            }
            try {
                long bytes = Long.parseLong(text);
                if (bytes > 0) {
                    return new Profile.Unit(bytes, OptionalInt.empty());
                }
            } catch (NumberFormatException e) {
                // reported below with the accepted forms
            }
            throw fail("'" + key + "' is not a unit: '" + text + "' (use bytes, kib, mib, gib, tib, a number of "
                    + "bytes" + (columnAllowed ? ", or column:N for a per-row unit column" : "") + ")");
        }

        private Optional<OID> oid(String key, boolean table) {
            String text = values.get(key);
            if (text == null) {
                return Optional.empty();
            }
            String dotted = text.startsWith(".") ? text.substring(1) : text;
            if (!dotted.matches("[0-9]+(\\.[0-9]+)+")) {
                throw fail("'" + key + "' is not a numeric OID: '" + text + "'");
            }
            OID oid = new OID(dotted);
            if (!oid.isValid() || oid.size() < 3) {
                throw fail("'" + key + "' is not a valid OID: '" + text + "'");
            }
            if (!table && oid.last() != 0) {
                throw fail("'" + key + "' must be a scalar instance ending in .0: '" + text + "'");
            }
            return Optional.of(oid);
        }

        private OptionalInt column(String key) {
            String text = values.get(key);
            return text == null ? OptionalInt.empty() : OptionalInt.of(columnNumber(key, text));
        }

        private int columnNumber(String key, String text) {
            try {
                int column = Integer.parseInt(text.strip());
                if (column >= 1) {
                    return column;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw fail("'" + key + "' must be a column number (1 or more), got '" + text + "'");
        }

        private long integer(String key, long defaultValue) {
            String text = values.get(key);
            return text == null ? defaultValue : parseLong(key, text);
        }

        private long parseLong(String key, String text) {
            try {
                return Long.parseLong(text);
            } catch (NumberFormatException e) {
                throw fail("'" + key + "' must be a whole number, got '" + text + "'");
            }
        }

        private Set<String> list(String key) {
            Set<String> result = new LinkedHashSet<>();
            String text = values.get(key);
            if (text != null) {
                for (String item : text.split(",")) {
                    if (!item.isBlank()) {
                        result.add(item.strip());
                    }
                }
            }
            return result;
        }

        private Set<Long> longs(String key) {
            Set<Long> result = new LinkedHashSet<>();
            for (String item : list(key)) {
                result.add(parseLong(key, item));
            }
            return result;
        }

        private Pattern pattern(String key) {
            String text = values.getOrDefault(key, ".*");
            try {
                return Pattern.compile(text);
            } catch (PatternSyntaxException e) {
                throw fail("'" + key + "' is not a regular expression: '" + text + "'");
            }
        }

        private InvalidConfigException missing(String key) {
            return fail("'" + key + "' is missing");
        }

        private InvalidConfigException fail(String what) {
            return new InvalidConfigException(option, "Profile '" + name + "': " + what);
        }
    }
}
