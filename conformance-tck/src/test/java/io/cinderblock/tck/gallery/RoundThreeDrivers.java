package io.cinderblock.tck.gallery;

import static io.cinderblock.tck.gallery.BrokenDrivers.ForwardingListener;
import static io.cinderblock.tck.gallery.BrokenDrivers.closeQuietly;
import static io.cinderblock.tck.gallery.BrokenDrivers.connect;
import static io.cinderblock.tck.gallery.BrokenDrivers.keyLine;
import static io.cinderblock.tck.gallery.BrokenDrivers.pause;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.VolumeDriver;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Gallery drivers (see {@link BrokenDrivers}): round 3: credentials, idle and half-open paths,
 * agreement, push.
 */
final class RoundThreeDrivers {
    private RoundThreeDrivers() {}

    /** Every driver of this part of the gallery, in the gallery's order. */
    static List<BrokenDriverProvider> all() {
        return List.of(
                new StaysUpOnAuthFailure(),
                new SpuriousDownAfterIdleClose(),
                new HangsOnHalfOpenConnection(),
                new CachedStatsForConcurrentCallers(),
                new CachesDeviceAddress(),
                new PushesRecoveriesOnly(),
                new SwallowsPushLost(),
                new EchoesEveryAnnouncement(),
                new DebounceOutlivesClose());
    }

