package io.cinderblock.driver.snmp;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snmp4j.PDU;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UnsignedInteger32;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;

/**
 * Creates, deletes and extends volumes through a profile's RowStatus volume table (RFC 2579):
 * a create is one SET of createAndGo(4) with the name, size and pool columns, a delete one SET of
 * destroy(6), an extend one SET of the size column. Callers serialize operations.
 */
final class VolumeProvisioner {
    /** RowStatus values (RFC 2579). */
    static final int ACTIVE = 1;
    static final int CREATE_AND_GO = 4;
    static final int DESTROY = 6;

    private static final long GIB = 1L << 30;
    private static final long UINT32_MAX = 0xFFFF_FFFFL;
    /** Names the agent stores as an OCTET STRING; we keep them to printable ASCII without spaces. */
    private static final Pattern NAME = Pattern.compile("[\\x21-\\x7e]+");
    private static final Pattern LOCATION = Pattern.compile("snmp-array:row=([0-9]+)");

    private final SnmpSession session;
    private final ArrayReader reader;
    private final Profile.VolumeTable table;
    private final SnmpSettings settings;

    VolumeProvisioner(SnmpSession session, ArrayReader reader, Profile.VolumeTable table, SnmpSettings settings) {
        this.session = requireNonNull(session, "session is null");
        this.reader = requireNonNull(reader, "reader is null");
        this.table = requireNonNull(table, "table is null");
        this.settings = requireNonNull(settings, "settings is null");
    }

    /** One row of the volume table. */
    record Row(long index, int rowStatus, String name, long sizeUnits, Optional<Long> poolIndex) {}

    Volume create(VolumeSpec spec) {
        checkName(spec.name());
        long units = units(spec.sizeGib());
        ArrayReader.Reading reading = reader.read();
        ArrayReader.PoolReading pool = choosePool(reading, spec.pool());
        if (pool.free().isKnown() && pool.free().gib() < spec.sizeGib()) {
            throw new CinderblockException(ErrorCode.INSUFFICIENT_CAPACITY, "Pool '" + pool.name() + "' has "
                    + pool.free() + " free, volume '" + spec.name() + "' needs " + spec.sizeGib() + " GiB");
        }
        List<Row> rows = rows();
        for (Row row : rows) {
            if (row.name().equals(spec.name())) {
                throw new CinderblockException(ErrorCode.OPERATION_FAILED, "A volume named '" + spec.name()
                        + "' already exists in row " + row.index() + " of " + table.entry());
            }
        }
        long index = rows.stream().mapToLong(Row::index).max().orElse(0) + 1;
        if (index > Integer.MAX_VALUE) {
            throw new CinderblockException(ErrorCode.OPERATION_FAILED, "The volume table " + table.entry()
                    + " has no free row index");
        }
        List<VariableBinding> set = new ArrayList<>();
        set.add(new VariableBinding(column(table.rowStatusColumn(), index), new Integer32(CREATE_AND_GO)));
        set.add(new VariableBinding(column(table.nameColumn(), index), new OctetString(spec.name())));
        set.add(new VariableBinding(column(table.sizeColumn(), index), new UnsignedInteger32(units)));
        if (table.poolColumn().isPresent()) {
            set.add(new VariableBinding(column(table.poolColumn().getAsInt(), index),
                    new UnsignedInteger32(poolRowIndex(pool))));
        }
        PDU response;
        try {
            response = session.set(set, "creating volume '" + spec.name() + "'");
        } catch (SnmpUnreachableException e) {
            // The answer may be lost after the agent created the row: look before reporting failure.
            if (e.fault() == SnmpUnreachableException.Fault.TIMEOUT && find(spec.name(), Optional.empty()).isPresent()) {
                return spec.toVolume(pool.name(), Optional.of(location(index)));
            }
            throw e;
        }
        refuseOnError(response, "create volume '" + spec.name() + "' (createAndGo in row " + index + ")");
        return spec.toVolume(pool.name(), Optional.of(location(index)));
    }

    void delete(Volume volume) {
        Optional<Row> row = find(volume.name(), volume.providerLocation());
        if (row.isEmpty()) {
            return; // already gone: deletes are idempotent
        }
        PDU response = session.set(List.of(new VariableBinding(column(table.rowStatusColumn(), row.get().index()),
                new Integer32(DESTROY))), "deleting volume '" + volume.name() + "'");
        refuseOnError(response, "delete volume '" + volume.name() + "' (destroy row " + row.get().index() + ")");
    }

