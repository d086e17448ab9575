package io.cinderblock.driver.sim;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Serves every {@code WATCH} connection of a {@link SimulatedArrayServer} from ONE thread: state
 * lines as they happen, a {@code HEARTBEAT} to every watcher every heartbeat period. One simulated array can then hold thousands of watch
 * connections (a benchmark's 10,000 backends) without a thread each; a real array would be
 * thousands of devices, each with its own connection. Writes never block: a watcher whose socket
 * buffer is full is not reading, and is dropped (its driver reconnects, and reports push lost).
 */
final class WatchPump implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(WatchPump.class.getName());

    private final BlockingQueue<Delivery> pending = new LinkedBlockingQueue<>();
    private final Set<Watcher> watchers = ConcurrentHashMap.newKeySet();
    private final Thread thread;
    private final long heartbeatNanos;
    private volatile boolean closed;

    private record Delivery(Watcher watcher, String line) {}

    /** One watch connection; the device calls it with each state line (under the device lock). */
    private final class Watcher implements Consumer<String> {
        final SocketChannel channel;
        final SimulatedDevice device;

        Watcher(SocketChannel channel, SimulatedDevice device) {
            this.channel = channel;
            this.device = device;
        }

        @Override
        public void accept(String line) {
            pending.add(new Delivery(this, line));
        }
    }

    WatchPump(String name, int heartbeatMillis) {
        heartbeatNanos = TimeUnit.MILLISECONDS.toNanos(heartbeatMillis);
        thread = new Thread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Takes over {@code channel}: from now on only this pump writes to it, and closes it. */
    void add(SocketChannel channel, SimulatedDevice device) throws IOException {
        channel.configureBlocking(false);
        Watcher watcher = new Watcher(channel, device);
        watchers.add(watcher);
        if (closed) {
            drop(watcher);
            return;
        }
        device.watch(watcher); // queues the current state first
    }

    /** Watch connections open now. */
    int size() {
        return watchers.size();
    }

    private void run() {
        long next = System.nanoTime() + heartbeatNanos;
        while (!closed) {
            try {
                Delivery delivery = pending.poll(Math.max(0, next - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (delivery != null) {
                    send(delivery.watcher(), delivery.line());
                }
            } catch (InterruptedException e) {
                return;
            }
            long now = System.nanoTime();
            if (now - next >= 0) {
                for (Watcher watcher : watchers) {
                    send(watcher, "HEARTBEAT");
                }
                next = Math.max(next, now) + heartbeatNanos;
            }
        }
    }

    private void send(Watcher watcher, String line) {
        if (!watchers.contains(watcher)) {
            return;
        }
        ByteBuffer bytes = ByteBuffer.wrap((line + "\n").getBytes(StandardCharsets.UTF_8));
        try {
            watcher.channel.write(bytes);
            if (bytes.hasRemaining()) {
                LOG.log(System.Logger.Level.DEBUG, "Dropping a watcher of ''{0}'' that does not read",
                        watcher.device.name());
                drop(watcher);
            }
        } catch (IOException e) {
            drop(watcher); // the driver went away or reset the connection
        }
    }

    private void drop(Watcher watcher) {
        watchers.remove(watcher);
        watcher.device.unwatch(watcher);
        try {
            watcher.channel.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        try {
            thread.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Watcher watcher : watchers) {
            drop(watcher);
        }
    }
}
