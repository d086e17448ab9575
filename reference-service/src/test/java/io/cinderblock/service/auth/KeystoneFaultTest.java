package io.cinderblock.service.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.service.api.ApiException;
import io.cinderblock.service.api.Authenticator;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Faults the real Keystone cannot easily show: a FAKE "Keystone" that accepts TCP connections and
 * never answers (a hung server). The request must end with a 503 at the configured deadline.
 */
@DisplayName("Keystone faults: a hung Keystone gives a 503 at the deadline, never a hang")
class KeystoneFaultTest {
    private static Function<String, Optional<String>> token(String value) {
        return name -> name.equals("X-Auth-Token") ? Optional.ofNullable(value) : Optional.empty();
    }

    @Test
    @DisplayName("a Keystone that accepts and never answers: 503 naming the deadline, no secret in it")
    void hungKeystone(@TempDir Path dir) throws Exception {
        // The kernel completes the TCP handshake for the backlog; nothing ever reads or answers.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            KeystoneSettings settings = KeystoneSettings.from("test.conf", Map.of(
                    "auth_url", "http://127.0.0.1:" + silent.getLocalPort() + "/v3", "username", "svc",
                    "password", "pw-very-secret", "project_name", "service", "http_connect_timeout", "1",
                    "http_request_timeout", "0.8"), dir, w -> { });
            KeystoneAuthenticator keystone = new KeystoneAuthenticator(settings, Policy.cinderDefaults(),
                    Clock.systemUTC());
            // Hang detection only: the deadline is 0.8 s, the guard 20 s.
            Assertions.assertTimeoutPreemptively(Duration.ofSeconds(20), () ->
                    assertThatThrownBy(() -> keystone.authenticate(token("gAAAAAtoken-of-a-user")))
                            .isInstanceOf(ApiException.class)
                            .satisfies(e -> assertThat(((ApiException) e).status()).isEqualTo(503))
                            .hasMessageContaining("The Keystone service is temporarily unavailable")
                            .hasMessageContaining("within the deadline")
                            .hasMessageNotContaining("pw-very-secret")
                            .hasMessageNotContaining("gAAAAAtoken-of-a-user"));
            // No token at all never reaches Keystone.
            assertThat(keystone.authenticate(token(null))).isInstanceOf(Authenticator.Unauthorized.class);
            assertThat(keystone.authenticate(token("  "))).isInstanceOf(Authenticator.Unauthorized.class);
            assertThat(keystone.cachedTokens()).isZero();
        }
    }

    @Test
    @DisplayName("nothing listening: 503 saying Keystone cannot be reached")
    void keystoneDown(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        KeystoneSettings settings = KeystoneSettings.from("test.conf", Map.of("auth_url", "http://127.0.0.1:" + port,
                "username", "svc", "password", "pw-very-secret", "project_name", "service"), dir, w -> { });
        KeystoneAuthenticator keystone = new KeystoneAuthenticator(settings, Policy.cinderDefaults(), Clock.systemUTC());
        assertThatThrownBy(() -> keystone.authenticate(token("t1"))).isInstanceOf(ApiException.class)
                .hasMessageContaining("cannot reach http://127.0.0.1:" + port)
                .hasMessageNotContaining("pw-very-secret");
    }
}
