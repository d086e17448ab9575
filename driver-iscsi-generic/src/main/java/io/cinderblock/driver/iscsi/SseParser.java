package io.cinderblock.driver.iscsi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;

/**
 * Reads a {@code text/event-stream} body as the WHATWG HTML standard's "event stream
 * interpretation" prescribes (section 9.2.6), from bytes as they arrive. Pure: no I/O, not
 * thread-safe (one per stream connection, fed by its reader thread).
 *
 * <p>Lines end in CRLF, LF or CR (a CRLF split across two reads is one line end); a leading BOM is
 * dropped; a line starting with {@code :} is a comment; {@code field: value} loses one space after
 * the colon, a line without a colon is a field with an empty value; {@code data} lines join with
 * LF; {@code id} sets the last event ID (unless it holds NUL) and is kept for the next events and
 * the reconnection's {@code Last-Event-ID}; {@code retry} of ASCII digits only sets the
 * reconnection time; unknown fields are ignored; a blank line dispatches the event, unless its data
 * is empty; an event not ended by a blank line when the stream ends is dropped.
 */
final class SseParser {
    /** One dispatched event: its type ({@code message} by default), its data, and the last event ID then. */
    record Event(String type, String data, String lastEventId) {}

    private final int maxLineBytes;
    private final int maxDataChars;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private boolean afterCr;
    private boolean firstLine = true;
    private final StringBuilder data = new StringBuilder();
    private String eventType = "";
    private String lastEventIdBuffer;
    private String lastEventId;
    private OptionalLong retry = OptionalLong.empty();
    private long comments;

    /**
     * @param lastEventId the ID to start with (the one sent as {@code Last-Event-ID}), or ""
     * @param maxLineBytes longer lines make {@link #feed} throw
     * @param maxDataChars a larger event makes {@link #feed} throw
     */
    SseParser(String lastEventId, int maxLineBytes, int maxDataChars) {
        this.lastEventIdBuffer = lastEventId;
        this.lastEventId = lastEventId;
        this.maxLineBytes = maxLineBytes;
        this.maxDataChars = maxDataChars;
    }

    /**
     * Feeds the next bytes of the stream.
     *
     * @return the events these bytes completed, in order (often none)
     * @throws IOException if a line or an event exceeds its bound (the stream cannot be trusted on)
     */
    List<Event> feed(byte[] bytes, int offset, int length) throws IOException {
        List<Event> events = new ArrayList<>(1);
        for (int i = offset; i < offset + length; i++) {
            byte b = bytes[i];
            if (b == '\n' && afterCr) {
                afterCr = false; // the LF of a CRLF: the line already ended at the CR
                continue;
            }
            afterCr = b == '\r';
            if (b == '\r' || b == '\n') {
                endLine(events);
            } else {
                if (line.size() >= maxLineBytes) {
                    throw new IOException("an event stream line is longer than " + maxLineBytes + " bytes");
                }
                line.write(b);
            }
        }
        return events;
    }

    private void endLine(List<Event> events) throws IOException {
        String text = line.toString(StandardCharsets.UTF_8);
        line.reset();
        if (firstLine) {
            firstLine = false;
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
        }
        if (text.isEmpty()) {
            dispatch(events);
            return;
        }
        if (text.charAt(0) == ':') {
            comments++;
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            case "event":
                eventType = value;
                break;
            case "data":
                if (data.length() + value.length() + 1 > maxDataChars) {
                    throw new IOException("an event's data is longer than " + maxDataChars + " characters");
                }
                data.append(value).append('\n');
                break;
            case "id":
                if (value.indexOf('\u0000') < 0) {
                    lastEventIdBuffer = value;
                }
                break;
            case "retry":
                if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    try {
                        retry = OptionalLong.of(Long.parseLong(value));
                    } catch (NumberFormatException e) {
                        // more digits than a long holds: ignore it, as any other unusable value
                    }
                }
                break;
            default:
                // unknown fields are ignored
        }
    }

    private void dispatch(List<Event> events) {
        lastEventId = lastEventIdBuffer;
        if (data.length() == 0) {
            eventType = "";
            return;
        }
        String text = data.substring(0, data.length() - 1); // drop the last LF
        events.add(new Event(eventType.isEmpty() ? "message" : eventType, text, lastEventId));
        data.setLength(0);
        eventType = "";
    }

    /** The last event ID: what a reconnection sends as {@code Last-Event-ID} ("" for none). */
    String lastEventId() {
        return lastEventId;
    }

    /** The reconnection time the server asked for with {@code retry}, in milliseconds, if it did. */
    OptionalLong retryMillis() {
        return retry;
    }

    /** Comment lines seen (servers send them as keep-alives). */
    long comments() {
        return comments;
    }
}
