package io.cinderblock.driver.snmp;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStateListener;
import io.cinderblock.sdk.testing.LocalPorts;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Push: the driver hears real net-snmp notifications. snmpd itself announces its shutdown
 * ({@code nsNotifyShutdown}) and its start ({@code coldStart}/{@code nsNotifyStart}) to a
 * {@code trap2sink}; net-snmp's {@code snmptrap} and {@code snmpinform} send v3 notifications with
 * the backend's USM user. Forged and unlisted notifications change nothing.
 */
@DisplayName("snmp-array receives the agent's SNMP notifications (real net-snmp)")
class NetSnmpNotificationTest {
    private static final String SHUTDOWN = "1.3.6.1.4.1.8072.4.0.2";
    private static final String COLD_START = "1.3.6.1.6.3.1.1.5.1";
    private final List<AutoCloseable> cleanup = new ArrayList<>();

    @AfterEach
    void cleanUp() throws Exception {
        for (int i = cleanup.size() - 1; i >= 0; i--) {
            cleanup.get(i).close();
        }
    }

    @Test
    @DisplayName("v2c trap2sink: snmpd's shutdown turns the backend DOWN at once, its restart re-reads and pushes UP")
    void agentShutdownAndRestart() throws Exception {
        int trapPort = LocalPorts.freeUdpPort();
        NetSnmpAgent agent = track(NetSnmpAgent.start(List.of(
                "trap2sink 127.0.0.1:" + trapPort + " " + NetSnmpAgent.COMMUNITY_PLACEHOLDER)));
        Map<String, String> options = agent.v2cConfig(Profiles.HOST_RESOURCES);
        options.put(NotificationReceiver.PORT, Integer.toString(trapPort));
        options.put(NotificationReceiver.ADDRESS, "127.0.0.1");
        SnmpArrayDriver driver = track(SnmpTestSupport.open(options));
        RecordingListener listener = new RecordingListener();
        assertThat(driver.publishTo(listener)).isTrue();

        agent.shutdown();
        BackendState down = listener.next();
        assertThat(down.status()).isEqualTo(BackendState.Status.DOWN);
        assertThat(down.reason()).contains("announced a failure").contains(SHUTDOWN).contains("127.0.0.1:" + agent.port());

        agent.restart();
        BackendState up = listener.nextWith(BackendState.Status.UP);
        assertThat(up.reason()).startsWith("After SNMP notification").contains("answers, health OK");
        assertThat(listener.lost).isEmpty();
    }

    @Test
    @DisplayName("v3 authPriv: snmptrap (agent's engine ID) and snmpinform (acknowledged) with the backend's user are heard")
    void v3TrapAndInform() throws Exception {
        NetSnmpAgent agent = track(NetSnmpAgent.start());
        int trapPort = LocalPorts.freeUdpPort();
        Map<String, String> options = agent.v3Config(Profiles.UCD_DISK);
        options.put(NotificationReceiver.PORT, Integer.toString(trapPort));
        options.put(NotificationReceiver.ADDRESS, "127.0.0.1");
        SnmpArrayDriver driver = track(SnmpTestSupport.open(options));
        RecordingListener listener = new RecordingListener();
        driver.publishTo(listener);

        assertThat(send("snmptrap", agent, agent.authKey(), trapPort, SHUTDOWN)).isZero();
        BackendState down = listener.next();
        assertThat(down.status()).isEqualTo(BackendState.Status.DOWN);
        assertThat(down.reason()).contains(SHUTDOWN);

        assertThat(send("snmpinform", agent, agent.authKey(), trapPort, COLD_START))
                .as("snmpinform exits 0 only when the inform was acknowledged").isZero();
        assertThat(listener.nextWith(BackendState.Status.UP).reason()).contains(COLD_START);
    }

