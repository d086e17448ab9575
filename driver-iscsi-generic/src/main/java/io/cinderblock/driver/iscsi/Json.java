package io.cinderblock.driver.iscsi;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Reads Redfish JSON: required fields raise a {@link SwordfishProtocolException} naming the field
 * and the resource; unknown fields are ignored. Paths are dotted ({@code Status.State}).
 */
final class Json {
    private Json() {}

    static JsonNode at(JsonNode node, String dottedPath) {
        // OData annotations carry dots in their names ("@odata.id", "Members@odata.count").
        if (node != null && node.isObject() && node.has(dottedPath)) {
            JsonNode direct = node.get(dottedPath);
            return direct.isNull() ? null : direct;
        }
        JsonNode current = node;
        for (String part : dottedPath.split("\\.")) {
            if (current == null || !current.isObject()) {
                return null;
            }
            current = current.get(part);
        }
        return current == null || current.isNull() || current.isMissingNode() ? null : current;
    }

    static Optional<String> optionalText(JsonNode node, String dottedPath, String resource) {
        JsonNode value = at(node, dottedPath);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isTextual()) {
            throw malformed(resource, dottedPath, "a string", value);
        }
        return Optional.of(value.asText());
    }

    static String text(JsonNode node, String dottedPath, String resource) {
        return optionalText(node, dottedPath, resource).orElseThrow(() -> missing(resource, dottedPath));
    }

    static OptionalLong optionalLong(JsonNode node, String dottedPath, String resource) {
        JsonNode value = at(node, dottedPath);
        if (value == null) {
            return OptionalLong.empty();
        }
        if (!value.isIntegralNumber() || !value.canConvertToLong()) {
            throw malformed(resource, dottedPath, "a whole number", value);
        }
        return OptionalLong.of(value.asLong());
    }

    static Optional<Double> optionalNumber(JsonNode node, String dottedPath, String resource) {
        JsonNode value = at(node, dottedPath);
        if (value == null) {
            return Optional.empty();
        }
        if (!value.isNumber()) {
            throw malformed(resource, dottedPath, "a number", value);
        }
        return Optional.of(value.asDouble());
    }

    /** The {@code @odata.id} of the link object at {@code dottedPath}, if present. */
    static Optional<String> optionalLink(JsonNode node, String dottedPath, String resource) {
        JsonNode link = at(node, dottedPath);
        return link == null ? Optional.empty() : Optional.of(text(link, "@odata.id", resource + " " + dottedPath));
    }

    static String link(JsonNode node, String dottedPath, String resource) {
        return optionalLink(node, dottedPath, resource).orElseThrow(() -> missing(resource, dottedPath));
    }

    /** The {@code @odata.id}s of an array of link objects ({@code Members}, {@code Links.X}); empty if absent. */
    static List<String> links(JsonNode node, String dottedPath, String resource) {
        JsonNode array = at(node, dottedPath);
        if (array == null) {
            return List.of();
        }
        if (!array.isArray()) {
            throw malformed(resource, dottedPath, "an array", array);
        }
        List<String> result = new ArrayList<>();
        for (JsonNode item : array) {
            result.add(text(item, "@odata.id", resource + " " + dottedPath));
        }
        return result;
    }

    /** The members of a resource collection; {@code Members} is required there. */
    static List<String> members(JsonNode collection, String resource) {
        if (at(collection, "Members") == null) {
            throw missing(resource, "Members");
        }
        return links(collection, "Members", resource);
    }

    /** The last segment of an {@code @odata.id}: the resource's id. */
    static String lastSegment(String path) {
        String trimmed = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }

    static SwordfishProtocolException missing(String resource, String field) {
        return new SwordfishProtocolException(resource + " lacks required field '" + field + "'", field, null);
    }

    private static SwordfishProtocolException malformed(String resource, String field, String expected, JsonNode got) {
        String shown = got.toString();
        if (shown.length() > 60) {
            shown = shown.substring(0, 60) + "...";
        }
        return new SwordfishProtocolException(resource + ": field '" + field + "' must be " + expected + ", got "
                + shown, field, null);
    }
}
