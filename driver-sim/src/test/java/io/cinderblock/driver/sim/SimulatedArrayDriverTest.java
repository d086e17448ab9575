package io.cinderblock.driver.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.host.Backend;
import io.cinderblock.sdk.host.BackendRegistry;
import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.host.metadata.VolumeRecord;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.testing.LocalPorts;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sim driver through the SDK facade, against a SIMULATED array server in this JVM. */
class SimulatedArrayDriverTest {
    private SimulatedArrayServer server;
    private BackendRegistry backends;
    private String accessKey;

    @BeforeEach
    void start() throws IOException {
        accessKey = "key-" + java.util.UUID.randomUUID();
        server = SimulatedArrayServer.start(0, Optional.of(accessKey));
        server.addDevice("array-a", Map.of("gold", 100L));
        backends = BackendRegistry.builder().drivers(DriverRegistry.fromClassPath()).build();
    }

    @AfterEach
    void stop() {
        backends.close();
        server.close();
    }

    private Map<String, String> config(int port) {
        Map<String, String> config = new HashMap<>();
        config.put("volume_driver", "sim");
        config.put("sim_port", String.valueOf(port));
        config.put("sim_device", "array-a");
        config.put("sim_access_key", accessKey);
        config.put("sim_timeout", "500ms");
        return config;
    }

    @Test
    void reportsStatsAndStateOfTheSimulatedDevice() {
        Backend backend = backends.open("sim-1", config(server.port()));

        BackendStats stats = backend.stats(true);
        assertThat(stats.backendName()).isEqualTo("sim-1");
        assertThat(stats.vendorName()).contains("simulator");
        assertThat(stats.pools()).singleElement().satisfies(pool -> {
            assertThat(pool.poolName()).isEqualTo("gold");
            assertThat(pool.totalCapacity().gib()).isEqualTo(100);
            assertThat(pool.freeCapacity().gib()).isEqualTo(100);
        });
        assertThat(stats.toCinderMap()).containsEntry("backend_state", "up").containsEntry("storage_protocol", "iSCSI");
        assertThat(backend.state().status()).isEqualTo(BackendState.Status.UP);
    }

    @Test
    void aDeviceSwitchedDownIsDownWithTheReasonAndRecovers() {
        Backend backend = backends.open("sim-1", config(server.port()));
        backend.stats(true);

        server.setDeviceUp("array-a", false, "controller A failed");
        BackendState down = backend.state();
        assertThat(down.status()).isEqualTo(BackendState.Status.DOWN);
        assertThat(down.reason()).contains("controller A failed");
        assertThat(backend.stats(true).backendState()).isEqualTo(BackendState.Status.DOWN);

        server.setDeviceUp("array-a", true, "");
        assertThat(backend.state().isUp()).isTrue();
        assertThat(backend.stats(true).backendState()).isEqualTo(BackendState.Status.UP);
    }

    @Test
    void provisioningMovesFreeCapacity() {
        Backend backend = backends.open("sim-1", config(server.port()));

        VolumeRecord volume = backend.createVolume(10);
        assertThat(backend.stats(true).freeCapacity().gib()).isEqualTo(90);
        VolumeRecord extended = backend.extendVolume(volume.id(), 15);
        assertThat(extended.sizeGib()).isEqualTo(15);
        var snapshot = backend.createSnapshot(volume.id());
        VolumeRecord fromSnapshot = backend.createVolumeFromSnapshot(snapshot.id(), 15);
        VolumeRecord clone = backend.cloneVolume(volume.id(), 20);
        assertThat(clone.sizeGib()).isEqualTo(20);
        assertThat(backend.stats(true).freeCapacity().gib()).isEqualTo(100 - 15 - 15 - 15 - 20);

        ConnectionInfo info = backend.initializeConnection(volume.id(),
                Connector.iscsi("compute-1", "iqn.2026-11.org.example:compute-1"));
        assertThat(ConnectionInfo.isValidIqn((String) info.data().get("target_iqn"))).isTrue();
        assertThat(info.data()).containsEntry("target_lun", 1).containsEntry("auth_method", "CHAP");
        assertThat(info.toString()).doesNotContain((String) info.data().get("auth_password"));
        backend.terminateConnection(volume.id(), Connector.iscsi("compute-1", "iqn.2026-11.org.example:compute-1"));

        backend.deleteVolume(clone.id());
        backend.deleteVolume(fromSnapshot.id());
        backend.deleteSnapshot(snapshot.id());
        backend.deleteVolume(volume.id());
        assertThat(backend.volumes()).isEmpty();
        assertThat(backend.stats(true).freeCapacity().gib()).isEqualTo(100);
    }

