package io.cinderblock.driver.iscsi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.github.tomakehurst.wiremock.http.Fault;
import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.testing.RecordingLogger;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Every DOWN reason, each produced by a fault injected into the simulated array, and each probe
 * answered within the driver's declared {@code stateDeadline()} (the SPI contract, not a
 * performance target). After healing, the same driver reports UP again.
 */
class BackendStateFaultTest {
    private SwordfishArrayFixture fixture;
    private RecordingLogger context;
    private VolumeDriver driver;

    @BeforeEach
    void start() throws InterruptedException {
        fixture = SwordfishArrayFixture.http();
        context = new RecordingLogger("iscsi-test");
        driver = fixture.openDriver(SwordfishArrayFixture.FAST_TIMEOUTS, context.context());
        // Warm up (discovery, session, JIT), so that the probes below meet only the injected fault.
        SwordfishArrayFixture.awaitUp(driver, 10);
    }

    @AfterEach
    void stop() {
        driver.close();
        fixture.close();
    }

    /** Probes, checks the contract (no throw, within the deadline, no secret), and returns the state. */
    private BackendState probeDown(VolumeDriver probed) {
        long start = System.nanoTime();
        BackendState state = probed.backendState();
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).isLessThanOrEqualTo(probed.stateDeadline());
        assertThat(state.isUp()).as("state %s", state).isFalse();
        assertThat(state.reason()).doesNotContain(fixture.password());
        return state;
    }

    private static Map<String, String> withFastTimeouts(Map<String, String> config) {
        Map<String, String> result = new java.util.LinkedHashMap<>(config);
        result.putAll(SwordfishArrayFixture.FAST_TIMEOUTS);
        return result;
    }

    private void healsToUp() throws InterruptedException {
        fixture.heal();
        SwordfishArrayFixture.awaitUp(driver, 10);
    }

    @Test
    @DisplayName("connection refused")
    void refused() throws Exception {
        try (VolumeDriver nowhere = fixture.openDriver(withFastTimeouts(fixture.refusingConfig()), context.context())) {
            assertThat(probeDown(nowhere).reason()).contains("refused the connection");
            assertThatThrownBy(nowhere::collectStats).isInstanceOf(DeviceUnavailableException.class);
        }
    }

    @Test
    @DisplayName("connection reset by peer (which can hang a client without a read timeout)")
    void reset() throws InterruptedException {
        fixture.breakWith(Fault.CONNECTION_RESET_BY_PEER);
        assertThat(probeDown(driver).reason()).contains("reset the connection during GET");
        assertThatThrownBy(driver::collectStats).isInstanceOf(DeviceUnavailableException.class);
        healsToUp();
    }

    /**
     * A peer that accepts each connection and resets it at once (SO_LINGER 0), as the conformance
     * kit's RESET fault does. Depending on whether the RST arrives before the JDK's HttpClient has
     * finished its connect, the JDK reports it as a {@code ConnectException("Connection reset by
     * peer")}, as a reset during the exchange or (rarely) as an empty answer; none of them is a
     * refusal (found in the kit's FAULT-3 run: about half of the probes said "refused the
     * connection", and against this peer nearly all did).
     */
    @Test
    @DisplayName("connection accepted, then reset at once: a reset, never 'refused'")
    void resetRightAfterAccept() throws Exception {
        ServerSocket resetting = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = null;
        try {
            acceptor = new Thread(() -> {
                while (!resetting.isClosed()) {
                    try {
                        Socket accepted = resetting.accept();
                        accepted.setSoLinger(true, 0);
                        accepted.close();
                    } catch (IOException e) {
                        return; // closed at the end of the test
                    }
                }
            }, "resetting-peer");
            acceptor.setDaemon(true);
            acceptor.start();
            Map<String, String> config = new java.util.LinkedHashMap<>(fixture.driverConfig());
            config.put(SwordfishDriverProvider.URL, "http://127.0.0.1:" + resetting.getLocalPort());
            try (VolumeDriver resetDriver = fixture.openDriver(withFastTimeouts(config), context.context())) {
                List<String> reasons = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    reasons.add(probeDown(resetDriver).reason());
                }
                // The JDK sees either the RST or, now and then, only the end of the stream.
                assertThat(reasons).allSatisfy(reason -> assertThat(reason).doesNotContain("refused")
                        .containsAnyOf("reset the connection during ", "closed the connection without answering "));
                assertThat(reasons).anySatisfy(reason -> assertThat(reason).contains("reset the connection during "));
                assertThatThrownBy(resetDriver::collectStats).isInstanceOf(DeviceUnavailableException.class)
                        .message().doesNotContain("refused")
                        .containsAnyOf("reset the connection during ", "closed the connection without answering ");
            }
        } finally {
            resetting.close(); // ends the acceptor's accept()
            if (acceptor != null) {
                acceptor.join(5_000);
            }
        }
    }

    @Test
    @DisplayName("empty response")
    void emptyResponse() throws InterruptedException {
        fixture.breakWith(Fault.EMPTY_RESPONSE);
        assertThat(probeDown(driver).reason()).contains("closed the connection without answering GET");
        healsToUp();
    }

    @Test
    @DisplayName("an answer slower than the request timeout")
    void timeout() throws InterruptedException {
        Duration slow = SwordfishArrayFixture.FAST_REQUEST_TIMEOUT.plusSeconds(4);
        fixture.answerSlowly(slow);
        assertThat(probeDown(driver).reason()).contains("did not answer", "request timeout");
        long start = System.nanoTime();
        assertThatThrownBy(driver::collectStats).isInstanceOf(DeviceUnavailableException.class);
        // The driver gives up (after connect + request timeout, 2 s here) well before the array would answer.
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(slow);
        healsToUp();
    }

    @Test
    @DisplayName("403 (as SNIA's emulator answers a bad token) leads to one new login, then UP")
    void forbiddenOnceRenews() throws InterruptedException {
        SwordfishArrayFixture.awaitUp(driver, 50);
        int before = fixture.array().logins();
        fixture.rejectNextToken(403);
        BackendState state = driver.backendState();
        assertThat(state.isUp()).as(state.reason()).isTrue();
        assertThat(fixture.array().logins()).isEqualTo(before + 1);
        fixture.heal();
    }

    @Test
    @DisplayName("403 again after a new login: DOWN, credentials rejected")
    void forbiddenTwice() throws InterruptedException {
        fixture.rejectEveryToken(403);
        int before = fixture.array().logins();
        assertThat(probeDown(driver).reason()).contains("credentials rejected", "HTTP 403", "again after a new session login");
        assertThat(fixture.array().logins()).isLessThanOrEqualTo(before + 1);
        healsToUp();
    }

    @Test
    @DisplayName("401 again after renewing the session")
    void unauthorizedTwice() throws InterruptedException {
        fixture.array().expireSessions();
        fixture.rejectEveryToken();
        int before = fixture.array().logins();
        assertThat(probeDown(driver).reason()).contains("credentials rejected", "HTTP 401", "again after a new session login");
        assertThat(fixture.array().logins()).isEqualTo(before + 1);
        healsToUp();
    }

    @Test
    @DisplayName("HTTP 500")
    void serverError() throws InterruptedException {
        fixture.answer(500, "{\"error\":{\"code\":\"Base.1.8.InternalError\",\"message\":\"controller failover\"}}");
        assertThat(probeDown(driver).reason()).contains("answered HTTP 500", "controller failover");
        assertThatThrownBy(driver::collectStats).isInstanceOf(DeviceUnavailableException.class);
        healsToUp();
    }

    @Test
    @DisplayName("malformed JSON")
    void malformedJson() throws InterruptedException {
        fixture.answer(200, "{\"Status\": {\"State\": \"Enabled\", ");
        assertThat(probeDown(driver).reason()).contains("malformed JSON");
        assertThatThrownBy(driver::collectStats).isInstanceOf(SwordfishProtocolException.class)
                .hasMessageContaining("malformed JSON");
        healsToUp();
    }

    @Test
    @DisplayName("Health Critical: DOWN in the probe and backend_state down in the stats")
    void critical() throws InterruptedException {
        fixture.array().setStorageStatus("Enabled", "Critical");
        assertThat(probeDown(driver).reason()).contains("Health 'Critical'");
        assertThat(driver.collectStats().backendState()).isEqualTo(BackendState.Status.DOWN);
        healsToUp();
    }

    @Test
    @DisplayName("State not Enabled")
    void notEnabled() throws InterruptedException {
        fixture.array().setStorageStatus("StandbyOffline", "OK");
        assertThat(probeDown(driver).reason()).contains("State 'StandbyOffline', not Enabled");
        healsToUp();
    }

    @Test
    @DisplayName("configured pool missing")
    void poolMissing() {
        try (VolumeDriver missing = fixture.openDriver(withFastTimeouts(Map.of(SwordfishDriverProvider.POOLS,
                "GOLD, PLATINUM")), context.context())) {
            assertThat(probeDown(missing).reason()).contains("'PLATINUM' not found", "'GOLD', 'SILVER'");
            assertThatThrownBy(missing::collectStats).isInstanceOf(CinderblockException.class)
                    .hasMessageContaining("'PLATINUM' not found");
        }
    }

    @Test
    @DisplayName("garbage bytes then close")
    void garbage() throws InterruptedException {
        fixture.breakWith(Fault.RANDOM_DATA_THEN_CLOSE);
        assertThat(probeDown(driver).reason()).contains("closed the connection without answering GET");
        healsToUp();
    }
}
