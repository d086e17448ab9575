package io.cinderblock.service.api;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Parses a query string as webob's {@code parse_qsl_text} does for Cinder: {@code +} is a space,
 * pairs split at {@code &} and {@code ;}, a malformed escape such as {@code %zz} stays literal
 * (Python's {@code unquote_to_bytes}), and only bytes that are not UTF-8 fail the request.
 */
final class QueryString {
    private QueryString() {}

    /**
     * The parameters, each with all its values in order; empty when a name or value is not UTF-8
     * once unescaped (Cinder answers that 400).
     *
     * @param raw the query as sent, still escaped; null for none
     */
    static Optional<Map<String, List<String>>> parse(String raw) {
        Map<String, List<String>> query = new LinkedHashMap<>();
        if (raw == null || raw.isEmpty()) {
            return Optional.of(query);
        }
        for (String pair : raw.replace('+', ' ').split("[&;]")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            Optional<String> name = unquote(eq < 0 ? pair : pair.substring(0, eq));
            Optional<String> value = unquote(eq < 0 ? "" : pair.substring(eq + 1));
            if (name.isEmpty() || value.isEmpty()) {
                return Optional.empty();
            }
            query.computeIfAbsent(name.get(), k -> new ArrayList<>()).add(value.get());
        }
        return Optional.of(query);
    }

    private static Optional<String> unquote(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            int high = i + 2 < bytes.length ? Character.digit(bytes[i + 1], 16) : -1;
            int low = i + 2 < bytes.length ? Character.digit(bytes[i + 2], 16) : -1;
            if (bytes[i] == '%' && high >= 0 && low >= 0) {
                out.write(high * 16 + low);
                i += 2;
            } else {
                out.write(bytes[i]);
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(out.toByteArray()))
                    .toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }
}
