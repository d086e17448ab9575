package io.cinderblock.tck;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Stream;

/**
 * What a driver holds, for RES-1: every driver call runs on one thread of a fresh thread group, so
 * the threads the driver starts (and the threads those start) land in that group and are told apart
 * from the kit's, the device's and other drivers' without guessing at names; file descriptors are
 * counted from {@code /proc/self/fd} where the platform has it.
 */
final class ResourceProbe implements AutoCloseable {
    private static final String CALLER = "tck-resources-call";

    private final ThreadGroup group;
    private final ExecutorService calls;

    ResourceProbe(String name) {
        this.group = new ThreadGroup(name);
        this.calls = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(group, r, CALLER);
            t.setDaemon(true);
            return t;
        });
    }

    /** Where every driver call of the measurement runs. */
    ExecutorService calls() {
        return calls;
    }

    /** Names of the group's live threads but the kit's own caller. */
    List<String> driverThreads() {
        Thread[] threads = new Thread[group.activeCount() + 16];
        int n = group.enumerate(threads, true);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (threads[i].isAlive() && !threads[i].getName().equals(CALLER)) {
                names.add(threads[i].getName());
            }
        }
        return names;
    }

    /** Waits for the driver's threads to end; asks for a GC while waiting, as clients end their threads when collected. */
    List<String> awaitDriverThreadsGone(Duration bound) throws InterruptedException {
        long end = System.nanoTime() + bound.toNanos();
        List<String> alive = driverThreads();
        while (!alive.isEmpty() && System.nanoTime() < end) {
            System.gc();
            Thread.sleep(100);
            alive = driverThreads();
        }
        return alive;
    }

    /** The process's open file descriptors, where the platform lists them. */
    static OptionalLong openFileDescriptors() {
        Path fds = Path.of("/proc/self/fd");
        if (!Files.isDirectory(fds)) {
            return OptionalLong.empty();
        }
        System.gc(); // sockets dropped without close() are closed by their cleaners, not counted as leaks
        try (Stream<Path> list = Files.list(fds)) {
            return OptionalLong.of(list.count());
        } catch (IOException | UncheckedIOException e) {
            return OptionalLong.empty();
        }
    }

    /** A problem when the count grew by more than {@code slack} between two readings that both exist. */
    static Optional<String> fileDescriptorsGrew(OptionalLong before, OptionalLong after, int slack, String situation) {
        if (before.isPresent() && after.isPresent() && after.getAsLong() > before.getAsLong() + slack) {
            return Optional.of("open file descriptors grew from " + before.getAsLong() + " to " + after.getAsLong()
                    + " " + situation);
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        calls.shutdownNow();
    }
}
