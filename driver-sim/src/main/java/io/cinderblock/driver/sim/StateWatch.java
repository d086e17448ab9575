package io.cinderblock.driver.sim;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStateListener;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The push channel to the simulated array: one long-lived {@code WATCH} connection on a daemon
 * thread. A {@code STATE DOWN} line is pushed at once; a {@code STATE UP} line is confirmed with a
 * probe first. A connection that breaks or carries no line for the silence limit ({@code
 * sim_push_silence}, three of the array's heartbeat periods by default) is reported as push lost, and re-opened with a growing pause (up to ten seconds); the first state
 * line on the new connection reports push restored.
 */
final class StateWatch implements AutoCloseable {
    private final String host;
    private final int port;
    private final Optional<String> accessKey;
    private final String device;
    private final Duration connectTimeout;
    private final Duration silence;
    private final BackendStateListener listener;
    private final Supplier<BackendState> probe;
    private final java.time.Clock clock;
    private final Thread thread;
    private volatile boolean closed;
    private volatile Socket socket;

    StateWatch(String host, int port, Optional<String> accessKey, String device, Duration connectTimeout,
            Duration silence, String backendName, BackendStateListener listener, Supplier<BackendState> probe, java.time.Clock clock) {
        this.host = host;
        this.port = port;
        this.accessKey = accessKey;
        this.device = device;
        this.connectTimeout = connectTimeout;
        this.silence = silence;
        this.listener = listener;
        this.probe = probe;
        this.clock = clock;
        this.thread = new Thread(this::run, "sim-push-" + backendName);
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    private void run() {
        long pauseMillis = 250;
        boolean lost = false;
        while (!closed) {
            String failure;
            try (Socket connection = new Socket()) {
                socket = connection;
                connection.connect(new InetSocketAddress(host, port), (int) Math.max(1, connectTimeout.toMillis()));
                connection.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, silence.toMillis())));
                Writer out = new OutputStreamWriter(connection.getOutputStream(), StandardCharsets.UTF_8);
                if (accessKey.isPresent()) {
                    out.write("KEY " + accessKey.get() + "\n");
                }
                out.write("WATCH " + device + "\n");
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                        StandardCharsets.UTF_8));
                String line;
                while (!closed && (line = in.readLine()) != null) {
                    if (line.startsWith("STATE ")) {
                        if (lost) {
                            listener.pushRestored();
                            lost = false;
                        }
                        pauseMillis = 250;
                        deliver(line.substring(6));
                    } else if (line.startsWith("ERR ")) {
                        break; // an unknown device or a rejected key: the probe reports it; retry later
                    }
                }
                failure = "the simulated array closed the watch connection";
            } catch (IOException e) {
                failure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            } finally {
                socket = null;
            }
            if (closed) {
                return;
            }
            if (!lost) {
                listener.pushLost("Push channel to simulated array " + host + ":" + port + " lost (" + failure
                        + "); relying on polling");
                lost = true;
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                return;
            }
            pauseMillis = Math.min(10_000, pauseMillis * 2);
        }
    }

    private void deliver(String state) {
        if (state.startsWith("DOWN")) {
            String reason = state.length() > 5 ? state.substring(5) : "switched down";
            listener.stateChanged(BackendState.down("Simulated device '" + device + "' announced it is down: "
                    + reason, clock));
        } else {
            BackendState confirmed = probe.get(); // never take a recovery on the device's word alone
            listener.stateChanged(new BackendState(confirmed.status(), "After the simulated array announced '"
                    + device + "' up: " + confirmed.reason(), confirmed.observedAt()));
        }
    }

    @Override
    public void close() {
        closed = true;
        Socket current = socket;
        if (current != null) {
            try {
                current.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
