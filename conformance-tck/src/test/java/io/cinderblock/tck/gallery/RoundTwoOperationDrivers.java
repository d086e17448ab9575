package io.cinderblock.tck.gallery;

import static io.cinderblock.tck.gallery.BrokenDrivers.copy;
import static io.cinderblock.tck.gallery.BrokenDrivers.rebuild;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.PoolStats;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gallery drivers (see {@link BrokenDrivers}): round 2, one per remaining requirement: provisioning,
 * connections, resources, secrets and stats values.
 */
final class RoundTwoOperationDrivers {
    private RoundTwoOperationDrivers() {}

    /** Every driver of this part of the gallery, in the gallery's order. */
    static List<BrokenDriverProvider> all() {
        return List.of(
                new WrongIdInCreatedVolume(),
                new SnapshotDeleteNotIdempotent(),
                new RestoredVolumeWithWrongId(),
                new CloneWithWrongId(),
                new CapacityErrorUntyped(),
                new TerminateNotIdempotent(),
                new ThreadPerProbe(),
                new BasicAuthHeaderInLog(),
                new DuplicatePoolNames(),
                new ReservedPercentageOver100(),
                new ExtendReportsButDoesNotGrow(),
                new DropsExpectedClone());
    }

    /** Returns the array's own id for a new volume instead of the one Cinder asked for. */
    static final class WrongIdInCreatedVolume extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PROV-1";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public Volume createVolume(io.cinderblock.sdk.spi.VolumeSpec spec) {
                    Volume made = delegate.createVolume(spec);
                    return new Volume("array-" + made.id(), made.name(), made.sizeGib(), made.poolName(),
                            made.providerLocation());
                }
            };
        }
    }

    /** Fails the second delete of a snapshot with NOT_FOUND. */
    static final class SnapshotDeleteNotIdempotent extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PROV-4";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            Set<String> deleted = ConcurrentHashMap.newKeySet();
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public void deleteSnapshot(io.cinderblock.sdk.spi.Snapshot snapshot) {
                    if (!deleted.add(snapshot.name())) {
                        throw new CinderblockException(ErrorCode.NOT_FOUND, "No snapshot '" + snapshot.name() + "'");
                    }
                    delegate.deleteSnapshot(snapshot);
                }
            };
        }
    }

    /** Returns the restored volume under the snapshot's id instead of the requested one. */
    static final class RestoredVolumeWithWrongId extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PROV-5";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public Volume createVolumeFromSnapshot(io.cinderblock.sdk.spi.VolumeSpec spec,
                        io.cinderblock.sdk.spi.Snapshot snapshot) {
                    Volume made = delegate.createVolumeFromSnapshot(spec, snapshot);
                    return new Volume(snapshot.id(), made.name(), made.sizeGib(), made.poolName(), made.providerLocation());
                }
            };
        }
    }

    /** Returns the clone under its source's id. */
    static final class CloneWithWrongId extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PROV-6";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public Volume cloneVolume(io.cinderblock.sdk.spi.VolumeSpec spec, Volume source) {
                    Volume made = delegate.cloneVolume(spec, source);
                    return new Volume(source.id(), made.name(), made.sizeGib(), made.poolName(), made.providerLocation());
                }
            };
        }
    }

    /** Wraps the array's "no space" answer in a generic OPERATION_FAILED, so Cinder cannot reschedule. */
    static final class CapacityErrorUntyped extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PROV-7";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public Volume createVolume(io.cinderblock.sdk.spi.VolumeSpec spec) {
                    try {
                        return delegate.createVolume(spec);
                    } catch (CinderblockException e) {
                        throw new CinderblockException(ErrorCode.OPERATION_FAILED, "create failed: " + e.getMessage(), e);
                    }
                }
            };
        }
    }

    /** Fails the second terminateConnection with NOT_FOUND. */
    static final class TerminateNotIdempotent extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "CONN-2";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            Set<String> terminated = ConcurrentHashMap.newKeySet();
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public void terminateConnection(Volume volume, Connector connector) {
                    if (!terminated.add(volume.name())) {
                        throw new CinderblockException(ErrorCode.NOT_FOUND, "No export of '" + volume.name() + "'");
                    }
                    delegate.terminateConnection(volume, connector);
                }
            };
        }
    }

    /** Starts a watchdog thread per probe and never stops it (a timer per call instead of one per driver). */
    static final class ThreadPerProbe extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "RES-1";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendState backendState() {
                    Thread watchdog = new Thread(() -> {
                        try {
                            Thread.sleep(Duration.ofSeconds(30).toMillis());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }, "probe-watchdog");
                    watchdog.setDaemon(true); // daemon and bounded, so the leak cannot outlive the test JVM
                    watchdog.start();
                    return delegate.backendState();
                }
            };
        }
    }

    /** Logs the HTTP Basic header it sends, which carries the access key Base64-encoded as user:secret. */
    static final class BasicAuthHeaderInLog extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "SEC-2";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            String key = config.optionalString("sim_access_key").orElse("");
            String header = "Basic " + java.util.Base64.getEncoder().encodeToString(
                    ("cinder:" + key).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendState backendState() {
                    context.logger().log(System.Logger.Level.TRACE, "GET /health Authorization: " + header);
                    return delegate.backendState();
                }
            };
        }
    }

    /** Lists a pool twice (the SDK's BackendStats refuses the duplicate inside collectStats). */
    static final class DuplicatePoolNames extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "STATS-6";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendStats collectStats() {
                    BackendStats stats = delegate.collectStats();
                    List<PoolStats> pools = new java.util.ArrayList<>(stats.pools());
                    pools.add(stats.pools().get(0)); // the first pool again, from a second controller's listing
                    return stats.toBuilder().pools(pools).build();
                }
            };
        }
    }

    /** Reports reserved_percentage as a per-mille value (the SDK's PoolStats refuses 150). */
    static final class ReservedPercentageOver100 extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "STATS-7";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendStats collectStats() {
                    return rebuild(delegate.collectStats(), p -> p.reservedPercentage(150));
                }
            };
        }
    }

    /** Answers extendVolume with the new size without telling the array (the array's volume keeps its size). */
    static final class ExtendReportsButDoesNotGrow extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PROV-3";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public Volume extendVolume(Volume volume, long newSizeGib) {
                    if (newSizeGib <= volume.sizeGib()) {
                        return delegate.extendVolume(volume, newSizeGib);
                    }
                    return new Volume(volume.id(), volume.name(), newSizeGib, volume.poolName(), volume.providerLocation());
                }
            };
        }
    }

    /** Ships without clones (refusing them properly) although the vendor's release notes promise them. */
    static final class DropsExpectedClone extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "CAP-3";
        }

        @Override
        io.cinderblock.tck.TckFixture.Builder fixture(io.cinderblock.tck.TckFixture.Builder simFixture) {
            return simFixture.expectCapabilities(java.util.EnumSet.allOf(Capability.class));
        }

        @Override
        DriverDescriptor descriptor(DriverDescriptor sim) {
            return copy(sim, true, Set.of(Capability.CREATE_VOLUME, Capability.EXTEND_VOLUME, Capability.SNAPSHOT,
                    Capability.VOLUME_FROM_SNAPSHOT, Capability.CONNECTION)).build();
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            String id = descriptor().id();
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public Volume cloneVolume(io.cinderblock.sdk.spi.VolumeSpec spec, Volume source) {
                    throw new io.cinderblock.sdk.error.NotSupportedException(Capability.CLONE_VOLUME, id);
                }
            };
        }
    }
}
