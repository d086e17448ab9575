package io.cinderblock.driver.lvm;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * Reads the JSON reports of {@code vgs} and {@code lvs} ({@code --reportformat json --units b
 * --nosuffix}). lvm2 2.03.16 sends every value as a string ({@code "vg_size":"2139095040"});
 * newer versions with {@code json_std} send numbers; both are accepted.
 */
final class LvmReports {
    /** The {@code vgs -o} fields {@link #volumeGroups} reads. */
    static final String VG_FIELDS = "vg_name,vg_attr,vg_size,vg_free,lv_count,pv_count,vg_missing_pv_count";
    /** The {@code lvs -o} fields {@link #logicalVolumes} reads. */
    static final String LV_FIELDS = "lv_name,lv_attr,lv_size,pool_lv,data_percent";

    private LvmReports() {}

    /**
     * One volume group.
     *
     * @param name the VG name
     * @param attr {@code vg_attr}, e.g. {@code wz--n-}; the fourth character is {@code p} when a PV is missing
     * @param sizeBytes total size
     * @param freeBytes unallocated space
     * @param lvCount number of LVs
     * @param pvCount number of PVs
     * @param missingPvCount PVs LVM cannot find
     */
    record VolumeGroup(String name, String attr, long sizeBytes, long freeBytes, long lvCount, long pvCount,
            long missingPvCount) {
        VolumeGroup {
            requireNonNull(name, "name is null");
            requireNonNull(attr, "attr is null");
        }

        /** Whether a physical volume is missing: LVM still answers, with exit status 0. */
        boolean partial() {
            return (attr.length() > 3 && attr.charAt(3) == 'p') || missingPvCount > 0;
        }
    }

    /**
     * One logical volume.
     *
     * @param name the LV name
     * @param attr {@code lv_attr}; the first character is {@code t} for a thin pool, {@code V} for a thin volume
     * @param sizeBytes the LV's (virtual) size
     * @param poolLv the thin pool a thin volume lives in; empty otherwise
     * @param dataPercent a thin pool's used data percentage, when LVM reports it
     */
    record LogicalVolume(String name, String attr, long sizeBytes, String poolLv, OptionalDouble dataPercent) {
        LogicalVolume {
            requireNonNull(name, "name is null");
            requireNonNull(attr, "attr is null");
            requireNonNull(poolLv, "poolLv is null");
            requireNonNull(dataPercent, "dataPercent is null");
        }

        boolean isThinPool() {
            return attr.startsWith("t");
        }
    }

    /** Parses {@code vgs} output. */
    static List<VolumeGroup> volumeGroups(String json) {
        List<VolumeGroup> result = new ArrayList<>();
        for (Map<?, ?> row : rows(json, "vg")) {
            result.add(new VolumeGroup(text(row, "vg_name"), text(row, "vg_attr"), number(row, "vg_size"),
                    number(row, "vg_free"), number(row, "lv_count"), number(row, "pv_count"),
                    number(row, "vg_missing_pv_count")));
        }
        return result;
    }

    /** Parses {@code lvs} output. */
    static List<LogicalVolume> logicalVolumes(String json) {
        List<LogicalVolume> result = new ArrayList<>();
        for (Map<?, ?> row : rows(json, "lv")) {
            String percent = text(row, "data_percent");
            OptionalDouble dataPercent = percent.isEmpty() ? OptionalDouble.empty()
                    : OptionalDouble.of(parseDouble(percent, "data_percent"));
            result.add(new LogicalVolume(text(row, "lv_name"), text(row, "lv_attr"), number(row, "lv_size"),
                    text(row, "pool_lv"), dataPercent));
        }
        return result;
    }

    private static List<Map<?, ?>> rows(String json, String kind) {
        Object root;
        try {
            root = Json.parse(json);
        } catch (IllegalArgumentException e) {
            throw malformed(e.getMessage());
        }
        if (!(root instanceof Map) || !(((Map<?, ?>) root).get("report") instanceof List)) {
            throw malformed("no 'report' list");
        }
        List<Map<?, ?>> rows = new ArrayList<>();
        for (Object section : (List<?>) ((Map<?, ?>) root).get("report")) {
            if (!(section instanceof Map)) {
                throw malformed("a report section is not an object");
            }
            Object list = ((Map<?, ?>) section).get(kind);
            if (list == null) {
                continue;
            }
            if (!(list instanceof List)) {
                throw malformed("'" + kind + "' is not a list");
            }
            for (Object row : (List<?>) list) {
                if (!(row instanceof Map)) {
                    throw malformed("a '" + kind + "' row is not an object");
                }
                rows.add((Map<?, ?>) row);
            }
        }
        return rows;
    }

    private static String text(Map<?, ?> row, String field) {
        Object value = row.get(field);
        if (value == null) {
            throw malformed("field '" + field + "' is missing");
        }
        if (value instanceof Double) {
            double d = (Double) value;
            return d == Math.rint(d) ? String.valueOf((long) d) : String.valueOf(d);
        }
        return value.toString().strip();
    }

    private static long number(Map<?, ?> row, String field) {
        String text = text(row, field);
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            // Sizes are whole bytes with --units b; anything else means the output is not what we asked for.
            throw malformed("field '" + field + "' is not a whole number: '" + text + "'");
        }
    }

    private static double parseDouble(String text, String field) {
        try {
            return Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw malformed("field '" + field + "' is not a number: '" + text + "'");
        }
    }

    private static CinderblockException malformed(String what) {
        return new CinderblockException(ErrorCode.OPERATION_FAILED, "Unexpected LVM report from the host: " + what);
    }
}
