package io.cinderblock.service.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Switches a device of the SIMULATED array up or down over its two-line TCP protocol ({@code KEY
 * <key>} then {@code SET <device> UP|DOWN [reason]}). Speaks the protocol itself, so the service
 * never links against the simulator's classes.
 */
public final class SimulatorSwitch {
    private static final int TIMEOUT_MILLIS = 5_000;

    private SimulatorSwitch() {}

    /**
     * Sends the switch and returns the simulator's one-line answer ({@code OK state=down} or
     * {@code ERR CODE message}).
     *
     * @throws IOException the simulator cannot be reached or did not answer
     */
    public static String set(String host, int port, Optional<String> accessKey, String device, boolean up,
            String reason) throws IOException {
        if (device.isBlank() || device.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("Device name '" + device + "' must be one word");
        }
        String clean = reason.replaceAll("[\\r\\n]+", " ").strip();
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
            if (accessKey.isPresent()) {
                out.write("KEY " + accessKey.get() + "\n");
            }
            out.write("SET " + device + (up ? " UP" : " DOWN" + (clean.isEmpty() ? "" : " " + clean)) + "\n");
            out.flush();
            String answer = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            if (answer == null) {
                throw new IOException("The simulator at " + host + ":" + port + " closed the connection without answering");
            }
            return answer.strip();
        } catch (java.net.ConnectException e) {
            throw new IOException("Cannot reach the simulated array at " + host + ":" + port + " (" + e.getMessage()
                    + "); is the service (or the simulator) running?", e);
        }
    }
}
