package io.cinderblock.sdk.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Json: a strict RFC 8259 writer and reader")
class JsonTest {

    @Test
    @DisplayName("random strings of every awkward kind survive write then parse")
    void stringRoundTrip() {
        Random random = new Random(8259);
        int[] awkward = "\"\\/\b\f\n\r\t\u0000\u001f\u007f\u2028\u2029é€😀 {}[],:".codePoints().toArray();
        for (int round = 0; round < 500; round++) {
            StringBuilder s = new StringBuilder();
            int length = random.nextInt(20);
            for (int i = 0; i < length; i++) {
                s.appendCodePoint(random.nextBoolean() ? awkward[random.nextInt(awkward.length)]
                        : 0x20 + random.nextInt(0x5f));
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put(s.toString(), List.of(s.toString(), 42L, true));
            assertThat(Json.parse(Json.write(doc))).isEqualTo(doc);
        }
    }

    @Test
    @DisplayName("numbers: 64-bit integers as Long, others as BigDecimal, out-of-range integers refused")
    void numbers() {
        assertThat(Json.parse("[0, -1, 9223372036854775807, 1.5, -2e3]")).isEqualTo(List.of(0L, -1L,
                Long.MAX_VALUE, new BigDecimal("1.5"), new BigDecimal("-2e3")));
        assertThat(catchThrowableOfType(Json.JsonException.class, () -> Json.parse("9223372036854775808")))
                .hasMessageContaining("does not fit in 64 bits");
    }

    @Test
    @DisplayName("what the RFC forbids is refused, naming the offset")
    void strictness() {
        Map<String, String> bad = new LinkedHashMap<>();
        bad.put("{\"a\": 1,}", "expected a member name");
        bad.put("[1,]", "expected a value");
        bad.put("{'a': 1}", "expected a member name");
        bad.put("[01]", "leading zero");
        bad.put("[1.]", "digit after '.'");
        bad.put("\"a\u0001\"", "control character");
        bad.put("\"\\x\"", "unknown escape");
        bad.put("\"\\ud800\"", "high surrogate");
        bad.put("\"\\udc00\"", "lone low surrogate");
        bad.put("\"\\u12zz\"", "hex digit");
        bad.put("\"\\u12\"", "truncated");
        bad.put("{\"a\": 1, \"a\": 2}", "duplicate member name 'a'");
        bad.put("[1] [2]", "trailing data");
        bad.put("// c\n1", "expected a value");
        bad.put("nul", "expected 'null'");
        bad.put("", "expected a value");
        bad.put("\"open", "unterminated string");
        bad.put("[".repeat(Json.MAX_DEPTH + 2), "nested deeper");
        bad.forEach((text, expected) -> assertThat(catchThrowableOfType(Json.JsonException.class,
                () -> Json.parse(text))).as(text).hasMessageContaining("offset").hasMessageContaining(expected));
    }

    @Test
    @DisplayName("writes nested values with stable order and refuses types it does not know")
    void writer() {
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("b", new ArrayList<>());
        doc.put("a", Map.of());
        doc.put("n", null);
        assertThat(Json.write(doc)).isEqualTo("{\n  \"b\": [],\n  \"a\": {},\n  \"n\": null\n}\n");
        assertThat(catchThrowableOfType(IllegalArgumentException.class, () -> Json.write(List.of(new Object()))))
                .hasMessageContaining("java.lang.Object");
    }
}