    @Test
    @DisplayName("forged notifications (wrong community, wrong v3 key) and unlisted ones change nothing")
    void forgedAndUnlisted() throws Exception {
        NetSnmpAgent agent = track(NetSnmpAgent.start());
        int trapPort = LocalPorts.freeUdpPort();
        Map<String, String> v2c = agent.v2cConfig(Profiles.HOST_RESOURCES);
        v2c.put(NotificationReceiver.PORT, Integer.toString(trapPort));
        v2c.put(NotificationReceiver.ADDRESS, "127.0.0.1");
        SnmpArrayDriver driver = track(SnmpTestSupport.open(v2c));
        RecordingListener listener = new RecordingListener();
        driver.publishTo(listener);

        int status = run("snmptrap", "-v", "2c", "-c", "not-the-community", "127.0.0.1:" + trapPort, "", SHUTDOWN);
        assertThat(status).isZero();
        awaitDropped(driver, 1);
        // Listed as nothing: a linkUp-like private OID the profile does not name is ignored.
        int community = run("snmptrap", "-v", "2c", "-c", v2c.get("snmp_community"), "127.0.0.1:" + trapPort, "",
                "1.3.6.1.4.1.32473.99.1");
        assertThat(community).isZero();
        // A v3 inform with a wrong key is refused by USM: never acknowledged, never delivered.
        Map<String, String> v3 = agent.v3Config(Profiles.HOST_RESOURCES);
        int v3Port = LocalPorts.freeUdpPort();
        v3.put(NotificationReceiver.PORT, Integer.toString(v3Port));
        v3.put(NotificationReceiver.ADDRESS, "127.0.0.1");
        SnmpArrayDriver v3Driver = track(SnmpTestSupport.open(v3));
        v3Driver.publishTo(listener);
        assertThat(send("snmpinform", agent, "wrong-key-" + agent.authKey(), v3Port, SHUTDOWN)).isNotZero();

        // The genuine shutdown after the forged ones is the first and only event.
        assertThat(run("snmptrap", "-v", "2c", "-c", v2c.get("snmp_community"), "127.0.0.1:" + trapPort, "",
                SHUTDOWN)).isZero();
        BackendState first = listener.next();
        assertThat(first.status()).isEqualTo(BackendState.Status.DOWN);
        assertThat(listener.events).isEmpty();
    }

    @Test
    @DisplayName("close releases the notification port; a port in use is reported as push lost, not an error")
    void portLifecycle() throws Exception {
        NetSnmpAgent agent = track(NetSnmpAgent.start());
        int trapPort = LocalPorts.freeUdpPort();
        Map<String, String> options = agent.v2cConfig(Profiles.HOST_RESOURCES);
        options.put(NotificationReceiver.PORT, Integer.toString(trapPort));
        options.put(NotificationReceiver.ADDRESS, "127.0.0.1");
        try (SnmpArrayDriver driver = SnmpTestSupport.open(options)) {
            driver.publishTo(new RecordingListener());
            try (SnmpArrayDriver second = SnmpTestSupport.open(options)) {
                RecordingListener listener = new RecordingListener();
                assertThat(second.publishTo(listener)).isTrue();
                assertThat(listener.lost).singleElement().asString()
                        .contains("Cannot receive SNMP notifications on 127.0.0.1/" + trapPort).contains("polling");
            }
        }
        try (DatagramSocket socket = new DatagramSocket(trapPort, InetAddress.getLoopbackAddress())) {
            assertThat(socket.getLocalPort()).isEqualTo(trapPort);
        }
        options.put(NotificationReceiver.PORT, "0");
        try (SnmpArrayDriver off = SnmpTestSupport.open(options)) {
            assertThat(off.publishTo(new RecordingListener())).as("push off by configuration").isFalse();
        }
    }

    private int send(String tool, NetSnmpAgent agent, String authKey, int port, String oid) throws Exception {
        List<String> command = new ArrayList<>(List.of(tool, "-v", "3", "-u", NetSnmpAgent.USER, "-l", "authPriv",
                "-a", "SHA-256", "-A", authKey, "-x", "AES", "-X", agent.privKey(), "-t", "1", "-r", "1"));
        if (tool.equals("snmptrap")) {
            command.addAll(List.of("-e", "0x80001f8880c1b1c0ffee0001")); // a trap carries the sender's engine ID
        }
        command.addAll(List.of("127.0.0.1:" + port, "", oid));
        return run(command.toArray(String[]::new));
    }

    private static int run(String... command) throws IOException, InterruptedException {
        SnmpTestSupport.requireTool(command[0], "snmp");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        builder.environment().put("MIBS", "");
        Process process = builder.start();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command[0] + " did not finish");
        }
        return process.exitValue();
    }

    private static void awaitDropped(SnmpArrayDriver driver, long count) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (driver.droppedNotifications() < count) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the forged notification was not received at all");
            }
            Thread.sleep(20);
        }
    }

    private <T extends AutoCloseable> T track(T resource) {
        cleanup.add(resource);
        return resource;
    }

    /** A listener that queues what the driver pushes. */
    private static final class RecordingListener implements BackendStateListener {
        final BlockingQueue<BackendState> events = new LinkedBlockingQueue<>();
        final List<String> lost = new ArrayList<>();

        @Override
        public void stateChanged(BackendState state) {
            events.add(state);
        }

        @Override
        public synchronized void pushLost(String reason) {
            lost.add(reason);
        }

        @Override
        public void pushRestored() {}

        BackendState next() throws InterruptedException {
            BackendState state = events.poll(15, TimeUnit.SECONDS);
            assertThat(state).as("a pushed state").isNotNull();
            return state;
        }

        BackendState nextWith(BackendState.Status status) throws InterruptedException {
            while (true) {
                BackendState state = next();
                if (state.status() == status) {
                    return state;
                }
            }
        }
    }
}
