package io.cinderblock.driver.snmp;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.spi.Capacity;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.regex.Pattern;
import org.snmp4j.smi.Counter32;
import org.snmp4j.smi.Counter64;
import org.snmp4j.smi.Gauge32;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.TimeTicks;
import org.snmp4j.smi.UnsignedInteger32;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

/**
 * Reads what a {@link Profile} declares from an agent: the pools with their capacities, and the
 * health. Checks every value it uses: type, sign, range, and that the table has every column the
 * profile needs in every pool row. A 32-bit capacity that wrapped is reported as unknown; anything
 * else that cannot be trusted is a {@link MalformedReplyException}.
 */
final class ArrayReader {
    /** No pool is larger than 1 EiB; a bigger number is a broken agent, not a big array. */
    static final BigInteger ABSURD_BYTES = BigInteger.ONE.shiftLeft(60);
    private static final BigInteger INT32_MAX = BigInteger.valueOf(Integer.MAX_VALUE);
    private static final BigInteger UINT32_MAX = BigInteger.valueOf(0xFFFF_FFFFL);

    private final SnmpSession session;
    private final Profile profile;
    private final SnmpSettings settings;

    ArrayReader(SnmpSession session, Profile profile, SnmpSettings settings) {
        this.session = requireNonNull(session, "session is null");
        this.profile = requireNonNull(profile, "profile is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    /**
     * One pool as read.
     *
     * @param name the pool name
     * @param index the pool's row index in the pool table
     * @param total total capacity, unknown when a 32-bit counter wrapped
     * @param free free capacity, likewise
     * @param unknownReason why the capacities are unknown
     */
    record PoolReading(String name, OID index, Capacity total, Capacity free, Optional<String> unknownReason) {}

    /**
     * Everything a state probe or a stats collection needs.
     *
     * @param pools the pools found, in configured order
     * @param missingPools configured pools the agent does not have (or a note that no row matched)
     * @param healthProblems why the health is not OK; empty when it is
     */
    record Reading(List<PoolReading> pools, List<String> missingPools, List<String> healthProblems) {
        Reading {
            pools = List.copyOf(pools);
            missingPools = List.copyOf(missingPools);
            healthProblems = List.copyOf(healthProblems);
        }
    }

    /**
     * Reads pools and health.
     *
     * @throws SnmpUnreachableException the agent timed out or refused our credentials
     * @throws MalformedReplyException the agent answered what the profile does not allow
     */
    Reading read() {
        Profile.PoolTable table = profile.pools();
        Optional<Profile.Health> health = profile.health();
        // sysUpTime first: the cheapest proof that the agent answers and accepts our credentials.
        List<OID> scalars = new ArrayList<>(List.of(SnmpSession.SYS_UP_TIME));
        health.flatMap(Profile.Health::scalar).ifPresent(scalars::add);
        List<VariableBinding> scalarValues = session.get(scalars, "reading sysUpTime and the health scalar");
        requireValue(scalarValues.get(0), "sysUpTime");

        Set<Integer> columns = new LinkedHashSet<>();
        columns.add(table.nameColumn());
        table.selectColumn().ifPresent(columns::add);
        addNumber(columns, table.total());
        table.used().ifPresent(c -> addNumber(columns, c));
        table.free().ifPresent(c -> addNumber(columns, c));
        table.unit().column().ifPresent(columns::add);
        boolean healthOnPools = health.isPresent() && health.get().scalar().isEmpty() && health.get().table().isEmpty();
        if (healthOnPools) {
            columns.add(health.get().column());
        }
        SortedMap<OID, Map<Integer, Variable>> rows = session.walk(table.entry(), List.copyOf(columns),
                "pool table " + table.entry());

        Pattern pattern = settings.poolPattern().orElse(table.namePattern());
        Map<String, Map.Entry<OID, Map<Integer, Variable>>> candidates = new LinkedHashMap<>();
        for (Map.Entry<OID, Map<Integer, Variable>> row : rows.entrySet()) {
            Map<Integer, Variable> cells = row.getValue();
            if (table.selectColumn().isPresent()
                    && !selected(cells, table.selectColumn().getAsInt(), table.selectValues())) {
                continue;
            }
            String name = text(cell(table.entry(), row.getKey(), cells, table.nameColumn()),
                    column(table.entry(), table.nameColumn(), row.getKey()));
            if (name.isEmpty() || name.contains("#") || name.contains("@") || !pattern.matcher(name).matches()) {
                continue; // not a name Cinder can use as pool_name, or not wanted
            }
            candidates.putIfAbsent(name, row);
        }

        List<String> missing = new ArrayList<>();
        List<Map.Entry<String, Map.Entry<OID, Map<Integer, Variable>>>> chosen = new ArrayList<>();
        if (settings.pools().isEmpty()) {
            candidates.entrySet().forEach(chosen::add);
            if (chosen.isEmpty()) {
                missing.add("no pool in " + table.entry() + " matches '" + pattern.pattern() + "'");
            }
        } else {
            for (String name : settings.pools()) {
                Map.Entry<OID, Map<Integer, Variable>> row = candidates.get(name);
                if (row == null) {
                    missing.add(name);
                } else {
                    chosen.add(Map.entry(name, row));
                }
            }
        }

        List<PoolReading> pools = new ArrayList<>();
        List<String> healthProblems = new ArrayList<>();
        for (Map.Entry<String, Map.Entry<OID, Map<Integer, Variable>>> pool : chosen) {
            OID index = pool.getValue().getKey();
            Map<Integer, Variable> cells = pool.getValue().getValue();
            pools.add(capacities(pool.getKey(), index, cells));
            if (healthOnPools) {
                Profile.Health h = health.get();
                long value = integer(cell(table.entry(), index, cells, h.column()),
                        column(table.entry(), h.column(), index));
                judge(h, value, "pool '" + pool.getKey() + "' health " + column(table.entry(), h.column(), index))
                        .ifPresent(healthProblems::add);
            }
        }
        if (health.isPresent() && health.get().scalar().isPresent()) {
            Profile.Health h = health.get();
            VariableBinding binding = scalarValues.get(1);
            requireValue(binding, "health");
            judge(h, integer(binding.getVariable(), binding.getOid().toDottedString()),
                    "health " + binding.getOid()).ifPresent(healthProblems::add);
        } else if (health.isPresent() && health.get().table().isPresent()) {
            healthProblems.addAll(tableHealth(health.get()));
        }
        return new Reading(pools, missing, healthProblems);
    }

    private List<String> tableHealth(Profile.Health health) {
        OID entry = health.table().orElseThrow();
        List<Integer> columns = new ArrayList<>(List.of(health.column()));
        health.selectColumn().ifPresent(c -> {
            if (c != health.column()) {
                columns.add(c);
            }
        });
        List<String> problems = new ArrayList<>();
        for (Map.Entry<OID, Map<Integer, Variable>> row : session.walk(entry, columns, "health table " + entry)
                .entrySet()) {
            Map<Integer, Variable> cells = row.getValue();
            if (health.selectColumn().isPresent()
                    && !selected(cells, health.selectColumn().getAsInt(), health.selectValues())) {
                continue;
            }
            String where = column(entry, health.column(), row.getKey());
            judge(health, integer(cell(entry, row.getKey(), cells, health.column()), where), "health " + where)
                    .ifPresent(problems::add);
        }
        return problems;
    }

    /** Empty when {@code value} is OK; a problem when it means failed; malformed when it is neither. */
    private Optional<String> judge(Profile.Health health, long value, String where) {
        if (health.ok().contains(value)) {
            return Optional.empty();
        }
        if (health.failed().contains(value)) {
            return Optional.of(where + " reports " + health.describe(value));
        }
        throw new MalformedReplyException("Agent " + settings.endpoint() + " answered " + value + " for " + where
                + ", which profile '" + profile.name() + "' lists neither as OK " + health.ok() + " nor as failed "
                + health.failed());
    }

    private PoolReading capacities(String name, OID index, Map<Integer, Variable> cells) {
        Profile.PoolTable table = profile.pools();
        BigInteger unit;
        if (table.unit().column().isPresent()) {
            int unitColumn = table.unit().column().getAsInt();
            String where = column(table.entry(), unitColumn, index);
            unit = BigInteger.valueOf(integer(cell(table.entry(), index, cells, unitColumn), where));
            if (unit.signum() <= 0) {
                throw new MalformedReplyException("Agent " + settings.endpoint() + " answered allocation unit " + unit
                        + " bytes for " + where + " (pool '" + name + "'); it must be positive");
            }
        } else {
            unit = BigInteger.valueOf(table.unit().bytes());
        }
        Number total = number(name, index, cells, table.total(), "total");
        Number used = table.used().isPresent() ? number(name, index, cells, table.used().get(), "used") : null;
        Number free = table.free().isPresent() ? number(name, index, cells, table.free().get(), "free") : null;
        for (Number n : new Number[] {total, used, free}) {
            if (n != null && n.unknownReason != null) {
                return unknown(name, index, n.unknownReason);
            }
        }
        BigInteger totalBytes = bytes(name, total, unit, "total");
        BigInteger freeBytes;
        if (used != null) {
            BigInteger usedBytes = bytes(name, used, unit, "used");
            if (usedBytes.compareTo(totalBytes) > 0) {
                return inconsistent(name, index, "used " + usedBytes + " bytes exceeds total " + totalBytes + " bytes");
            }
            freeBytes = totalBytes.subtract(usedBytes);
        } else {
            freeBytes = bytes(name, free, unit, "free");
            if (freeBytes.compareTo(totalBytes) > 0) {
                return inconsistent(name, index, "free " + freeBytes + " bytes exceeds total " + totalBytes + " bytes");
            }
        }
        return new PoolReading(name, index, Capacity.ofBytes(totalBytes.longValueExact()),
                Capacity.ofBytes(freeBytes.longValueExact()), Optional.empty());
    }

    private PoolReading inconsistent(String name, OID index, String what) {
        if (profile.pools().counterBits() == 32) {
            return unknown(name, index, what + " (a 32-bit counter wrapped)");
        }
        throw new MalformedReplyException("Agent " + settings.endpoint() + " reports inconsistent capacities for pool '"
                + name + "': " + what);
    }

    private static PoolReading unknown(String name, OID index, String reason) {
        return new PoolReading(name, index, Capacity.UNKNOWN, Capacity.UNKNOWN, Optional.of(reason));
    }

    private BigInteger bytes(String pool, Number number, BigInteger unit, String what) {
        BigInteger bytes = number.value.multiply(unit);
        if (bytes.compareTo(ABSURD_BYTES) > 0) {
            throw new MalformedReplyException("Agent " + settings.endpoint() + " reports an absurd " + what
                    + " capacity for pool '" + pool + "': " + number.value + " units of " + unit + " bytes (over 1 EiB)");
        }
        return bytes;
    }

    /** A number read from the agent, or why it cannot be trusted (a wrapped 32-bit counter). */
    private static final class Number {
        final BigInteger value;
        final String unknownReason;

        Number(BigInteger value, String unknownReason) {
            this.value = value;
            this.unknownReason = unknownReason;
        }
    }

    private Number number(String pool, OID index, Map<Integer, Variable> cells, Profile.NumberColumn column,
            String what) {
        OID entry = profile.pools().entry();
        String where = column(entry, column.column(), index);
        Variable low = cell(entry, index, cells, column.column());
        BigInteger value = unsignedOrSigned(low, where);
        if (column.highColumn().isPresent()) {
            String highWhere = column(entry, column.highColumn().getAsInt(), index);
            BigInteger high = unsignedOrSigned(cell(entry, index, cells, column.highColumn().getAsInt()), highWhere);
            if (value.signum() < 0 || value.compareTo(UINT32_MAX) > 0 || high.signum() < 0
                    || high.compareTo(UINT32_MAX) > 0) {
                throw new MalformedReplyException("Agent " + settings.endpoint() + " answered " + high + "/" + value
                        + " for the high/low halves of pool '" + pool + "' " + what + " (" + highWhere + ", " + where
                        + "); each must be 0-4294967295");
            }
            return new Number(high.shiftLeft(32).or(value), null);
        }
        if (profile.pools().counterBits() == 32) {
            if (value.signum() < 0) {
                return new Number(value, "pool '" + pool + "' " + what + " at " + where + " is negative (" + value
                        + "): a 32-bit counter wrapped");
            }
            BigInteger max = low instanceof Integer32 ? INT32_MAX : UINT32_MAX;
            if (value.equals(max)) {
                return new Number(value, "pool '" + pool + "' " + what + " at " + where + " is at the 32-bit maximum ("
                        + value + "): the counter saturated or wrapped");
            }
            return new Number(value, null);
        }
        if (value.signum() < 0) {
            throw new MalformedReplyException("Agent " + settings.endpoint() + " answered a negative " + what
                    + " capacity " + value + " for pool '" + pool + "' at " + where);
        }
        return new Number(value, null);
    }

    private BigInteger unsignedOrSigned(Variable value, String where) {
        if (value instanceof TimeTicks) {
            throw wrongType(value, where, "a number");
        }
        if (value instanceof Counter64) {
            return new BigInteger(Long.toUnsignedString(value.toLong()));
        }
        if (value instanceof Integer32 || value instanceof UnsignedInteger32 || value instanceof Counter32
                || value instanceof Gauge32) {
            return BigInteger.valueOf(value.toLong());
        }
        throw wrongType(value, where, "a number");
    }

    private long integer(Variable value, String where) {
        boolean integral = value instanceof Integer32 || value instanceof UnsignedInteger32;
        if (integral && !(value instanceof TimeTicks)) {
            return value.toLong();
        }
        throw wrongType(value, where, "an integer");
    }

    private String text(Variable value, String where) {
        if (value instanceof OctetString) {
            return ((OctetString) value).toString();
        }
        throw wrongType(value, where, "an OCTET STRING");
    }

    private MalformedReplyException wrongType(Variable value, String where, String expected) {
        return new MalformedReplyException("Agent " + settings.endpoint() + " answered " + value.getSyntaxString()
                + " '" + value + "' for " + where + ", where profile '" + profile.name() + "' expects " + expected);
    }

    private void requireValue(VariableBinding binding, String what) {
        if (binding.getVariable().isException()) {
            throw new MalformedReplyException("Agent " + settings.endpoint() + " answered "
                    + binding.getVariable().getSyntaxString() + " for " + what + " " + binding.getOid()
                    + " (profile '" + profile.name() + "')");
        }
    }

    private Variable cell(OID entry, OID index, Map<Integer, Variable> cells, int column) {
        Variable value = cells.get(column);
        if (value == null) {
            throw new MalformedReplyException("Agent " + settings.endpoint() + " has no " + column(entry, column, index)
                    + " (truncated table: row " + index + " lacks column " + column + " that profile '" + profile.name()
                    + "' needs)");
        }
        return value;
    }

    private static boolean selected(Map<Integer, Variable> cells, int column, Set<String> values) {
        Variable value = cells.get(column);
        return value != null && values.contains(value.toString());
    }

    private static void addNumber(Set<Integer> columns, Profile.NumberColumn column) {
        columns.add(column.column());
        column.highColumn().ifPresent(columns::add);
    }

    private static String column(OID entry, int column, OID index) {
        return new OID(entry).append(column).append(index).toDottedString();
    }
}