    /** Treats the array's "access key rejected" as proof the array is reachable: UP with a wrong key (an HTTP 401 taken as alive). */
    static final class StaysUpOnAuthFailure extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "FAULT-9";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendState backendState() {
                    BackendState state = delegate.backendState();
                    if (!state.isUp() && state.reason().contains("AUTH")) {
                        return BackendState.up("Simulated array answers (it asked for credentials)", context.clock());
                    }
                    return state;
                }
            };
        }
    }

    /**
     * Keeps a pooled session (the array's WATCH connection) and takes its loss for a device fault
     * instead of reconnecting: reports DOWN once the array closed it for being idle.
     */
    static final class SpuriousDownAfterIdleClose extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "FAULT-10";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                private volatile java.net.Socket session;
                private boolean lost;

                @Override
                public synchronized BackendState backendState() {
                    if (lost) {
                        return BackendState.down("Session to the simulated array lost", context.clock());
                    }
                    try {
                        if (session == null) {
                            session = connect(config);
                            session.getOutputStream().write((keyLine(config) + "WATCH " + config.string("sim_device")
                                    + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        }
                        java.io.InputStream in = session.getInputStream();
                        while (in.available() > 0) {
                            in.read(); // announcements and heartbeats, not needed here
                        }
                        session.setSoTimeout(1);
                        if (in.read() < 0) {
                            lost = true; // the defect: a closed pooled session is taken for a dead device
                            return BackendState.down("Session to the simulated array lost", context.clock());
                        }
                    } catch (java.net.SocketTimeoutException e) {
                        // open and quiet: alive
                    } catch (java.io.IOException | RuntimeException e) {
                        return delegate.backendState();
                    }
                    return delegate.backendState();
                }

                @Override
                public void close() {
                    closeQuietly(session);
                    delegate.close();
                }
            };
        }
    }

    /**
     * Keeps a pre-connected spare connection for its next probe and reads the answer on it without
     * a read timeout: a connection that went silent (stall, half-open) holds the probe forever.
     */
    static final class HangsOnHalfOpenConnection extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "FAULT-11";
        }

        /** A stalled device also silences the spare connection it already holds. */
        @Override
        Set<String> alsoFails() {
            return Set.of("FAULT-4");
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                private volatile java.net.Socket spare;
                private volatile java.net.Socket inUse;

                @Override
                public synchronized BackendState backendState() {
                    java.net.Socket socket = spare;
                    spare = null;
                    try {
                        if (socket == null) {
                            socket = connect(config);
                        }
                        inUse = socket;
                        socket.getOutputStream().write((keyLine(config) + "PING " + config.string("sim_device") + "\n")
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8));
                        socket.setSoTimeout(0); // the defect: no read timeout on a pooled connection
                        String line = new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(),
                                java.nio.charset.StandardCharsets.UTF_8)).readLine();
                        if (line == null) {
                            return BackendState.down("Simulated array closed the connection", context.clock());
                        }
                    } catch (java.io.IOException | RuntimeException e) {
                        return delegate.backendState();
                    } finally {
                        closeQuietly(socket);
                        try {
                            spare = connect(config);
                        } catch (java.io.IOException | RuntimeException e) {
                            spare = null;
                        }
                    }
                    return delegate.backendState();
                }

                @Override
                public void close() {
                    closeQuietly(spare);
                    closeQuietly(inUse); // ends a probe stuck on it
                    delegate.close();
                }
            };
        }
    }

    /**
     * Serves callers that arrive while a stats request is in flight from the last good stats, marked
     * up: alone, a caller sees the truth; concurrently, stats say UP while the state says DOWN.
     */
    static final class CachedStatsForConcurrentCallers extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "STATE-4";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            java.util.concurrent.atomic.AtomicInteger inFlight = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicReference<BackendStats> lastGood =
                    new java.util.concurrent.atomic.AtomicReference<>();
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendStats collectStats() {
                    try {
                        if (inFlight.getAndIncrement() > 0 && lastGood.get() != null) {
                            return lastGood.get();
                        }
                        try {
                            BackendStats stats = delegate.collectStats();
                            lastGood.set(stats);
                            return stats;
                        } finally {
                            pause(); // the request's round trip, long enough for concurrent callers to meet
                        }
                    } finally {
                        inFlight.decrementAndGet();
                    }
                }
            };
        }
    }

    /**
     * Resolves the array's address once per process and keeps using it: drivers opened later with
     * other endpoint options (through the kit's proxy) still talk to the first address.
     */
    static final class CachesDeviceAddress extends BrokenDriverProvider {
        private final java.util.concurrent.atomic.AtomicReference<Map<String, String>> resolved =
                new java.util.concurrent.atomic.AtomicReference<>();

        @Override
        String breaks() {
            return "FAULT-1";
        }

        @Override
        Map<String, String> simOptions(DriverConfig config, Map<String, String> options) {
            Map<String, String> address = new LinkedHashMap<>();
            address.put("sim_host", options.getOrDefault("sim_host", "127.0.0.1"));
            address.put("sim_port", options.get("sim_port"));
            resolved.compareAndSet(null, address);
            Map<String, String> changed = new LinkedHashMap<>(options);
            changed.putAll(resolved.get());
            return changed;
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor());
        }
    }

    /** Pushes recoveries but drops DOWN announcements (it "waits for the next poll" to report faults). */
    static final class PushesRecoveriesOnly extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PUSH-1";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new PublishingForwardingDriver(sim, descriptor()) {
                @Override
                io.cinderblock.sdk.spi.BackendStateListener listen(io.cinderblock.sdk.spi.BackendStateListener host) {
                    return new ForwardingListener(host) {
                        @Override
                        public void stateChanged(BackendState state) {
                            if (state.isUp()) {
                                host.stateChanged(state);
                            }
                        }
                    };
                }
            };
        }
    }

    /** Reconnects a broken push channel silently, never telling the host it was relying on polling alone. */
    static final class SwallowsPushLost extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PUSH-2";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new PublishingForwardingDriver(sim, descriptor()) {
                @Override
                io.cinderblock.sdk.spi.BackendStateListener listen(io.cinderblock.sdk.spi.BackendStateListener host) {
                    return new ForwardingListener(host) {
                        @Override
                        public void pushLost(String reason) {
                            // dropped: the defect
                        }
                    };
                }
            };
        }
    }

    /** Passes every announcement on once per array controller (four), without coalescing. */
    static final class EchoesEveryAnnouncement extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PUSH-3";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new PublishingForwardingDriver(sim, descriptor()) {
                @Override
                io.cinderblock.sdk.spi.BackendStateListener listen(io.cinderblock.sdk.spi.BackendStateListener host) {
                    return new ForwardingListener(host) {
                        @Override
                        public void stateChanged(BackendState state) {
                            for (int controller = 0; controller < 4; controller++) {
                                host.stateChanged(state);
                            }
                        }
                    };
                }
            };
        }
    }

    /**
     * Debounces announcements on a scheduler that close() shuts down with {@code shutdown()}, which
     * still runs the delayed deliveries: the host hears from a closed driver.
     */
    static final class DebounceOutlivesClose extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PUSH-4";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            java.util.concurrent.ScheduledExecutorService debounce = java.util.concurrent.Executors
                    .newSingleThreadScheduledExecutor(r -> {
                        Thread t = new Thread(r, "push-debounce");
                        t.setDaemon(true);
                        return t;
                    });
            return new PublishingForwardingDriver(sim, descriptor()) {
                @Override
                io.cinderblock.sdk.spi.BackendStateListener listen(io.cinderblock.sdk.spi.BackendStateListener host) {
                    return new ForwardingListener(host) {
                        @Override
                        public void stateChanged(BackendState state) {
                            debounce.schedule(() -> host.stateChanged(state), 300,
                                    java.util.concurrent.TimeUnit.MILLISECONDS);
                        }
                    };
                }

                @Override
                public void close() {
                    delegate.close();
                    debounce.shutdown(); // the defect: delayed tasks still run (shutdownNow() would drop them)
                }
            };
        }
    }
}