    @Test
    void refusesAVolumeLargerThanTheFreeSpaceAndRecordsNothing() {
        Backend backend = backends.open("sim-1", config(server.port()));

        assertThatThrownBy(() -> backend.createVolume(101))
                .isInstanceOfSatisfying(CinderblockException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INSUFFICIENT_CAPACITY));
        assertThat(backend.volumes()).isEmpty();
    }

    @Test
    void anUnreachableArrayIsDownAndStatsFailTyped() throws IOException {
        int closedPort = LocalPorts.freeTcpPort();
        Backend backend = backends.open("sim-1", config(closedPort));

        BackendState state = backend.state();
        assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
        assertThat(state.reason()).contains("127.0.0.1:" + closedPort);
        assertThatThrownBy(() -> backend.stats(true)).isInstanceOf(DeviceUnavailableException.class);
    }

    @Test
    void aStalledArrayIsDownWithinTheDeadline() throws IOException {
        List<Socket> held = new ArrayList<>();
        try (ServerSocket stalled = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        held.add(stalled.accept()); // accept and never answer
                    }
                } catch (IOException e) {
                    // closed by the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            Backend backend = backends.open("sim-1", config(stalled.getLocalPort()));

            long started = System.nanoTime();
            BackendState state = backend.state();
            long tookMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
            assertThat(state.reason()).contains("did not answer");
            assertThat(tookMillis).isLessThanOrEqualTo(backend.stateDeadline().toMillis() + 500);
        } finally {
            for (Socket socket : held) {
                socket.close();
            }
        }
    }

    @Test
    void aWrongAccessKeyIsDownAndTheKeyIsNeverShown() {
        Map<String, String> config = config(server.port());
        config.put("sim_access_key", "wrong-key-value");
        Backend backend = backends.open("sim-1", config);

        BackendState state = backend.state();
        assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
        assertThat(state.reason()).contains("access key rejected").doesNotContain("wrong-key-value");
        assertThat(backend.config(true)).containsEntry("sim_access_key", "***");
    }

    @Test
    void badOptionsNameTheOption() {
        Map<String, String> config = config(server.port());
        config.put("sim_device", "bad device; rm -rf /");
        assertThatThrownBy(() -> backends.open("sim-1", config))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.option()).isEqualTo("sim_device"));

        Map<String, String> badPort = config(server.port());
        badPort.put("sim_port", "70000");
        assertThatThrownBy(() -> backends.open("sim-2", badPort))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.option()).isEqualTo("sim_port"));

        Map<String, String> badTimeout = config(server.port());
        badTimeout.put("sim_timeout", "soon");
        assertThatThrownBy(() -> backends.open("sim-3", badTimeout))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.option()).isEqualTo("sim_timeout"));

        Map<String, String> badSilence = config(server.port());
        badSilence.put("sim_push_silence", "50ms");
        assertThatThrownBy(() -> backends.open("sim-4", badSilence))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.option()).isEqualTo("sim_push_silence"))
                .hasMessageContaining("50 ms");
    }

    @Test
    void startsAnInProcessArrayForDemos() throws IOException {
        int port = LocalPorts.freeTcpPort();
        Map<String, String> config = new HashMap<>();
        config.put("volume_driver", "sim");
        config.put("sim_port", String.valueOf(port));
        config.put("sim_device", "demo-1");
        config.put("sim_start_server", "true");
        config.put("sim_pools", "fast=10,slow=20");
        Backend backend = backends.open("demo-1", config);
        try {
            assertThat(backend.stats(true).pools()).extracting(p -> p.poolName()).containsExactly("fast", "slow");
            assertThat(backend.state().isUp()).isTrue();
        } finally {
            SimulatedArrayServer.shared(port, Optional.empty()).close();
        }
    }

    @Test
    void withStartServerAnArrayAlreadyServingThePortIsUsedAsIs() {
        // 'server' stands for an array run by another process: this JVM's shared registry does not know it.
        Map<String, String> config = new HashMap<>();
        config.put("volume_driver", "sim");
        config.put("sim_port", String.valueOf(server.port()));
        config.put("sim_device", "array-a");
        config.put("sim_access_key", accessKey);
        config.put("sim_start_server", "true");

        Backend backend = backends.open("sim-client", config);

        assertThat(backend.state().isUp()).isTrue();
        assertThat(backend.stats(true).pools()).extracting(p -> p.poolName()).containsExactly("gold");
    }
}
