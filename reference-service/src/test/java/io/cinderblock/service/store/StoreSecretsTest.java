package io.cinderblock.service.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.support.SecretScrubber;
import io.cinderblock.service.config.DatabaseSettings;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("the store masks the backends' secrets in every form before writing reasons and stats")
class StoreSecretsTest {
    private static final String AWKWARD = "\"\\:@/%+= &'<>{}$";

    @TempDir
    Path directory;

    /** A random secret of awkward characters (quotes, backslashes, colons, URL and JSON specials). */
    private static String secret(Random random) {
        StringBuilder out = new StringBuilder("s");
        for (int i = 0; i < 8 + random.nextInt(8); i++) {
            out.append(random.nextBoolean() ? AWKWARD.charAt(random.nextInt(AWKWARD.length()))
                    : (char) ('a' + random.nextInt(26)));
        }
        return out.toString();
    }

    @RepeatedTest(5)
    void reasonsAndStatsAreScrubbed() {
        Random random = new Random();
        String secret = secret(random);
        String basic = Base64.getEncoder().encodeToString(("admin:" + secret).getBytes(StandardCharsets.UTF_8));
        String jsonEscaped = secret.replace("\\", "\\\\").replace("\"", "\\\"");
        try (Database database = Database.open(new DatabaseSettings("jdbc:sqlite:" + directory.resolve("s.db"),
                Optional.empty(), Optional.empty(), 1))) {
            ServiceStore store = new ServiceStore(database, SecretScrubber.of(List.of(secret)));
            Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
            long id = store.register("h@b", "cinder-volume", "nova", "disabled", now);
            store.recordState(id, "down", "array echoed: Authorization: Basic " + basic + " and " + secret, now);
            StoredService stored = store.services().stream().filter(s -> s.host().equals("h@b")).findFirst()
                    .orElseThrow();
            assertThat(stored.stateReason()).hasValueSatisfying(reason -> assertThat(reason)
                    .doesNotContain(basic).doesNotContain(secret).contains(SecretScrubber.MASK));
            store.recordStats(id, "{\"note\": \"" + jsonEscaped + "\"}", now, "down", "reason " + secret);
            stored = store.services().stream().filter(s -> s.host().equals("h@b")).findFirst().orElseThrow();
            assertThat(stored.stateReason().orElseThrow()).doesNotContain(secret);
            assertThat(stored.statsJson().orElseThrow()).doesNotContain(jsonEscaped).contains(SecretScrubber.MASK);
        }
    }
}