    Volume extend(Volume volume, long newSizeGib) {
        if (newSizeGib <= volume.sizeGib()) {
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Volume '" + volume.name()
                    + "' can only grow: it has " + volume.sizeGib() + " GiB, asked for " + newSizeGib + " GiB");
        }
        long units = units(newSizeGib);
        Row row = find(volume.name(), volume.providerLocation()).orElseThrow(() -> new CinderblockException(
                ErrorCode.NOT_FOUND, "Volume '" + volume.name() + "' is not in the volume table " + table.entry()
                        + " of agent " + settings.endpoint()));
        ArrayReader.Reading reading = reader.read();
        reading.pools().stream().filter(p -> p.name().equals(volume.poolName())).findFirst().ifPresent(pool -> {
            long growth = newSizeGib - volume.sizeGib();
            if (pool.free().isKnown() && pool.free().gib() < growth) {
                throw new CinderblockException(ErrorCode.INSUFFICIENT_CAPACITY, "Pool '" + pool.name() + "' has "
                        + pool.free() + " free; extending volume '" + volume.name() + "' needs " + growth + " GiB more");
            }
        });
        PDU response = session.set(List.of(new VariableBinding(column(table.sizeColumn(), row.index()),
                new UnsignedInteger32(units))), "extending volume '" + volume.name() + "'");
        refuseOnError(response, "extend volume '" + volume.name() + "' to " + newSizeGib + " GiB");
        return volume.withSizeGib(newSizeGib);
    }

    /** Every row of the volume table. */
    List<Row> rows() {
        SortedMap<OID, Map<Integer, Variable>> cells = session.walk(table.entry(), table.readColumns(),
                "volume table " + table.entry());
        List<Row> rows = new ArrayList<>();
        for (Map.Entry<OID, Map<Integer, Variable>> entry : cells.entrySet()) {
            OID index = entry.getKey();
            if (index.size() != 1) {
                throw new MalformedReplyException("Volume table " + table.entry() + " of agent " + settings.endpoint()
                        + " has row index " + index + "; profile volume tables take one integer index");
            }
            Map<Integer, Variable> row = entry.getValue();
            Variable status = required(row, table.rowStatusColumn(), index);
            Variable name = required(row, table.nameColumn(), index);
            Variable size = required(row, table.sizeColumn(), index);
            if (!(status instanceof Integer32) || !(name instanceof OctetString) || !(size instanceof UnsignedInteger32
                    || size instanceof Integer32)) {
                throw new MalformedReplyException("Volume table " + table.entry() + " row " + index + " of agent "
                        + settings.endpoint() + " has values of the wrong type: " + status.getSyntaxString() + ", "
                        + name.getSyntaxString() + ", " + size.getSyntaxString());
            }
            Optional<Long> pool = table.poolColumn().isPresent()
                    ? Optional.ofNullable(row.get(table.poolColumn().getAsInt())).map(Variable::toLong)
                    : Optional.empty();
            rows.add(new Row(index.get(0) & UINT32_MAX, status.toInt(), name.toString(), size.toLong(), pool));
        }
        return rows;
    }

    /** The row holding {@code name}: by the row index we recorded if it still holds that name, else by search. */
    private Optional<Row> find(String name, Optional<String> providerLocation) {
        List<Row> rows = rows();
        Optional<Long> recorded = providerLocation.map(LOCATION::matcher).filter(Matcher::matches)
                .map(m -> Long.parseLong(m.group(1)));
        if (recorded.isPresent()) {
            Optional<Row> at = rows.stream().filter(r -> r.index() == recorded.get() && r.name().equals(name))
                    .findFirst();
            if (at.isPresent()) {
                return at;
            }
        }
        return rows.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    private Variable required(Map<Integer, Variable> row, int column, OID index) {
        Variable value = row.get(column);
        if (value == null) {
            throw new MalformedReplyException("Volume table " + table.entry() + " of agent " + settings.endpoint()
                    + " lacks column " + column + " in row " + index + " (truncated table)");
        }
        return value;
    }

    private ArrayReader.PoolReading choosePool(ArrayReader.Reading reading, Optional<String> wanted) {
        if (wanted.isPresent()) {
            return reading.pools().stream().filter(p -> p.name().equals(wanted.get())).findFirst()
                    .orElseThrow(() -> new CinderblockException(ErrorCode.INVALID_ARGUMENT, "No pool '" + wanted.get()
                            + "' on agent " + settings.endpoint() + "; pools: " + names(reading)));
        }
        // No pool asked for: the one with the most free space, as Cinder's capacity weigher would pick.
        return reading.pools().stream()
                .max((a, b) -> Double.compare(a.free().isKnown() ? a.free().gib() : -1, b.free().isKnown()
                        ? b.free().gib() : -1))
                .orElseThrow(() -> new CinderblockException(ErrorCode.OPERATION_FAILED, "Agent "
                        + settings.endpoint() + " reports no pool to create a volume in"));
    }

    private long poolRowIndex(ArrayReader.PoolReading pool) {
        if (pool.index().size() != 1) {
            throw new MalformedReplyException("Pool '" + pool.name() + "' has row index " + pool.index()
                    + "; the volume table's pool column takes one integer index");
        }
        return pool.index().get(0) & UINT32_MAX;
    }

    private static List<String> names(ArrayReader.Reading reading) {
        return reading.pools().stream().map(ArrayReader.PoolReading::name).toList();
    }

    private void checkName(String name) {
        if (name.length() > table.nameMaxLength() || !NAME.matcher(name).matches()) {
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Volume name '" + name + "' is not accepted "
                    + "by the volume table: it must be 1-" + table.nameMaxLength()
                    + " printable ASCII characters without spaces");
        }
    }

    private long units(long sizeGib) {
        long perGib = GIB / table.sizeUnitBytes();
        if (sizeGib > UINT32_MAX / perGib) {
            throw new CinderblockException(ErrorCode.INVALID_ARGUMENT, "Size " + sizeGib + " GiB does not fit the "
                    + "volume table's 32-bit size column (" + table.sizeUnitBytes() + "-byte units)");
        }
        return sizeGib * perGib;
    }

    private void refuseOnError(PDU response, String what) {
        if (response.getErrorStatus() != PDU.noError) {
            throw new CinderblockException(ErrorCode.OPERATION_FAILED, "Agent " + settings.endpoint() + " refused to "
                    + what + ": " + response.getErrorStatusText() + " (error status " + response.getErrorStatus()
                    + ", index " + response.getErrorIndex() + ")");
        }
    }

    private OID column(int column, long index) {
        return new OID(table.entry()).append(column).append((int) index);
    }

    private static String location(long index) {
        return "snmp-array:row=" + index;
    }
}
