package io.cinderblock.driver.lvm;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Process and file chores of the real test host: waiting for a server's port, ending process trees, clean-up. */
final class TestProcesses {
    private TestProcesses() {}

    /**
     * Waits up to 15 s until {@code process} listens on 127.0.0.1:{@code port}; with {@code sshBanner},
     * until it also sends the SSH banner, so a test never races sshd's start-up.
     */
    static void waitForPort(Process process, int port, String what, boolean sshBanner, Path log) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (System.nanoTime() < deadline && process.isAlive()) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                if (!sshBanner) {
                    return;
                }
                socket.setSoTimeout(2000);
                InputStream in = socket.getInputStream();
                byte[] banner = new byte[4];
                if (in.readNBytes(banner, 0, 4) == 4 && new String(banner, StandardCharsets.US_ASCII).equals("SSH-")) {
                    return;
                }
            } catch (IOException e) {
                sleep(50);
            }
        }
        throw new IllegalStateException(what + " did not listen on 127.0.0.1:" + port + ": " + readQuietly(log));
    }

    /** Kills a process and its descendants and waits for them (our own servers, by PID, never by name). */
    static void destroyTree(Process process) {
        List<ProcessHandle> family = new ArrayList<>(process.descendants().toList());
        family.add(process.toHandle());
        family.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle handle : family) {
            try {
                handle.onExit().get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                System.err.println("cleanup: process " + handle.pid() + " did not exit: " + e);
            }
        }
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A server's log for an error message; never throws. */
    static String readQuietly(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file) : "(no log)";
        } catch (IOException e) {
            return "(unreadable log: " + e.getMessage() + ")";
        }
    }

    static void deleteQuietly(Path path) {
        try {
            Files.deleteIfExists(path);
        } catch (IOException e) {
            System.err.println("cleanup: " + e.getMessage());
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(TestProcesses::deleteQuietly);
        } catch (IOException e) {
            System.err.println("cleanup: " + e.getMessage());
        }
    }
}
