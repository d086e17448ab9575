package io.cinderblock.service.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cinderblock.service.config.ConfigException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A policy file as oslo.policy writes it, read into rule names and check strings: JSON, or the
 * documented YAML subset (one {@code "name": "check"} per line, comments, no nesting). What the
 * check strings mean is {@link Policy}'s.
 */
final class PolicyFile {
    private PolicyFile() {}

    /**
     * The rules of a file, JSON when it starts with a brace, else the YAML subset.
     *
     * @throws ConfigException naming the file and the line or rule at fault
     */
    static Map<String, String> read(Path file) {
        String content;
        try {
            content = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("[oslo_policy] policy_file: cannot read " + file + ": " + e.getMessage(), e);
        }
        String source = "policy file " + file;
        return content.stripLeading().startsWith("{") ? json(source, content) : yaml(source, content);
    }

    static Map<String, String> json(String source, String content) {
        JsonNode root;
        try {
            root = new ObjectMapper().readTree(content);
        } catch (JsonProcessingException e) {
            throw new ConfigException(source + ": not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) {
            throw new ConfigException(source + ": expected a JSON object of rule names to check strings");
        }
        Map<String, String> rules = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> entry : root.properties()) {
            if (!entry.getValue().isTextual()) {
                throw new ConfigException(source + ": policy rule '" + entry.getKey() + "' must be a check string"
                        + " (the old list syntax is not supported)");
            }
            rules.put(entry.getKey(), entry.getValue().asText());
        }
        return rules;
    }

    static Map<String, String> yaml(String source, String content) {
        Map<String, String> rules = new LinkedHashMap<>();
        int number = 0;
        for (String raw : content.split("\r?\n", -1)) {
            number++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#") || line.equals("---")) {
                continue;
            }
            if (Character.isWhitespace(raw.charAt(0))) {
                throw new ConfigException(source + " line " + number + ": indented lines are not supported (one"
                        + " 'name: check' per line)");
            }
            Scanner s = new Scanner(source, number, line);
            String name = s.scalar(true);
            s.expect(':');
            String value = s.atEnd() ? "" : s.scalar(false);
            s.end();
            if (rules.put(name, value) != null) {
                throw new ConfigException(source + " line " + number + ": policy rule '" + name + "' is defined twice");
            }
        }
        return rules;
    }

    /** Reads one line of the YAML subset. */
    private static final class Scanner {
        private final String source;
        private final int number;
        private final String line;
        private int pos;

        Scanner(String source, int number, String line) {
            this.source = source;
            this.number = number;
            this.line = line;
        }

        private ConfigException bad(String what) {
            return new ConfigException(source + " line " + number + ": " + what);
        }

        private void skipSpace() {
            while (pos < line.length() && line.charAt(pos) == ' ') {
                pos++;
            }
        }

        boolean atEnd() {
            skipSpace();
            return pos >= line.length() || line.charAt(pos) == '#';
        }

        void expect(char c) {
            skipSpace();
            if (pos >= line.length() || line.charAt(pos) != c) {
                throw bad("expected '" + c + "' (one 'name: check' per line)");
            }
            pos++;
        }

        void end() {
            if (!atEnd()) {
                throw bad("unexpected text after the value: '" + line.substring(pos) + "'");
            }
        }

        String scalar(boolean key) {
            skipSpace();
            char first = line.charAt(pos);
            if (first == '"' || first == '\'') {
                StringBuilder out = new StringBuilder();
                pos++;
                while (true) {
                    if (pos >= line.length()) {
                        throw bad("unterminated " + first + " quote (multi-line values are not supported)");
                    }
                    char c = line.charAt(pos++);
                    if (c == first) {
                        if (first == '\'' && pos < line.length() && line.charAt(pos) == '\'') {
                            out.append('\'');
                            pos++;
                            continue;
                        }
                        return out.toString();
                    }
                    if (c == '\\' && first == '"') {
                        if (pos >= line.length()) {
                            throw bad("unterminated \" quote");
                        }
                        char e = line.charAt(pos++);
                        if (e != '"' && e != '\\') {
                            throw bad("escape \\" + e + " is not supported");
                        }
                        out.append(e);
                        continue;
                    }
                    out.append(c);
                }
            }
            if ("{}[]&*!|>%@`".indexOf(first) >= 0 && !(first == '!' || first == '@') || (key && first == '-')) {
                throw bad("YAML '" + first + "' is not supported here: write 'name: \"check\"' lines");
            }
            int start = pos;
            if (key) {
                // Rule names contain ':' (volume_extension:services:index): the key ends at ': ' or a final ':'.
                int sep = line.indexOf(": ", pos);
                int end = sep >= 0 ? sep : line.endsWith(":") ? line.length() - 1 : -1;
                if (end < 0) {
                    throw bad("expected 'name: check'");
                }
                pos = end;
                return line.substring(start, end).strip();
            }
            int comment = line.indexOf(" #", pos);
            pos = comment >= 0 ? comment : line.length();
            return line.substring(start, pos).strip();
        }
    }
}
