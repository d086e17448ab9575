package io.cinderblock.driver.sim;

import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** One simulated device: pools, volumes, snapshots and exports. All methods hold the device lock. */
final class SimulatedDevice {
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String name;
    private final Map<String, Long> pools;
    private final Map<String, Vol> volumes = new LinkedHashMap<>();
    private final Map<String, Vol> snapshots = new LinkedHashMap<>();
    private final Map<String, String> exports = new LinkedHashMap<>();
    private boolean up = true;
    private String downReason = "";
    private final List<Consumer<String>> watchers = new CopyOnWriteArrayList<>();

    SimulatedDevice(String name, Map<String, Long> pools) {
        this.name = name;
        this.pools = new LinkedHashMap<>(pools);
    }

    String name() {
        return name;
    }

    synchronized void setUp(boolean value, String reason) {
        boolean changed = value != up;
        this.up = value;
        this.downReason = value ? "" : (reason == null || reason.isBlank() ? "switched down" : reason);
        if (changed) {
            String event = stateLine();
            watchers.forEach(watcher -> watcher.accept(event));
        }
    }

    /**
     * Registers a watcher and hands it the current state line first, under the device lock, so no
     * change can overtake it; every later change follows in order.
     */
    synchronized void watch(Consumer<String> events) {
        watchers.add(events);
        events.accept(stateLine());
    }

    void unwatch(Consumer<String> events) {
        watchers.remove(events);
    }

    private String stateLine() {
        return up ? "STATE UP" : "STATE DOWN " + downReason;
    }

    synchronized String handle(String verb, List<String> args) {
        if (verb.equals("SET")) {
            need(args, 1, "SET UP|DOWN [reason]");
            switch (args.get(0)) {
                case "UP":
                    setUp(true, "");
                    return "OK state=up";
                case "DOWN":
                    setUp(false, String.join(" ", args.subList(1, args.size())));
                    return "OK state=down";
                default:
                    throw new IllegalArgumentException("SET takes UP or DOWN, got '" + args.get(0) + "'");
            }
        }
        if (!up) {
            return "ERR DOWN " + downReason;
        }
        switch (verb) {
            case "PING":
                return "OK state=up";
            case "STATS":
                return stats();
            case "CREATE":
                need(args, 3, "CREATE pool name gib");
                return create(args.get(0), args.get(1), gib(args.get(2)), null);
            case "DELETE":
                need(args, 1, "DELETE name");
                if (snapshots.values().stream().anyMatch(s -> s.source.equals(args.get(0)))) {
                    return "ERR BADREQ volume '" + args.get(0) + "' has snapshots";
                }
                volumes.remove(args.get(0));
                exports.keySet().removeIf(k -> k.startsWith(args.get(0) + " "));
                return "OK";
            case "EXTEND":
                need(args, 2, "EXTEND name gib");
                return extend(args.get(0), gib(args.get(1)));
            case "SNAP":
                need(args, 2, "SNAP volume snapshot");
                return snapshot(args.get(0), args.get(1));
            case "DELSNAP":
                need(args, 1, "DELSNAP snapshot");
                snapshots.remove(args.get(0));
                return "OK";
            case "FROMSNAP":
                need(args, 3, "FROMSNAP snapshot name gib");
                Vol snap = snapshots.get(args.get(0));
                if (snap == null) {
                    return "ERR NOTFOUND no snapshot '" + args.get(0) + "'";
                }
                return create(snap.pool, args.get(1), Math.max(snap.gib, gib(args.get(2))), args.get(0));
            case "CLONE":
                need(args, 3, "CLONE source name gib");
                Vol source = volumes.get(args.get(0));
                if (source == null) {
                    return "ERR NOTFOUND no volume '" + args.get(0) + "'";
                }
                return create(source.pool, args.get(1), Math.max(source.gib, gib(args.get(2))), args.get(0));
            case "EXPORT":
                need(args, 2, "EXPORT volume initiator");
                return export(args.get(0), args.get(1));
            case "UNEXPORT":
                need(args, 2, "UNEXPORT volume initiator");
                exports.remove(args.get(0) + " " + args.get(1));
                return "OK";
            default:
                throw new IllegalArgumentException("unknown verb '" + verb + "'");
        }
    }

