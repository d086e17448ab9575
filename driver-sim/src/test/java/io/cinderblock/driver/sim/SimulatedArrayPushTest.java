package io.cinderblock.driver.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStateListener;
import io.cinderblock.sdk.spi.BackendStatePublisher;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.VolumeDriver;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The sim driver's push channel against a SIMULATED array server in this JVM. */
@DisplayName("sim driver pushes the simulated array's state changes")
class SimulatedArrayPushTest {
    private final String accessKey = UUID.randomUUID().toString();
    private SimulatedArrayServer server;

    @BeforeEach
    void start() throws IOException {
        server = SimulatedArrayServer.start(0, Optional.of(accessKey));
        server.addDevice("array-a", Map.of("gold", 100L));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    @DisplayName("the current state at once, DOWN with the device's reason on a switch, UP confirmed by a probe")
    void pushesChanges() throws Exception {
        Recorder listener = new Recorder();
        try (VolumeDriver driver = open(Map.of())) {
            assertThat(((BackendStatePublisher) driver).publishTo(listener)).isTrue();
            assertThat(listener.next().status()).isEqualTo(BackendState.Status.UP);

            server.setDeviceUp("array-a", false, "controller failed");
            BackendState down = listener.next();
            assertThat(down.status()).isEqualTo(BackendState.Status.DOWN);
            assertThat(down.reason()).contains("announced it is down: controller failed");

            server.setDeviceUp("array-a", true, "");
            BackendState up = listener.next();
            assertThat(up.status()).isEqualTo(BackendState.Status.UP);
            assertThat(up.reason()).contains("answers");
        }
        assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.getName().equals("sim-push-sim-push-test"));
    }

    @Test
    @DisplayName("a lost channel is reported once, polling takes over, and restoration is reported when the array returns")
    void lostAndRestored() throws Exception {
        Recorder listener = new Recorder();
        int port = server.port();
        try (VolumeDriver driver = open(Map.of())) {
            ((BackendStatePublisher) driver).publishTo(listener);
            assertThat(listener.next().status()).isEqualTo(BackendState.Status.UP);
            server.close();
            assertThat(listener.lost.poll(10, TimeUnit.SECONDS)).contains("lost").contains("relying on polling");
            assertThat(driver.backendState().status()).as("polling still answers").isEqualTo(BackendState.Status.DOWN);

            server = SimulatedArrayServer.start(port, Optional.of(accessKey));
            server.addDevice("array-a", Map.of("gold", 100L));
            assertThat(listener.restored.poll(20, TimeUnit.SECONDS)).isNotNull();
            assertThat(listener.next().status()).isEqualTo(BackendState.Status.UP);
            assertThat(listener.lost).isEmpty();
        }
    }

    @Test
    @DisplayName("an array with a longer heartbeat keeps a channel whose silence limit matches, and loses one whose limit is shorter")
    void silenceLimitFollowsTheHeartbeat() throws Exception {
        server.close();
        server = SimulatedArrayServer.start(0, Optional.of(accessKey), 700);
        server.addDevice("array-a", Map.of("gold", 100L));
        Recorder matching = new Recorder();
        Recorder tooShort = new Recorder();
        try (VolumeDriver kept = open(Map.of("sim_push_silence", "2100ms"));
                VolumeDriver lost = open(Map.of("sim_push_silence", "300ms"))) {
            ((BackendStatePublisher) kept).publishTo(matching);
            ((BackendStatePublisher) lost).publishTo(tooShort);
            assertThat(tooShort.lost.poll(10, TimeUnit.SECONDS)).contains("lost");
            assertThat(matching.next().status()).isEqualTo(BackendState.Status.UP);
            assertThat(matching.lost.poll(3, TimeUnit.SECONDS)).as("three heartbeats later, still not lost").isNull();
            server.setDeviceUp("array-a", false, "pump failed");
            assertThat(matching.next().reason()).contains("pump failed");
        }
    }

    @Test
    @DisplayName("sim_push = false turns push off")
    void pushOff() throws Exception {
        try (VolumeDriver driver = open(Map.of("sim_push", "false"))) {
            assertThat(((BackendStatePublisher) driver).publishTo(new Recorder())).isFalse();
        }
    }

    private VolumeDriver open(Map<String, String> extra) {
        SimulatedArrayDriverProvider provider = new SimulatedArrayDriverProvider();
        Map<String, String> options = new HashMap<>(Map.of("volume_driver", "sim", "sim_port",
                Integer.toString(server.port()), "sim_device", "array-a", "sim_access_key", accessKey,
                "sim_timeout", "1s"));
        options.putAll(extra);
        return provider.open(DriverConfig.validate(provider.descriptor(), "sim-push-test", options),
                DriverContext.standard("sim-push-test"));
    }

    private static final class Recorder implements BackendStateListener {
        final BlockingQueue<BackendState> states = new LinkedBlockingQueue<>();
        final BlockingQueue<String> lost = new LinkedBlockingQueue<>();
        final BlockingQueue<Boolean> restored = new LinkedBlockingQueue<>();

        @Override
        public void stateChanged(BackendState state) {
            states.add(state);
        }

        @Override
        public void pushLost(String reason) {
            lost.add(reason);
        }

        @Override
        public void pushRestored() {
            restored.add(Boolean.TRUE);
        }

        BackendState next() throws InterruptedException {
            BackendState state = states.poll(10, TimeUnit.SECONDS);
            assertThat(state).as("a pushed state").isNotNull();
            return state;
        }
    }
}
