package io.cinderblock.driver.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.testing.RecordingLogger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulated array over HTTPS with a self-signed certificate generated for this run. */
class TlsTest {
    @TempDir
    static Path directory;

    private static SwordfishArrayFixture fixture;

    @BeforeAll
    static void start() throws Exception {
        fixture = SwordfishArrayFixture.https(directory);
    }

    @AfterAll
    static void stop() {
        fixture.close();
    }

    @Test
    @DisplayName("a self-signed certificate is rejected by default: DOWN with a TLS reason")
    void rejectedByDefault() {
        RecordingLogger context = new RecordingLogger("iscsi-test");
        try (VolumeDriver driver = fixture.openDriver(Map.of(), context.context())) {
            BackendState state = driver.backendState();
            assertThat(state.isUp()).isFalse();
            assertThat(state.reason()).startsWith("TLS handshake with Swordfish service at 127.0.0.1:");
        }
    }

    @Test
    @DisplayName("the certificate is accepted with the CA bundle option")
    void acceptedWithBundle() {
        RecordingLogger context = new RecordingLogger("iscsi-test");
        String bundle = fixture.caBundle().orElseThrow().toString();
        try (VolumeDriver driver = fixture.openDriver(Map.of(SwordfishDriverProvider.CA_BUNDLE, bundle), context.context())) {
            assertThat(driver.backendState().isUp()).isTrue();
            assertThat(driver.collectStats().pools()).hasSize(2);
        }
        assertThat(context.records().stream().map(Object::toString).toList()).noneMatch(l -> l.contains("verification is OFF"));
    }

    @Test
    @DisplayName("turning verification off works only explicitly, and is logged as a warning")
    void verificationOff() {
        RecordingLogger context = new RecordingLogger("iscsi-test");
        try (VolumeDriver driver = fixture.openDriver(Map.of(SwordfishDriverProvider.VERIFY_TLS, "false"), context.context())) {
            assertThat(driver.backendState().isUp()).isTrue();
        }
        assertThat(context.records().stream().map(Object::toString).toList()).anyMatch(l -> l.startsWith("WARNING") && l.contains("verification is OFF"));
    }

    @Test
    @DisplayName("a server that accepts TCP and stalls the TLS handshake is reported as such, not as not accepting")
    void handshakeStall() throws Exception {
        // A listening socket nobody accepts from: the kernel completes the TCP handshake (backlog),
        // and no TLS byte ever comes back.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            RecordingLogger context = new RecordingLogger("iscsi-test");
            Map<String, String> config = Map.of(SwordfishDriverProvider.URL, "https://127.0.0.1:" + silent.getLocalPort(),
                    SwordfishDriverProvider.CONNECT_TIMEOUT, "1s", SwordfishDriverProvider.REQUEST_TIMEOUT, "2s");
            try (VolumeDriver driver = fixture.openDriver(config, context.context())) {
                BackendState state = driver.backendState();
                assertThat(state.isUp()).isFalse();
                assertThat(state.reason()).contains("accepted the TCP connection but did not complete the TLS "
                        + "handshake within 1 s").doesNotContain("did not accept a connection");
            }
        }
    }
}