    private String stats() {
        StringBuilder answer = new StringBuilder("OK");
        pools.forEach((pool, total) -> {
            long used = usedGib(pool);
            long count = volumes.values().stream().filter(v -> v.pool.equals(pool)).count();
            answer.append(" pool=").append(pool).append(',').append(total).append(',').append(total - used)
                    .append(',').append(count).append(',').append(used);
        });
        return answer.toString();
    }

    private long usedGib(String pool) {
        return volumes.values().stream().filter(v -> v.pool.equals(pool)).mapToLong(v -> v.gib).sum()
                + snapshots.values().stream().filter(v -> v.pool.equals(pool)).mapToLong(v -> v.gib).sum();
    }

    private String create(String pool, String volume, long gib, String source) {
        SimulatedArrayServer.checkName(volume);
        Long total = pools.get(pool);
        if (total == null) {
            return "ERR NOTFOUND no pool '" + pool + "'";
        }
        if (volumes.containsKey(volume)) {
            return "ERR EXISTS volume '" + volume + "' exists";
        }
        long free = total - usedGib(pool);
        if (gib > free) {
            return "ERR NOSPACE pool '" + pool + "' has " + free + " GiB free, " + gib + " GiB requested";
        }
        volumes.put(volume, new Vol(pool, gib, source == null ? "" : source));
        return "OK pool=" + pool + " gib=" + gib;
    }

    private String extend(String volume, long gib) {
        Vol vol = volumes.get(volume);
        if (vol == null) {
            return "ERR NOTFOUND no volume '" + volume + "'";
        }
        if (gib <= vol.gib) {
            return "ERR BADREQ new size " + gib + " GiB does not exceed " + vol.gib + " GiB";
        }
        long free = pools.get(vol.pool) - usedGib(vol.pool);
        if (gib - vol.gib > free) {
            return "ERR NOSPACE pool '" + vol.pool + "' has " + free + " GiB free";
        }
        volumes.put(volume, new Vol(vol.pool, gib, vol.source));
        return "OK gib=" + gib;
    }

    private String snapshot(String volume, String snapshot) {
        SimulatedArrayServer.checkName(snapshot);
        Vol vol = volumes.get(volume);
        if (vol == null) {
            return "ERR NOTFOUND no volume '" + volume + "'";
        }
        if (snapshots.containsKey(snapshot)) {
            return "ERR EXISTS snapshot '" + snapshot + "' exists";
        }
        // A full-copy snapshot: it takes space, so pool accounting stays honest.
        long free = pools.get(vol.pool) - usedGib(vol.pool);
        if (vol.gib > free) {
            return "ERR NOSPACE pool '" + vol.pool + "' has " + free + " GiB free";
        }
        snapshots.put(snapshot, new Vol(vol.pool, vol.gib, volume));
        return "OK gib=" + vol.gib;
    }

    private String export(String volume, String initiator) {
        SimulatedArrayServer.checkName(initiator);
        if (!volumes.containsKey(volume)) {
            return "ERR NOTFOUND no volume '" + volume + "'";
        }
        String key = volume + " " + initiator;
        String secret = exports.computeIfAbsent(key, k -> randomHex(16));
        return "OK iqn=iqn.2026-11.io.cinderblock.sim:" + name.toLowerCase(Locale.ROOT) + "."
                + volume.toLowerCase(Locale.ROOT) + " lun=1 user=sim-" + randomHex(4) + " secret=" + secret;
    }

    private static String randomHex(int bytes) {
        byte[] random = new byte[bytes];
        RANDOM.nextBytes(random);
        StringBuilder hex = new StringBuilder();
        for (byte b : random) {
            hex.append(String.format("%02x", b));
        }
        return hex.toString();
    }

    private static void need(List<String> args, int count, String usage) {
        if (args.size() < count) {
            throw new IllegalArgumentException("usage: " + usage);
        }
    }

    private static long gib(String text) {
        try {
            long value = Long.parseLong(text);
            if (value < 1) {
                throw new IllegalArgumentException("size must be at least 1 GiB, got " + value);
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not a size in GiB: '" + text + "'");
        }
    }

    private static final class Vol {
        final String pool;
        final long gib;
        final String source;

        Vol(String pool, long gib, String source) {
            this.pool = pool;
            this.gib = gib;
            this.source = source;
        }
    }
}
