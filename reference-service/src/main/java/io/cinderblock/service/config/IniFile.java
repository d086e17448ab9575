package io.cinderblock.service.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A {@code cinder.conf}-style INI file as oslo.config reads it: {@code [section]} headers, {@code
 * key = value} (or {@code key: value}) lines, {@code #} and {@code ;} comment lines, indented lines
 * continuing the previous value. Keys and sections keep their case and their order of appearance.
 */
public final class IniFile {
    private final String source;
    private final Map<String, Map<String, String>> sections;

    private IniFile(String source, Map<String, Map<String, String>> sections) {
        this.source = source;
        this.sections = sections;
    }

    /** Reads and parses a file. */
    public static IniFile read(Path path) {
        requireNonNull(path, "path is null");
        return parse(path.toString(), FileProblem.readLines("configuration file", path));
    }

    /**
     * Parses lines.
     *
     * @param source the file name used in error messages
     */
    public static IniFile parse(String source, List<String> lines) {
        if (!lines.isEmpty() && lines.get(0).startsWith("\uFEFF")) {
            // A UTF-8 byte order mark is not part of the first line.
            lines = new ArrayList<>(lines);
            lines.set(0, lines.get(0).substring(1));
        }
        Map<String, Map<String, String>> sections = new LinkedHashMap<>();
        Map<String, String> current = null;
        String currentSection = null;
        String lastKey = null;
        int number = 0;
        for (String raw : lines) {
            number++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.startsWith(";")) {
                continue;
            }
            if (Character.isWhitespace(raw.charAt(0)) && current != null && lastKey != null) {
                // oslo.config continuation line: appended to the previous value.
                current.merge(lastKey, line, (a, b) -> a.isEmpty() ? b : a + "\n" + b);
                continue;
            }
            if (line.startsWith("[")) {
                if (!line.endsWith("]") || line.length() < 3) {
                    throw new ConfigException(source + " line " + number + ": malformed section header '" + line + "'");
                }
                currentSection = line.substring(1, line.length() - 1).strip();
                current = sections.computeIfAbsent(currentSection, s -> new LinkedHashMap<>());
                lastKey = null;
                continue;
            }
            int eq = indexOfSeparator(line);
            if (eq < 1) {
                throw new ConfigException(source + " line " + number + ": expected 'key = value'"
                        + (currentSection == null ? "" : " in section [" + currentSection + "]"));
            }
            if (current == null) {
                throw new ConfigException(source + " line " + number + ": key outside any section");
            }
            String key = line.substring(0, eq).strip();
            String value = line.substring(eq + 1).strip();
            current.put(key, value);
            lastKey = key;
        }
        Map<String, Map<String, String>> frozen = new LinkedHashMap<>();
        sections.forEach((name, values) -> frozen.put(name, Collections.unmodifiableMap(new LinkedHashMap<>(values))));
        return new IniFile(source, Collections.unmodifiableMap(frozen));
    }

    private static int indexOfSeparator(String line) {
        int eq = line.indexOf('=');
        int colon = line.indexOf(':');
        if (eq < 0) {
            return colon;
        }
        return colon < 0 ? eq : Math.min(eq, colon);
    }

    /** The file name, for messages. */
    public String source() {
        return source;
    }

    /** The section names in file order. */
    public List<String> sectionNames() {
        return List.copyOf(sections.keySet());
    }

    /** A section's keys and values, empty if absent. */
    public Map<String, String> section(String name) {
        return sections.getOrDefault(name, Map.of());
    }

    /** Whether the file has the section. */
    public boolean hasSection(String name) {
        return sections.containsKey(name);
    }

    /** One value. */
    public Optional<String> value(String section, String key) {
        return Optional.ofNullable(section(section).get(key));
    }
}
