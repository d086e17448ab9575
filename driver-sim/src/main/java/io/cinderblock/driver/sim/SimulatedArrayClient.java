package io.cinderblock.driver.sim;

import io.cinderblock.sdk.error.DeviceUnavailableException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Talks to a {@link SimulatedArrayServer}: one TCP connection per request, bounded by a connect
 * timeout and a read timeout, so a stalled array can never hold a caller longer than both.
 */
final class SimulatedArrayClient {
    private final String host;
    private final int port;
    private final Optional<String> accessKey;
    private final Duration timeout;

    SimulatedArrayClient(String host, int port, Optional<String> accessKey, Duration timeout) {
        this.host = host;
        this.port = port;
        this.accessKey = accessKey;
        this.timeout = timeout;
    }

    /** A parsed answer: {@code OK k=v ...} or {@code ERR CODE message}. */
    static final class Answer {
        final boolean ok;
        final String code;
        final String message;
        final Map<String, String> fields;
        final List<String> pools;

        private Answer(boolean ok, String code, String message, Map<String, String> fields, List<String> pools) {
            this.ok = ok;
            this.code = code;
            this.message = message;
            this.fields = fields;
            this.pools = pools;
        }

        static Answer parse(String line) {
            if (line.startsWith("ERR ")) {
                String[] parts = line.split(" ", 3);
                return new Answer(false, parts[1], parts.length > 2 ? parts[2] : "", Map.of(), List.of());
            }
            if (!line.equals("OK") && !line.startsWith("OK ")) {
                throw new IllegalArgumentException("malformed answer '" + line + "'");
            }
            Map<String, String> fields = new LinkedHashMap<>();
            List<String> pools = new ArrayList<>();
            for (String word : line.substring(2).strip().split(" ")) {
                if (word.isEmpty()) {
                    continue;
                }
                int eq = word.indexOf('=');
                if (eq < 1) {
                    throw new IllegalArgumentException("malformed field '" + word + "'");
                }
                if (word.startsWith("pool=") && word.indexOf(',') > 0) {
                    pools.add(word.substring(5));
                } else {
                    fields.put(word.substring(0, eq), word.substring(eq + 1));
                }
            }
            return new Answer(true, "", "", fields, pools);
        }
    }

    /**
     * Sends one request.
     *
     * @throws DeviceUnavailableException when the array cannot be reached, resets, stalls past the
     *     timeout, or answers garbage
     */
    Answer send(String request) {
        String where = host + ":" + port;
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), millis);
            socket.setSoTimeout(millis);
            Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
            if (accessKey.isPresent()) {
                out.write("KEY " + accessKey.get() + "\n");
            }
            out.write(request + "\n");
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            String line = in.readLine();
            if (line == null) {
                throw new DeviceUnavailableException("Simulated array at " + where + " closed the connection without answering");
            }
            try {
                return Answer.parse(line.strip());
            } catch (IllegalArgumentException e) {
                throw new DeviceUnavailableException("Simulated array at " + where + " sent a " + e.getMessage());
            }
        } catch (ConnectException e) {
            throw new DeviceUnavailableException("Cannot connect to simulated array at " + where + ": " + e.getMessage(), e);
        } catch (SocketTimeoutException e) {
            throw new DeviceUnavailableException("Simulated array at " + where + " did not answer within "
                    + millis + " ms", e);
        } catch (IOException e) {
            throw new DeviceUnavailableException("Connection to simulated array at " + where + " failed: " + e, e);
        }
    }
}
