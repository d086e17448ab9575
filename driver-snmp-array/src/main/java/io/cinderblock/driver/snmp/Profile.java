package io.cinderblock.driver.snmp;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;
import org.snmp4j.smi.OID;

/**
 * What to read from an agent, and how: which table holds the pools and which of its columns hold
 * the name and capacities (with their unit), where the health is and which of its values mean OK,
 * and optionally a volume table with a RowStatus column for provisioning. Parsed from a profile
 * file by {@link Profiles}; immutable.
 *
 * @param name the profile's name, for messages
 * @param description one line for operators
 * @param pools the pool table
 * @param health where the health comes from; empty when the profile has none (agent answering = healthy)
 * @param volumes the writable volume table; empty when the agent cannot provision
 */
record Profile(String name, String description, PoolTable pools, Optional<Health> health,
        Optional<VolumeTable> volumes, Notifications notifications) {

    Profile {
        requireNonNull(name, "name is null");
        requireNonNull(description, "description is null");
        requireNonNull(pools, "pools is null");
        requireNonNull(health, "health is null");
        requireNonNull(volumes, "volumes is null");
        requireNonNull(notifications, "notifications is null");
    }

    /**
     * What the agent's notifications (traps and informs) mean, by {@code snmpTrapOID.0}. A
     * notification in neither set is ignored.
     *
     * @param down notifications that announce a failure: the backend is DOWN at once
     * @param check notifications that announce a change of unknown direction (a restart, a link
     *     or trigger event): the driver re-reads the agent at once and reports what it finds
     */
    record Notifications(Set<OID> down, Set<OID> check) {
        Notifications {
            down = Set.copyOf(down);
            check = Set.copyOf(check);
        }

        /** Whether the profile declares any notification. */
        boolean any() {
            return !down.isEmpty() || !check.isEmpty();
        }
    }

    /**
     * A number read from one column, or from two columns that hold the high and low 32 bits of a
     * 64-bit value (UCD-SNMP-MIB's {@code dskTotalHigh}/{@code dskTotalLow}).
     *
     * @param column the column (the low half when {@code highColumn} is present)
     * @param highColumn the column with the high 32 bits
     */
    record NumberColumn(int column, OptionalInt highColumn) {
        NumberColumn {
            requireNonNull(highColumn, "highColumn is null");
        }
    }

    /**
     * The size of one unit of a capacity column: a fixed number of bytes, or per row, read from
     * another column (HOST-RESOURCES-MIB's {@code hrStorageAllocationUnits}).
     *
     * @param bytes the fixed size in bytes; ignored when {@code column} is present
     * @param column the column that holds the unit size, in bytes
     */
    record Unit(long bytes, OptionalInt column) {
        Unit {
            requireNonNull(column, "column is null");
        }
    }

    /**
     * The table whose rows are pools.
     *
     * @param entry the table's entry OID; a column is {@code entry.N}
     * @param nameColumn the column with the pool name (an OCTET STRING)
     * @param selectColumn a column that must hold one of {@code selectValues} for a row to be a pool
     * @param selectValues the values that {@code selectColumn} may hold, as snmp4j prints them
     * @param namePattern the default pattern a pool name must match (whole name)
     * @param total the total capacity
     * @param used the used capacity; one of used and free is present
     * @param free the free capacity
     * @param unit the unit of the capacity columns
     * @param counterBits 32 when the capacity columns are 32-bit values that may wrap, else 64
     */
    record PoolTable(OID entry, int nameColumn, OptionalInt selectColumn, Set<String> selectValues,
            Pattern namePattern, NumberColumn total, Optional<NumberColumn> used, Optional<NumberColumn> free, Unit unit,
            int counterBits) {
        PoolTable {
            requireNonNull(entry, "entry is null");
            requireNonNull(selectColumn, "selectColumn is null");
            selectValues = Set.copyOf(selectValues);
            requireNonNull(namePattern, "namePattern is null");
            requireNonNull(total, "total is null");
            requireNonNull(used, "used is null");
            requireNonNull(free, "free is null");
            requireNonNull(unit, "unit is null");
        }
    }

    /**
     * Where the health is read and which values are good. Either a scalar ({@code scalar} present)
     * or a column: of the pool rows when {@code table} is empty, else of the rows of {@code table}
     * that pass the selection.
     *
     * @param scalar a scalar OID (with its {@code .0})
     * @param table a table entry OID other than the pool table's
     * @param column the column with the health value
     * @param selectColumn a column that must hold one of {@code selectValues} for a row to count
     * @param selectValues the values {@code selectColumn} may hold
     * @param ok the values that mean healthy
     * @param failed the values that mean failed; any other value is a malformed reply
     * @param names what the values mean, for reasons ({@code 5 -> down})
     */
    record Health(Optional<OID> scalar, Optional<OID> table, int column, OptionalInt selectColumn,
            Set<String> selectValues, Set<Long> ok, Set<Long> failed, Map<Long, String> names) {
        Health {
            requireNonNull(scalar, "scalar is null");
            requireNonNull(table, "table is null");
            requireNonNull(selectColumn, "selectColumn is null");
            selectValues = Set.copyOf(selectValues);
            ok = Set.copyOf(ok);
            failed = Set.copyOf(failed);
            names = Map.copyOf(names);
        }

        /** {@code 5 (down)}, or {@code 5} when the profile gives no name. */
        String describe(long value) {
            String name = names.get(value);
            return name == null ? Long.toString(value) : value + " (" + name + ")";
        }
    }

    /**
     * A volume table with a RowStatus column, indexed by one integer. Rows are created with
     * createAndGo(4) and removed with destroy(6) (RFC 2579).
     *
     * @param entry the table's entry OID
     * @param rowStatusColumn the RowStatus column
     * @param nameColumn the column with the volume name (an OCTET STRING)
     * @param sizeColumn the column with the size, an unsigned 32-bit number of {@code sizeUnitBytes}
     * @param sizeUnitBytes the size of one unit of {@code sizeColumn}, in bytes; divides 1 GiB
     * @param poolColumn the column that holds the index of the volume's row in the pool table
     * @param nameMaxLength the longest name the agent accepts
     */
    record VolumeTable(OID entry, int rowStatusColumn, int nameColumn, int sizeColumn, long sizeUnitBytes,
            OptionalInt poolColumn, int nameMaxLength) {
        VolumeTable {
            requireNonNull(entry, "entry is null");
            requireNonNull(poolColumn, "poolColumn is null");
        }

        /** The columns read when listing volumes. */
        List<Integer> readColumns() {
            return poolColumn.isPresent()
                    ? List.of(rowStatusColumn, nameColumn, sizeColumn, poolColumn.getAsInt())
                    : List.of(rowStatusColumn, nameColumn, sizeColumn);
        }
    }
}
