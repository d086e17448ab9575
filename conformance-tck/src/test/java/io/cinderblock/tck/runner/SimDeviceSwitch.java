package io.cinderblock.tck.runner;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * The runner tests' {@code --break-device}/{@code --heal-device} command for the SIMULATED array: sends
 * its SET verb and exits 0 on {@code OK}. Usage: {@code SimDeviceSwitch PORT DEVICE UP|DOWN}, the
 * access key in the environment variable {@code SIM_ACCESS_KEY} (never on a command line).
 */
public final class SimDeviceSwitch {
    private SimDeviceSwitch() {}

    public static void main(String[] args) throws Exception {
        String key = System.getenv("SIM_ACCESS_KEY");
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0]))) {
            socket.setSoTimeout(10_000);
            Writer out = new OutputStreamWriter(socket.getOutputStream(), StandardCharsets.UTF_8);
            if (key != null) {
                out.write("KEY " + key + "\n");
            }
            out.write("SET " + args[1] + " " + args[2] + (args[2].equals("DOWN") ? " simulated-controller-failed" : "")
                    + "\n");
            out.flush();
            String answer = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8))
                    .readLine();
            if (answer == null || !answer.startsWith("OK")) {
                System.out.println("the simulated array answered: " + answer);
                System.exit(1);
            }
        }
    }
}
