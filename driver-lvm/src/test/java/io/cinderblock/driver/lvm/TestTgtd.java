package io.cinderblock.driver.lvm;

import static io.cinderblock.driver.lvm.HostCommands.check;
import static io.cinderblock.driver.lvm.HostCommands.run;
import static io.cinderblock.driver.lvm.HostCommands.tool;

import io.cinderblock.sdk.testing.LocalPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/** A private, real {@code tgtd} (Debian's {@code tgt}) on free loopback ports, for the export tests. */
final class TestTgtd {
    private final Path log;
    private final int portalPort;
    private final int controlPort;
    private Process tgtd;

    private TestTgtd(Path log, int portalPort, int controlPort) {
        this.log = log;
        this.portalPort = portalPort;
        this.controlPort = controlPort;
    }

    /** Starts tgtd, logging to {@code log}, and waits until its control socket answers. */
    static TestTgtd start(Path log) {
        tool("tgtd", "tgt");
        tool("tgtadm", "tgt");
        // tgtadm's control port names a Unix socket (/var/run/tgtd/socket.N), not a TCP port; tgtd
        // accepts numbers up to 32767, and the default instance uses 0.
        TestTgtd target = new TestTgtd(log, LocalPorts.freeTcpPort(), 10000 + (int) (Math.random() * 20000));
        target.launch();
        return target;
    }

    int portalPort() {
        return portalPort;
    }

    int controlPort() {
        return controlPort;
    }

    /** {@code tgtadm --op show --mode target} of this tgtd. */
    String targets() {
        return check("tgtadm", "--control-port", String.valueOf(controlPort), "--lld", "iscsi", "--mode", "target",
                "--op", "show");
    }

    /** Ends tgtd and removes its control sockets; idempotent. */
    void stop() {
        if (tgtd == null) {
            return;
        }
        // tgtd ignores SIGTERM while targets exist; it is ours, so end it by PID.
        TestProcesses.destroyTree(tgtd);
        tgtd = null;
        for (String name : List.of("socket." + controlPort, "socket." + controlPort + ".lock")) {
            TestProcesses.deleteQuietly(Path.of("/var/run/tgtd", name));
        }
    }

    private void launch() {
        try {
            tgtd = new ProcessBuilder(tool("tgtd", "tgt"), "-f", "--control-port", String.valueOf(controlPort),
                    "--iscsi", "portal=127.0.0.1:" + portalPort)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TestProcesses.waitForPort(tgtd, portalPort, "tgtd", false, log);
        for (int i = 0; i < 50; i++) {
            if (run("tgtadm", "--control-port", String.valueOf(controlPort), "--lld", "iscsi", "--mode", "target",
                    "--op", "show").exitStatus() == 0) {
                return;
            }
            TestProcesses.sleep(100);
        }
        throw new IllegalStateException("tgtd did not answer on control port " + controlPort + ": "
                + TestProcesses.readQuietly(log));
    }
}
