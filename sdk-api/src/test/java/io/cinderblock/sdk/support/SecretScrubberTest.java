package io.cinderblock.sdk.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("SecretScrubber masks a secret in every form a device may echo it")
class SecretScrubberTest {
    private static final int[] AWKWARD = "\"\\/:%+= é€😀'\n;&?#@".codePoints().toArray();

    @Test
    @DisplayName("random secrets of awkward characters never survive any encoding, embedded in text")
    void randomSecretsInEveryForm() {
        Random random = new Random(20261205L);
        for (int round = 0; round < 500; round++) {
            String secret = randomSecret(random);
            String user = randomSecret(random).substring(0, 1 + random.nextInt(5));
            SecretScrubber scrubber = SecretScrubber.of(List.of(secret));
            for (String form : encodings(user, secret)) {
                String text = "array said: <" + form + "> while logging in";
                String scrubbed = scrubber.scrub(text);
                assertThat(scrubbed).as("round %d, form of length %d", round, form.length())
                        .doesNotContain(form).contains(SecretScrubber.MASK).startsWith("array said: <");
                assertThat(scrubber.findIn(text)).isPresent();
                assertThat(scrubber.findIn(scrubbed)).isEmpty();
            }
        }
    }

    @Test
    @DisplayName("HTTP Basic: the whole Base64 token of user:secret is masked, for any user")
    void basicAuthHeader() {
        String secret = "s3cr\"et\\pw";
        SecretScrubber scrubber = SecretScrubber.of(List.of(secret));
        for (String user : List.of("a", "ab", "abc", "cinder-admin", "ünïcode")) {
            String token = Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8));
            String echoed = "{\"error\":\"denied\",\"request\":{\"Authorization\":\"Basic " + token + "\"}}";
            assertThat(scrubber.scrub(echoed))
                    .isEqualTo("{\"error\":\"denied\",\"request\":{\"Authorization\":\"Basic ***\"}}");
        }
    }

    @Test
    @DisplayName("text without the secret is returned unchanged, and so is null")
    void unchanged() {
        SecretScrubber scrubber = SecretScrubber.of(List.of("correct horse battery"));
        String text = "Login failed for user admin at 10:42: HTTP 401 {\"code\":\"Base.1.0.GeneralError\"}";
        assertThat(scrubber.scrub(text)).isSameAs(text);
        assertThat(scrubber.scrub(null)).isNull();
        assertThat(SecretScrubber.none().scrub("anything")).isEqualTo("anything");
    }

    @Test
    @DisplayName("short secrets are masked in their plain form only; empty and null secrets are ignored")
    void shortSecrets() {
        SecretScrubber scrubber = SecretScrubber.of(java.util.Arrays.asList("pw", "", null));
        assertThat(scrubber.scrub("the pw is pw")).isEqualTo("the *** is ***");
        assertThat(SecretScrubber.formsOf("pw")).extracting(SecretScrubber.Form::encoding).containsExactly("plain");
    }

    @Test
    @DisplayName("a cause chain that carries an encoded secret is detected")
    void causeChain() {
        String secret = "p@ss/w:rd%";
        SecretScrubber scrubber = SecretScrubber.of(List.of(secret));
        Exception inner = new IllegalStateException("url=https://h/?p=" + URLEncoder.encode(secret, StandardCharsets.UTF_8));
        assertThat(scrubber.leaksFrom(new RuntimeException("outer", inner))).isTrue();
        assertThat(scrubber.leaksFrom(new RuntimeException("outer", new IllegalStateException("clean")))).isFalse();
    }

    @Test
    @DisplayName("a form prints its encoding, never the secret")
    void formToString() {
        assertThat(SecretScrubber.formsOf("hunter22")).allSatisfy(form -> assertThat(form.toString()).doesNotContain("hunter22"));
    }

    private static List<String> encodings(String user, String secret) {
        byte[] utf8 = secret.getBytes(StandardCharsets.UTF_8);
        List<String> forms = new ArrayList<>();
        forms.add(secret);
        forms.add(Base64.getEncoder().encodeToString(utf8));
        forms.add(Base64.getUrlEncoder().withoutPadding().encodeToString(utf8));
        forms.add(Base64.getEncoder().encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8)));
        forms.add(Base64.getUrlEncoder().encodeToString(("x" + user + ":" + secret + "y").getBytes(StandardCharsets.UTF_8)));
        forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8));
        forms.add(URLEncoder.encode(secret, StandardCharsets.UTF_8).replace("+", "%20"));
        forms.add(jsonEscape(secret));
        forms.add(HexFormat.of().formatHex(utf8));
        forms.add(HexFormat.of().withUpperCase().formatHex(utf8));
        return forms;
    }

    /** JSON escaping as Python's json.dumps does it by default (ASCII only). */
    private static String jsonEscape(String value) {
        StringBuilder out = new StringBuilder();
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c < 0x20 || c > 0x7e ? String.format("\\u%04x", (int) c) : String.valueOf(c));
            }
        }
        return out.toString();
    }

    private static String randomSecret(Random random) {
        int length = 6 + random.nextInt(20);
        StringBuilder out = new StringBuilder();
        while (out.length() < length) {
            if (random.nextInt(3) == 0) {
                out.appendCodePoint(AWKWARD[random.nextInt(AWKWARD.length)]);
            } else {
                out.append((char) ('!' + random.nextInt(94)));
            }
        }
        return out.toString();
    }
}
