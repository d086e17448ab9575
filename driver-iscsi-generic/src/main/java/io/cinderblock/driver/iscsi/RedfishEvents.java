package io.cinderblock.driver.iscsi;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a Redfish event delivery and decides what each record means for the backend. Pure: no I/O.
 *
 * <p>DOWN at once only for what a state probe would also judge DOWN, so that push and polling
 * agree: the managed storage resource itself removed, its health Critical, or its State anything
 * but Enabled. Every other event about the storage, its subordinate resources (pools, volumes) or
 * its enclosures asks for a re-read of the device; events about unrelated resources are ignored.
 * Recovery is never taken from an event: it too is a re-read.
 */
final class RedfishEvents {
    private static final Pattern CHANGED_TO = Pattern.compile("changed to '?([A-Za-z]+)'?\\.?\\s*$");
    private static final int MAX_TEXT = 160;

    private RedfishEvents() {}

    /** What one event record asks for. */
    enum Action {
        /** The storage failed: push DOWN now. */
        DOWN,
        /** The storage says it recovered: re-read, and retry the re-read a few times if still DOWN. */
        RECOVERY_CHECK,
        /** Something about the storage changed: re-read. */
        CHECK,
        /** Not about this backend. */
        IGNORE
    }

    /** The decision for one record, with a description of the event for reasons and logs. */
    record Verdict(Action action, String event) {}

    /**
     * The event records of a delivery: the {@code Events} array of a Redfish {@code Event}, or the
     * body itself when it is a bare record (SNIA's emulator posts one record per delivery).
     */
    static List<JsonNode> records(JsonNode body) {
        JsonNode events = body.get("Events");
        List<JsonNode> records = new ArrayList<>();
        if (events != null && events.isArray()) {
            events.forEach(record -> {
                if (record.isObject()) {
                    records.add(record);
                }
            });
        } else if (body.isObject() && (body.has("MessageId") || body.has("EventType")
                || body.has("OriginOfCondition"))) {
            records.add(body);
        }
        return records;
    }

    /** The delivery's {@code Context} (Event level, else the first record's), if it carries one. */
    static Optional<String> context(JsonNode body, List<JsonNode> records) {
        JsonNode context = body.get("Context");
        if ((context == null || !context.isTextual()) && !records.isEmpty()) {
            context = records.get(0).get("Context");
        }
        return context != null && context.isTextual() ? Optional.of(context.asText()) : Optional.empty();
    }

    /**
     * Decides what a record means for the storage at {@code storagePath}.
     *
     * @param storagePath the managed storage's {@code @odata.id}
     * @param enclosures the {@code @odata.id}s of the chassis the storage lives in
     */
    static Verdict classify(JsonNode record, String storagePath, Set<String> enclosures) {
        String storage = normalize(storagePath);
        Optional<String> origin = origin(record);
        String messageId = text(record, "MessageId").orElse("");
        String key = messageId.substring(messageId.lastIndexOf('.') + 1);
        String eventType = text(record, "EventType").orElse("");
        String described = describe(record, messageId, eventType, origin);
        if (origin.isEmpty()) {
            return new Verdict(Action.CHECK, described);
        }
        String path = origin.get();
        if (path.equals(storage)) {
            if (key.equals("ResourceRemoved") || eventType.equals("ResourceRemoved")) {
                return new Verdict(Action.DOWN, described);
            }
            Optional<String> state = newState(record, key);
            if (state.isPresent() && !state.get().equals("Enabled")) {
                return new Verdict(Action.DOWN, described);
            }
            String severity = text(record, "MessageSeverity").or(() -> text(record, "Severity")).orElse("");
            if (key.equals("ResourceStatusChangedCritical") || severity.equalsIgnoreCase("Critical")) {
                return new Verdict(Action.DOWN, described);
            }
            if (key.equals("ResourceStatusChangedOK") || key.equals("ResourceStatusChangedWarning")
                    || state.isPresent()) {
                return new Verdict(Action.RECOVERY_CHECK, described);
            }
            return new Verdict(Action.CHECK, described);
        }
        if (path.startsWith(storage + "/") || enclosures.stream().map(RedfishEvents::normalize)
                .anyMatch(chassis -> path.equals(chassis) || path.startsWith(chassis + "/"))) {
            return new Verdict(Action.CHECK, described);
        }
        return new Verdict(Action.IGNORE, described);
    }

    /** The new State of a {@code ResourceStateChanged} record: its last MessageArg, else from the message text. */
    private static Optional<String> newState(JsonNode record, String key) {
        if (!key.equals("ResourceStateChanged")) {
            return Optional.empty();
        }
        JsonNode args = record.get("MessageArgs");
        if (args != null && args.isArray() && args.size() > 0 && args.get(args.size() - 1).isTextual()) {
            return Optional.of(args.get(args.size() - 1).asText());
        }
        return text(record, "Message").flatMap(message -> {
            Matcher matcher = CHANGED_TO.matcher(message);
            return matcher.find() ? Optional.of(matcher.group(1)) : Optional.empty();
        });
    }

    /**
     * The record's {@code OriginOfCondition} as a path: a link object ({@code {"@odata.id": ...}}, as
     * the schema says) or a bare string (SNIA's emulator sends {@code redfish/v1/Storage/SF1/index.json}).
     */
    static Optional<String> origin(JsonNode record) {
        JsonNode origin = record.get("OriginOfCondition");
        if (origin != null && origin.isObject()) {
            origin = origin.get("@odata.id");
        }
        if (origin == null || !origin.isTextual() || origin.asText().isBlank()) {
            return Optional.empty();
        }
        return Optional.of(normalize(origin.asText()));
    }

    /**
     * A resource path in one spelling: no scheme or host, a leading slash, no trailing slash or
     * {@code index.json} (the emulator's file name leaks into its paths), no fragment.
     */
    static String normalize(String reference) {
        String path = reference.strip();
        int hash = path.indexOf('#');
        if (hash >= 0) {
            path = path.substring(0, hash);
        }
        if (path.contains("://")) {
            try {
                path = Optional.ofNullable(URI.create(path).getRawPath()).orElse("/");
            } catch (IllegalArgumentException e) {
                // keep it as it is: it then simply matches nothing
            }
        }
        if (path.endsWith("/index.json")) {
            path = path.substring(0, path.length() - "/index.json".length());
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path.startsWith("/") ? path : "/" + path;
    }

    private static String describe(JsonNode record, String messageId, String eventType, Optional<String> origin) {
        StringBuilder text = new StringBuilder("Redfish event ");
        text.append(!messageId.isEmpty() ? messageId : !eventType.isEmpty() ? eventType : "(no MessageId)");
        origin.ifPresent(path -> text.append(" on ").append(path));
        text(record, "Message").map(String::strip).filter(m -> !m.isEmpty())
                .ifPresent(message -> text.append(": ").append(shorten(message)));
        return text.toString();
    }

    private static Optional<String> text(JsonNode record, String field) {
        JsonNode value = record.get(field);
        return value != null && value.isTextual() ? Optional.of(value.asText()) : Optional.empty();
    }

    private static String shorten(String text) {
        String oneLine = text.replaceAll("[\\r\\n\\t]+", " ");
        return oneLine.length() > MAX_TEXT ? oneLine.substring(0, MAX_TEXT) + "..." : oneLine;
    }
}
