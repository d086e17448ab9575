package io.cinderblock.sdk.support;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.DriverConfig;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Removes every known form of a set of secrets from text before it is logged, stored or shown.
 *
 * <p>A device rarely echoes a password as typed: an HTTP array quotes the {@code Authorization:
 * Basic} header (Base64 of {@code user:password}), a JSON error body escapes {@code "} and {@code
 * \}, a URL carries it percent-encoded, a dump shows it in hex. The scrubber masks each secret in
 * all of these forms:
 * <ul>
 *   <li>plain;
 *   <li>Base64 (standard and URL-safe alphabet, with or without padding) of the secret alone and
 *       embedded in a longer value such as {@code user:secret}, whatever the user: the whole
 *       Base64 token that carries it is masked;
 *   <li>URL-encoded (form encoding with {@code +}, and {@code %20}; upper- and lower-case hex);
 *   <li>JSON- and Java-escaped (with and without {@code \}{@code uXXXX} escapes of non-ASCII);
 *   <li>hex of its UTF-8 bytes (lower and upper case).
 * </ul>
 *
 * <p>Instances are immutable and thread-safe; build one per backend with {@link #of(DriverConfig)}
 * and reuse it. Scrubbing is linear in the text for each form. Secrets shorter than {@value
 * #MIN_ENCODED_LENGTH} characters are masked in their plain form only: their encoded forms are too
 * short to tell from ordinary text.
 * @since 0.2
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
public final class SecretScrubber {
    /**
     * What every secret form is replaced with: the same mask as {@link DriverConfig#MASK}.
     *
     * @since 0.2
     */
    public static final String MASK = DriverConfig.MASK;

    /**
     * Secrets shorter than this are masked in their plain form only.
     *
     * @since 0.2
     */
    public static final int MIN_ENCODED_LENGTH = 4;

    private static final SecretScrubber NONE = new SecretScrubber(List.of(), List.of());

    /**
     * Literal forms, longest first, so a longer form is masked before a plain form inside it.
     *
     * @since 0.2
     */
    private final List<Form> literals;
    /**
     * Base64 fragments: a hit masks the whole Base64 token around it.
     *
     * @since 0.2
     */
    private final List<Form> base64Fragments;

    private SecretScrubber(List<Form> literals, List<Form> base64Fragments) {
        this.literals = literals;
        this.base64Fragments = base64Fragments;
    }

    /**
     * A scrubber that changes nothing, for hosts and drivers with no secret option set.
     *
     * @return the shared empty scrubber
     * @since 0.2
     */
    public static SecretScrubber none() {
        return NONE;
    }

    /**
     * A scrubber for the values of every secret option that is set in {@code config}.
     *
     * @param config a validated configuration; options declared {@link ConfigOption#secret()} are scrubbed
     * @return the scrubber; {@link #none()} when no secret is set
     * @since 0.2
     */
    public static SecretScrubber of(DriverConfig config) {
        requireNonNull(config, "config is null");
        List<String> secrets = new ArrayList<>();
        for (ConfigOption option : config.descriptor().options()) {
            if (option.secret()) {
                config.optionalString(option.name()).ifPresent(secrets::add);
            }
        }
        return of(secrets);
    }

    /**
     * A scrubber for the given secret values; {@code null} and empty values are ignored.
     *
     * @param secrets the values to mask in every form
     * @return the scrubber
     * @since 0.2
     */
    public static SecretScrubber of(Collection<String> secrets) {
        requireNonNull(secrets, "secrets is null");
        Map<String, Form> literals = new LinkedHashMap<>();
        Map<String, Form> fragments = new LinkedHashMap<>();
        for (String secret : secrets) {
            if (secret == null || secret.isEmpty()) {
                continue;
            }
            literals.putIfAbsent(secret, new Form("plain", secret));
            if (secret.length() < MIN_ENCODED_LENGTH) {
                continue;
            }
            for (Form form : literalForms(secret)) {
                literals.putIfAbsent(form.text(), form);
            }
            for (Form form : base64Fragments(secret)) {
                fragments.putIfAbsent(form.text(), form);
            }
        }
        if (literals.isEmpty()) {
            return NONE;
        }
        List<Form> sorted = new ArrayList<>(literals.values());
        sorted.sort(Comparator.comparingInt((Form f) -> f.text().length()).reversed());
        return new SecretScrubber(List.copyOf(sorted), List.copyOf(fragments.values()));
    }

    /**
     * The encoded forms of one secret, named ({@code plain}, {@code base64}, {@code url}, {@code
     * json}, {@code java}, {@code hex}, ...), for tools that look for leaks rather than mask them
     * (the conformance kit). Base64 forms are the fragments that any Base64 text carrying the
     * secret contains, whatever precedes it (so {@code user:secret} is covered for every user).
     *
     * @param secret a secret value, not empty
     * @return the forms, each at most once; only {@code plain} for secrets shorter than {@value #MIN_ENCODED_LENGTH}
     * @since 0.2
     */
    public static List<Form> formsOf(String secret) {
        requireNonNull(secret, "secret is null");
        if (secret.isEmpty()) {
            throw new IllegalArgumentException("secret is empty");
        }
        Map<String, Form> forms = new LinkedHashMap<>();
        forms.put(secret, new Form("plain", secret));
        if (secret.length() >= MIN_ENCODED_LENGTH) {
            for (Form form : literalForms(secret)) {
                forms.putIfAbsent(form.text(), form);
            }
            for (Form form : base64Fragments(secret)) {
                forms.putIfAbsent(form.text(), form);
            }
        }
        return List.copyOf(forms.values());
    }

    /**
     * The text with every form of every secret replaced by {@link #MASK}.
     *
     * @param text any text; {@code null} gives {@code null}
     * @return the scrubbed text; the same instance when nothing was found
     * @since 0.2
     */
    public String scrub(String text) {
        if (text == null || literals.isEmpty()) {
            return text;
        }
        String result = text;
        for (Form form : literals) {
            if (result.contains(form.text())) {
                result = result.replace(form.text(), MASK);
            }
        }
        for (Form fragment : base64Fragments) {
            result = maskBase64Tokens(result, fragment.text());
        }
        return result;
    }

    /**
     * Where a secret appears in {@code text}, if it does: the first form found.
     *
     * @param text any text; {@code null} holds nothing
     * @return the form found, or empty
     * @since 0.2
     */
    public Optional<Form> findIn(String text) {
        if (text == null) {
            return Optional.empty();
        }
        for (Form form : literals) {
            if (text.contains(form.text())) {
                return Optional.of(form);
            }
        }
        for (Form fragment : base64Fragments) {
            if (text.contains(fragment.text())) {
                return Optional.of(fragment);
            }
        }
        return Optional.empty();
    }

    /**
     * Whether {@code error}'s message, or that of any cause or suppressed exception, holds a secret.
     *
     * @param error an exception, or {@code null}
     * @return true when any message in the chain would be changed by {@link #scrub(String)}
     * @since 0.2
     */
    public boolean leaksFrom(Throwable error) {
        int depth = 0;
        for (Throwable t = error; t != null && depth < 32; t = t.getCause(), depth++) {
            if (findIn(t.getMessage()).isPresent() || findIn(t.toString()).isPresent()) {
                return true;
            }
            for (Throwable suppressed : t.getSuppressed()) {
                if (findIn(String.valueOf(suppressed)).isPresent()) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether this scrubber masks anything at all.
     *
     * @return true when it was built from no non-empty secret
     * @since 0.2
     */
    public boolean isEmpty() {
        return literals.isEmpty();
    }

    /**
     * One form of a secret, as it would appear in text.
     *
     * @param encoding how the secret was encoded ({@code plain}, {@code base64}, {@code url}, ...)
     * @param text the encoded text; never shown to anyone (it is the secret)
     * @since 0.2
     */
    public record Form(String encoding, String text) {
        /**
         * Checks both parts.
         *
         * @param encoding how the secret was encoded
         * @param text the encoded text
         * @since 0.2
         */
        public Form {
            requireNonNull(encoding, "encoding is null");
            requireNonNull(text, "text is null");
        }

        /**
         * The encoding only: a form must never print the secret.
         *
         * @return {@code Form[encoding]}
         * @since 0.2
         */
        @Override
        public String toString() {
            return "Form[" + encoding + "]";
        }
    }

    private static List<Form> literalForms(String secret) {
        List<Form> forms = new ArrayList<>();
        byte[] utf8 = secret.getBytes(StandardCharsets.UTF_8);
        String formEncoded = java.net.URLEncoder.encode(secret, StandardCharsets.UTF_8);
        forms.add(new Form("url", formEncoded));
        forms.add(new Form("url", formEncoded.replace("+", "%20")));
        forms.add(new Form("url", lowerPercentHex(formEncoded)));
        forms.add(new Form("url", lowerPercentHex(formEncoded.replace("+", "%20"))));
        forms.add(new Form("url", percentEncodeAll(utf8)));
        forms.add(new Form("json", escape(secret, false, false)));
        forms.add(new Form("json", escape(secret, true, false)));
        forms.add(new Form("json", escape(secret, false, true)));
        forms.add(new Form("json", escape(secret, true, true)));
        forms.add(new Form("hex", HexFormat.of().formatHex(utf8)));
        forms.add(new Form("hex", HexFormat.of().withUpperCase().formatHex(utf8)));
        forms.removeIf(f -> f.text().equals(secret));
        return forms;
    }

    /**
     * The Base64 text that every encoding of a byte string containing the secret shares, for each
     * of the three alignments the secret can have in the encoded input, in both alphabets.
     * @since 0.2
     */
    private static List<Form> base64Fragments(String secret) {
        byte[] utf8 = secret.getBytes(StandardCharsets.UTF_8);
        List<Form> forms = new ArrayList<>();
        for (int offset = 0; offset < 3; offset++) {
            byte[] padded = new byte[offset + utf8.length];
            System.arraycopy(utf8, 0, padded, offset, utf8.length);
            String encoded = Base64.getEncoder().withoutPadding().encodeToString(padded);
            // Characters that depend only on the secret's bytes: skip the group touched by the
            // leading filler, and the last group, which the following bytes change.
            int first = offset == 0 ? 0 : 4;
            int fullGroups = padded.length / 3;
            int last = fullGroups * 4;
            if (offset == 0 && padded.length % 3 == 0) {
                last = encoded.length();
            }
            if (last - first < 4) {
                continue;
            }
            String fragment = encoded.substring(first, last);
            forms.add(new Form("base64", fragment));
            String urlSafe = fragment.replace('+', '-').replace('/', '_');
            if (!urlSafe.equals(fragment)) {
                forms.add(new Form("base64url", urlSafe));
            }
        }
        return forms;
    }

    private static String maskBase64Tokens(String text, String fragment) {
        int at = text.indexOf(fragment);
        if (at < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length());
        int copied = 0;
        while (at >= 0) {
            int start = at;
            while (start > copied && isBase64Char(text.charAt(start - 1))) {
                start--;
            }
            int end = at + fragment.length();
            while (end < text.length() && (isBase64Char(text.charAt(end)) || text.charAt(end) == '=')) {
                end++;
            }
            out.append(text, copied, start).append(MASK);
            copied = end;
            at = text.indexOf(fragment, end);
        }
        return out.append(text, copied, text.length()).toString();
    }

    private static boolean isBase64Char(char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
                || c == '+' || c == '/' || c == '-' || c == '_';
    }

    private static String lowerPercentHex(String encoded) {
        StringBuilder out = new StringBuilder(encoded.length());
        for (int i = 0; i < encoded.length(); i++) {
            char c = encoded.charAt(i);
            if (c == '%' && i + 2 < encoded.length()) {
                out.append('%').append(Character.toLowerCase(encoded.charAt(i + 1)))
                        .append(Character.toLowerCase(encoded.charAt(i + 2)));
                i += 2;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    private static String percentEncodeAll(byte[] utf8) {
        StringBuilder out = new StringBuilder(utf8.length * 3);
        for (byte b : utf8) {
            out.append('%').append(HexFormat.of().withUpperCase().toHexDigits(b));
        }
        return out.toString();
    }

    /**
     * JSON/Java string escaping: quotes, backslash, controls; optionally {@code \/} and {@code \}{@code uXXXX} for non-ASCII.
     *
     * @since 0.2
     */
    private static String escape(String value, boolean asciiOnly, boolean escapeSlash) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case '/' -> out.append(escapeSlash ? "\\/" : "/");
                default -> {
                    if (c < 0x20 || (asciiOnly && c > 0x7e)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }
}
