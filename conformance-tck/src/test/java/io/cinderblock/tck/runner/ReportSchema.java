package io.cinderblock.tck.runner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks a parsed {@code tck-report.json} field by field against {@code tck-report.schema.json}, the
 * schema the kit ships. Interprets the subset of JSON Schema the file uses: {@code type} (one or a
 * list), {@code required}, {@code properties}, {@code additionalProperties: false}, {@code items},
 * {@code enum}, {@code pattern}, {@code minLength}, {@code minimum}. A keyword it does not know fails
 * the check, so the schema cannot silently grow past what is verified.
 */
final class ReportSchema {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> KNOWN = List.of("$schema", "$id", "title", "type", "required", "properties",
            "additionalProperties", "items", "enum", "pattern", "minLength", "minimum");

    private ReportSchema() {}

    static JsonNode schema() {
        try (InputStream in = JsonReport.class.getResourceAsStream("tck-report.schema.json")) {
            if (in == null) {
                throw new IllegalStateException("tck-report.schema.json is not on the class path beside JsonReport");
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every violation of the schema, each naming the JSON path; empty when the report conforms. */
    static List<String> violations(JsonNode report) {
        List<String> problems = new ArrayList<>();
        check(schema(), report, "$", problems);
        return problems;
    }

    private static void check(JsonNode schema, JsonNode value, String path, List<String> problems) {
        for (Map.Entry<String, JsonNode> keyword : schema.properties()) {
            String key = keyword.getKey();
            if (!KNOWN.contains(key)) {
                problems.add(path + ": the schema uses keyword '" + key + "' that this check does not interpret");
            }
        }
        if (schema.has("type") && !typeMatches(schema.get("type"), value)) {
            problems.add(path + ": expected type " + schema.get("type") + ", got " + value.getNodeType() + " " + value);
            return;
        }
        if (value.isNull()) {
            return;
        }
        if (schema.has("enum")) {
            boolean listed = false;
            for (JsonNode allowed : schema.get("enum")) {
                listed |= allowed.equals(value);
            }
            if (!listed) {
                problems.add(path + ": " + value + " is not one of " + schema.get("enum"));
            }
        }
        if (value.isTextual()) {
            if (schema.has("pattern") && !Pattern.compile(schema.get("pattern").asText()).matcher(value.asText()).find()) {
                problems.add(path + ": '" + value.asText() + "' does not match " + schema.get("pattern").asText());
            }
            if (schema.has("minLength") && value.asText().length() < schema.get("minLength").asInt()) {
                problems.add(path + ": '" + value.asText() + "' is shorter than " + schema.get("minLength"));
            }
        }
        if (value.isNumber() && schema.has("minimum") && value.asDouble() < schema.get("minimum").asDouble()) {
            problems.add(path + ": " + value + " is below the minimum " + schema.get("minimum"));
        }
        if (value.isObject()) {
            for (JsonNode required : schema.path("required")) {
                if (!value.has(required.asText())) {
                    problems.add(path + ": required field '" + required.asText() + "' is missing");
                }
            }
            JsonNode properties = schema.path("properties");
            for (Map.Entry<String, JsonNode> field : value.properties()) {
                if (properties.has(field.getKey())) {
                    check(properties.get(field.getKey()), field.getValue(), path + "." + field.getKey(), problems);
                } else if (schema.path("additionalProperties").isBoolean()
                        && !schema.get("additionalProperties").asBoolean()) {
                    problems.add(path + ": field '" + field.getKey() + "' is not in the schema");
                }
            }
        }
        if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                check(schema.get("items"), value.get(i), path + "[" + i + "]", problems);
            }
        }
    }

    private static boolean typeMatches(JsonNode type, JsonNode value) {
        if (type.isArray()) {
            for (JsonNode one : type) {
                if (typeMatches(one, value)) {
                    return true;
                }
            }
            return false;
        }
        switch (type.asText()) {
            case "object":
                return value.isObject();
            case "array":
                return value.isArray();
            case "string":
                return value.isTextual();
            case "integer":
                return value.isIntegralNumber();
            case "number":
                return value.isNumber();
            case "boolean":
                return value.isBoolean();
            case "null":
                return value.isNull();
            default:
                throw new IllegalArgumentException("Unknown JSON Schema type '" + type.asText() + "'");
        }
    }
}
