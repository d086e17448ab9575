package io.cinderblock.service.cli;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Prints a service list as python-cinderclient's {@code service-list} does: prettytable borders,
 * rows sorted by the first column then the rest, {@code None} shown as {@code -} and a missing key
 * (the scheduler's Backend State) as an empty cell.
 */
public final class ServiceListTable {
    private ServiceListTable() {}

    /** The columns cinderclient shows at a microversion. */
    public static List<String> columns(int minor) {
        List<String> columns = new ArrayList<>(List.of("Binary", "Host", "Zone", "Status", "State", "Updated_at"));
        if (minor >= 7) {
            columns.add("Cluster");
        }
        columns.add("Disabled Reason");
        if (minor >= 49) {
            columns.add("Backend State");
        }
        return columns;
    }

    /** Renders the table for the services of an {@code os-services} answer. */
    public static String render(List<String> columns, List<Map<String, Object>> services) {
        List<List<String>> rows = new ArrayList<>();
        for (Map<String, Object> service : services) {
            List<String> row = new ArrayList<>();
            for (String column : columns) {
                String key = column.toLowerCase().replace(' ', '_');
                if (!service.containsKey(key)) {
                    row.add("");
                } else {
                    Object value = service.get(key);
                    row.add(value == null ? "-" : String.valueOf(value));
                }
            }
            rows.add(row);
        }
        rows.sort(ServiceListTable::compareRows);
        int[] widths = new int[columns.size()];
        for (int i = 0; i < widths.length; i++) {
            widths[i] = columns.get(i).length();
            for (List<String> row : rows) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        String border = border(widths);
        out.append(border);
        line(out, columns, widths);
        out.append(border);
        for (List<String> row : rows) {
            line(out, row, widths);
        }
        out.append(border);
        return out.toString();
    }

    private static int compareRows(List<String> a, List<String> b) {
        Comparator<String> natural = Comparator.naturalOrder();
        for (int i = 0; i < a.size(); i++) {
            int c = natural.compare(a.get(i), b.get(i));
            if (c != 0) {
                return c;
            }
        }
        return 0;
    }

    private static String border(int[] widths) {
        StringBuilder b = new StringBuilder("+");
        for (int width : widths) {
            b.append("-".repeat(width + 2)).append('+');
        }
        return b.append('\n').toString();
    }

    private static void line(StringBuilder out, List<String> cells, int[] widths) {
        out.append('|');
        for (int i = 0; i < widths.length; i++) {
            String cell = cells.get(i);
            out.append(' ').append(cell).append(" ".repeat(widths[i] - cell.length())).append(" |");
        }
        out.append('\n');
    }
}
