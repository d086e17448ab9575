package io.cinderblock.driver.iscsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The event stream interpretation of the WHATWG HTML standard (9.2.6), byte by byte and in chunks. */
class SseParserTest {

    private static List<SseParser.Event> parse(SseParser parser, String stream) throws IOException {
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        return parser.feed(bytes, 0, bytes.length);
    }

    private static List<SseParser.Event> parse(String stream) throws IOException {
        return parse(new SseParser("", 4096, 4096), stream);
    }

    /** The same stream fed one byte at a time: a line end split across reads is still one line end. */
    private static List<SseParser.Event> byteByByte(String stream) throws IOException {
        SseParser parser = new SseParser("", 4096, 4096);
        List<SseParser.Event> events = new ArrayList<>();
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            events.addAll(parser.feed(bytes, i, 1));
        }
        return events;
    }

    @Test
    @DisplayName("data lines join with LF; one space after the colon goes, a second stays; the default type is message")
    void multiLineData() throws IOException {
        List<SseParser.Event> events = parse("data: {\"a\":\ndata:  1}\n\n");
        assertThat(events).containsExactly(new SseParser.Event("message", "{\"a\":\n 1}", ""));
    }

    @Test
    @DisplayName("CRLF, LF and CR all end lines, also when a CRLF is split across two reads")
    void lineEnds() throws IOException {
        String crlf = "id: 1\r\ndata: x\r\ndata: y\r\n\r\n";
        String cr = "id: 1\rdata: x\rdata: y\r\r";
        SseParser.Event expected = new SseParser.Event("message", "x\ny", "1");
        assertThat(parse(crlf)).containsExactly(expected);
        assertThat(byteByByte(crlf)).containsExactly(expected);
        assertThat(parse(cr)).containsExactly(expected);
        assertThat(byteByByte(cr)).containsExactly(expected);
        assertThat(byteByByte("data: x\n\ndata: z\r\n\n")).extracting(SseParser.Event::data).containsExactly("x", "z");
    }

    @Test
    @DisplayName("comments are skipped and counted; unknown fields ignored; a line without a colon is a field")
    void commentsAndFields() throws IOException {
        SseParser parser = new SseParser("", 4096, 4096);
        List<SseParser.Event> events = parse(parser, ": keep-alive\n:\nfoo: bar\ndata\ndata\n\nevent: alert\ndata: a\n\n");
        assertThat(parser.comments()).isEqualTo(2);
        // "data" without a colon appends an empty line: two of them make "\n".
        assertThat(events).containsExactly(new SseParser.Event("message", "\n", ""),
                new SseParser.Event("alert", "a", ""));
    }

    @Test
    @DisplayName("id persists across events and is committed at the blank line even without data; an id with NUL is ignored")
    void lastEventId() throws IOException {
        SseParser parser = new SseParser("41", 4096, 4096);
        assertThat(parse(parser, "data: a\n\n")).containsExactly(new SseParser.Event("message", "a", "41"));
        assertThat(parse(parser, "id: 42\n\n")).isEmpty();
        assertThat(parser.lastEventId()).isEqualTo("42");
        assertThat(parse(parser, "data: b\n\n")).containsExactly(new SseParser.Event("message", "b", "42"));
        assertThat(parse(parser, "id: 4\u00003\ndata: c\n\n")).extracting(SseParser.Event::lastEventId)
                .containsExactly("42");
        assertThat(parse(parser, "id\ndata: d\n\n")).extracting(SseParser.Event::lastEventId).containsExactly("");
    }

    @Test
    @DisplayName("retry of ASCII digits sets the reconnection time; anything else is ignored")
    void retry() throws IOException {
        SseParser parser = new SseParser("", 4096, 4096);
        parse(parser, "retry: 1x\n\n");
        assertThat(parser.retryMillis()).isEmpty();
        parse(parser, "retry: 250\n\n");
        assertThat(parser.retryMillis()).hasValue(250);
        parse(parser, "retry: -5\nretry:\nretry: 99999999999999999999999\n\n");
        assertThat(parser.retryMillis()).hasValue(250);
    }

    @Test
    @DisplayName("a leading BOM is dropped; an event without its blank line is not dispatched; empty data dispatches nothing")
    void edges() throws IOException {
        assertThat(parse("\uFEFFdata: a\n\n")).extracting(SseParser.Event::data).containsExactly("a");
        assertThat(parse("data: a\n")).isEmpty();
        assertThat(parse("event: x\n\ndata: b\n\n")).containsExactly(new SseParser.Event("message", "b", ""));
        assertThat(parse("data: é\n\n")).extracting(SseParser.Event::data).containsExactly("é");
    }

    @Test
    @DisplayName("a line or an event past its bound is refused, not buffered")
    void bounds() {
        assertThatThrownBy(() -> parse(new SseParser("", 16, 4096), "data: " + "x".repeat(20) + "\n"))
                .isInstanceOf(IOException.class).hasMessageContaining("16 bytes");
        assertThatThrownBy(() -> parse(new SseParser("", 4096, 10), "data: 12345\ndata: 67890\n"))
                .isInstanceOf(IOException.class).hasMessageContaining("10 characters");
    }
}
