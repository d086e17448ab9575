package io.cinderblock.driver.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStateListener;
import io.cinderblock.sdk.spi.BackendStatePublisher;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.testing.Await;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * How the sim driver and the SIMULATED array use connections: requests share a few persistent
 * connections per array, and one server thread serves every watch connection.
 */
@DisplayName("sim driver and simulated array: persistent connections")
class SimulatedArrayConnectionTest {
    private final String accessKey = UUID.randomUUID().toString();
    private SimulatedArrayServer server;

    @BeforeEach
    void start() throws IOException {
        server = SimulatedArrayServer.start(0, Optional.of(accessKey));
        for (int i = 0; i < 20; i++) {
            server.addDevice("dev-" + i, Map.of("gold", 100L));
        }
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    @DisplayName("twenty backends on one array probe over one shared connection, closed with the last backend")
    void backendsShareConnections() {
        List<VolumeDriver> drivers = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            drivers.add(open("dev-" + i, Map.of("sim_push", "false")));
        }
        for (int round = 0; round < 3; round++) {
            for (VolumeDriver driver : drivers) {
                assertThat(driver.backendState().status()).isEqualTo(BackendState.Status.UP);
            }
        }
        assertThat(server.requestConnections()).as("one connection for 60 sequential probes").isEqualTo(1);
        drivers.subList(1, 20).forEach(VolumeDriver::close);
        assertThat(server.requestConnections()).as("still used by the last backend").isEqualTo(1);
        drivers.get(0).close();
        Await.until(Duration.ofSeconds(5), server::requestConnections, n -> n == 0, "the shared connection closed");
    }

    @Test
    @DisplayName("a pooled connection the array closed is replaced at once, and the request is answered")
    void aClosedPooledConnectionIsReplaced() throws IOException {
        int port = server.port();
        try (VolumeDriver driver = open("dev-0", Map.of("sim_push", "false"))) {
            assertThat(driver.backendState().status()).isEqualTo(BackendState.Status.UP);
            server.close(); // closes the pooled connection too
            server = SimulatedArrayServer.start(port, Optional.of(accessKey));
            server.addDevice("dev-0", Map.of("gold", 100L));
            server.setDeviceUp("dev-0", false, "controller B failed");
            BackendState state = driver.backendState();
            assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
            assertThat(state.reason()).contains("controller B failed");
        }
    }

    @Test
    @DisplayName("one request per connection (nc, old clients) is still served, and several requests on one connection too")
    void oneOrManyRequestsPerConnection() throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            out.write("KEY " + accessKey + "\nPING dev-1\nSET dev-1 DOWN fan\nPING dev-1\n");
            out.flush();
            assertThat(in.readLine()).isEqualTo("OK state=up");
            assertThat(in.readLine()).isEqualTo("OK state=down");
            assertThat(in.readLine()).startsWith("ERR DOWN").contains("fan");
            socket.shutdownOutput();
            assertThat(in.readLine()).as("the array closes when the client is done").isNull();
        }
    }

    @Test
    @DisplayName("twenty watch connections are served by the array's one watch thread and see their device's changes")
    void watchersShareOneThread() throws Exception {
        List<VolumeDriver> drivers = new ArrayList<>();
        List<AtomicInteger> downs = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            VolumeDriver driver = open("dev-" + i, Map.of());
            AtomicInteger down = new AtomicInteger();
            downs.add(down);
            ((BackendStatePublisher) driver).publishTo(new BackendStateListener() {
                @Override
                public void stateChanged(BackendState state) {
                    if (state.status() == BackendState.Status.DOWN) {
                        down.incrementAndGet();
                    }
                }

                @Override
                public void pushLost(String reason) {}

                @Override
                public void pushRestored() {}
            });
            drivers.add(driver);
        }
        try {
            Await.until(Duration.ofSeconds(10), server::watchConnections, n -> n == 20, "20 watch connections");
            // Only the probes' pooled connections (the driver confirms each announced UP) hold a thread.
            assertThat(server.requestConnections()).as("request connections, a thread each")
                    .isLessThanOrEqualTo(SimulatedArrayClient.MAX_IDLE);
            for (int i = 0; i < 20; i += 2) {
                server.setDeviceUp("dev-" + i, false, "bench");
            }
            for (int i = 0; i < 20; i++) {
                int expected = i % 2 == 0 ? 1 : 0;
                AtomicInteger down = downs.get(i);
                Await.until(Duration.ofSeconds(5), down::get, n -> n == expected, "DOWN pushes for dev-" + i);
            }
        } finally {
            drivers.forEach(VolumeDriver::close);
        }
    }

    private VolumeDriver open(String device, Map<String, String> extra) {
        SimulatedArrayDriverProvider provider = new SimulatedArrayDriverProvider();
        Map<String, String> options = new HashMap<>(Map.of("volume_driver", "sim", "sim_port",
                Integer.toString(server.port()), "sim_device", device, "sim_access_key", accessKey,
                "sim_timeout", "1s"));
        options.putAll(extra);
        return provider.open(DriverConfig.validate(provider.descriptor(), "sim-" + device, options),
                DriverContext.standard("sim-" + device));
    }
}
