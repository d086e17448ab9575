package io.cinderblock.tck.gallery;

import io.cinderblock.sdk.error.NotSupportedException;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.Snapshot;
import io.cinderblock.sdk.spi.SnapshotSpec;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeSpec;
import java.security.SecureRandom;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Gallery drivers whose operations break the capability rules or lie about their effect on the
 * device: each answers as a correct driver would, and only an independent read (a second driver, a
 * fresh {@code collectStats()}) or the capability rules tell it apart.
 */
final class OperationDrivers {
    private OperationDrivers() {}

    /** Every driver of this part of the gallery. */
    static List<BrokenDriverProvider> all() {
        return List.of(new OffersRestoreWithoutSnapshots(), new DeclaresCloneButRefusesIt(),
                new AllocatesOneGibWhateverAsked(), new DeleteReportsButKeeps(), new SnapshotReportsButNeverTakes(),
                new LunMapInDriverMemory());
    }

    /**
     * Drops snapshots from {@code capabilities()} in this configuration (refusing them properly) but
     * still offers volumes from snapshots: against {@code Capability.requires()}.
     */
    static final class OffersRestoreWithoutSnapshots extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "CAP-2";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            String id = descriptor().id();
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public Set<Capability> capabilities() {
                    Set<Capability> offered = EnumSet.allOf(Capability.class);
                    offered.remove(Capability.SNAPSHOT);
                    return offered;
                }

                @Override
                public Snapshot createSnapshot(SnapshotSpec spec) {
                    throw new NotSupportedException(Capability.SNAPSHOT, id);
                }

                @Override
                public void deleteSnapshot(Snapshot snapshot) {
                    throw new NotSupportedException(Capability.SNAPSHOT, id);
                }
            };
        }
    }

    /** Declares and offers clones, but its cloneVolume still answers "not supported" (a stub left in). */
    static final class DeclaresCloneButRefusesIt extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "CAP-4";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            String id = descriptor().id();
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public Volume cloneVolume(VolumeSpec spec, Volume source) {
                    throw new NotSupportedException(Capability.CLONE_VOLUME, id);
                }
            };
        }
    }

    /**
     * Sends the array a fixed 1 GiB whatever size Cinder asked for, and reports the size asked for.
     * A volume too large for the pool is then created too (PROV-7: it cannot refuse what it never asks
     * for), and the capacity a create takes does not follow its size (STATS-10).
     */
    static final class AllocatesOneGibWhateverAsked extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PROV-1";
        }

        @Override
        Set<String> alsoFails() {
            return Set.of("PROV-7", "STATS-10");
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public Volume createVolume(VolumeSpec spec) {
                    VolumeSpec small = new VolumeSpec(spec.id(), spec.name(), 1, spec.pool());
                    return delegate.createVolume(small).withSizeGib(spec.sizeGib());
                }
            };
        }
    }

    /**
     * Answers deleteVolume at once and leaves the deletion to a job it never checks, which the
     * array drops: the volume stays. Its capacity never returns either (STATS-10 sees that too).
     */
    static final class DeleteReportsButKeeps extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PROV-2";
        }

        @Override
        Set<String> alsoFails() {
            return Set.of("STATS-10");
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public void deleteVolume(Volume volume) {
                    // the job is queued and forgotten
                }
            };
        }
    }

    /**
     * Answers createSnapshot with a snapshot record without asking the array (a leftover of a dry-run
     * mode): nothing can be restored from it (PROV-5 fails honestly too).
     */
    static final class SnapshotReportsButNeverTakes extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PROV-4";
        }

        @Override
        Set<String> alsoFails() {
            return Set.of("PROV-5");
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public Snapshot createSnapshot(SnapshotSpec spec) {
                    return Snapshot.of(spec, Optional.empty());
                }
            };
        }
    }

    /**
     * Exports through the array but reports LUNs from a map kept in the driver's memory, numbered
     * from a random start per driver instance: another host process reports another LUN for the
     * same export.
     */
    static final class LunMapInDriverMemory extends BrokenDriverProvider {
        private static final SecureRandom RANDOM = new SecureRandom();

        @Override
        String breaks() {
            return "CONN-1";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            AtomicInteger next = new AtomicInteger(2 + RANDOM.nextInt(200));
            Map<String, Integer> luns = new ConcurrentHashMap<>();
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public ConnectionInfo initializeConnection(Volume volume, Connector connector) {
                    ConnectionInfo real = delegate.initializeConnection(volume, connector);
                    int lun = luns.computeIfAbsent(volume.id(), v -> next.getAndIncrement());
                    return ConnectionInfo.iscsi((String) real.data().get("target_iqn"),
                            (String) real.data().get("target_portal"), lun).volumeId(volume.id()).build();
                }
            };
        }
    }
}
