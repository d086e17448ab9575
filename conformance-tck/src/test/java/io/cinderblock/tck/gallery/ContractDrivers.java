package io.cinderblock.tck.gallery;

import static io.cinderblock.tck.gallery.BrokenDrivers.copy;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.ConnectionInfo;
import io.cinderblock.sdk.spi.Connector;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.OptionType;
import io.cinderblock.sdk.spi.Volume;
import io.cinderblock.sdk.spi.VolumeDriver;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Gallery drivers (see {@link BrokenDrivers}): secrets, capabilities, provisioning, connections and
 * the descriptor.
 */
final class ContractDrivers {
    private ContractDrivers() {}

    /** Every driver of this part of the gallery, in the gallery's order. */
    static List<BrokenDriverProvider> all() {
        return List.of(
                new CredentialNotDeclaredSecret(),
                new SecretInExceptionMessage(),
                new SecretInLog(),
                new UndeclaredSnapshotSucceeds(),
                new DeleteNotIdempotent(),
                new NullPointerOnMissingOption(),
                new MalformedIqn(),
                new UnversionedDescriptor());
    }

    /** Declares its access key as an ordinary option, so the shown configuration prints it. */
    static final class CredentialNotDeclaredSecret extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "SEC-1";
        }

        @Override
        DriverDescriptor descriptor(DriverDescriptor sim) {
            DriverDescriptor.Builder builder = copy(sim, false, sim.capabilities());
            for (ConfigOption option : sim.options()) {
                builder.option(option.name().equals("sim_access_key")
                        ? ConfigOption.builder("sim_access_key", OptionType.STRING).description(option.description()).build()
                        : option);
            }
            return builder.build();
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor());
        }
    }

    /** Puts the access key in the message of the exception it throws when the device fails. */
    static final class SecretInExceptionMessage extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "SEC-2";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            String key = config.optionalString("sim_access_key").orElse("");
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendStats collectStats() {
                    try {
                        return delegate.collectStats();
                    } catch (DeviceUnavailableException e) {
                        throw new DeviceUnavailableException(e.getMessage() + " (access key " + key + ")", e);
                    }
                }
            };
        }
    }

    /** Logs its whole configuration, access key included, at debug level. */
    static final class SecretInLog extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "SEC-2";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            Map<String, String> all = new LinkedHashMap<>();
            descriptor().options().forEach(o -> config.optionalString(o.name()).ifPresent(v -> all.put(o.name(), v)));
            context.logger().log(System.Logger.Level.DEBUG, "opening simulated backend with {0}", all);
            return new ForwardingVolumeDriver(sim, descriptor());
        }
    }

    /** Does not declare snapshots, yet takes them. */
    static final class UndeclaredSnapshotSucceeds extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "CAP-1";
        }

        @Override
        DriverDescriptor descriptor(DriverDescriptor sim) {
            return copy(sim, true, Set.of(Capability.CREATE_VOLUME, Capability.EXTEND_VOLUME, Capability.CLONE_VOLUME,
                    Capability.CONNECTION)).build();
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            // Forwards createSnapshot and deleteSnapshot, which the descriptor does not declare.
            return new ForwardingVolumeDriver(sim, descriptor());
        }
    }

    /** Fails the second delete of a volume with NOT_FOUND. */
    static final class DeleteNotIdempotent extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "PROV-2";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            Set<String> deleted = ConcurrentHashMap.newKeySet();
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public void deleteVolume(Volume volume) {
                    if (!deleted.add(volume.name())) {
                        throw new CinderblockException(ErrorCode.NOT_FOUND, "No volume '" + volume.name() + "'");
                    }
                    delegate.deleteVolume(volume);
                }
            };
        }
    }

    /** Declares an optional option but dereferences it unconditionally in open(). */
    static final class NullPointerOnMissingOption extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "CONF-4";
        }

        @Override
        DriverDescriptor descriptor(DriverDescriptor sim) {
            return copy(sim, true, sim.capabilities())
                    .option(ConfigOption.builder("sim_label", OptionType.STRING)
                            .description("A label shown in logs").build())
                    .build();
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            String label = config.optional("sim_label", String.class).orElse(null);
            context.logger().log(System.Logger.Level.DEBUG, "label length " + label.length());
            return new ForwardingVolumeDriver(sim, descriptor());
        }
    }

    /** Returns a target name that is not an IQN. */
    static final class MalformedIqn extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "CONN-1";
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public ConnectionInfo initializeConnection(Volume volume, Connector connector) {
                    Map<String, Object> data = new LinkedHashMap<>(delegate.initializeConnection(volume, connector).data());
                    data.put("target_iqn", "target-" + volume.name());
                    return new ConnectionInfo("iscsi", data);
                }
            };
        }
    }

    /** Calls its version "latest". */
    static final class UnversionedDescriptor extends BrokenDriverProvider {
        @Override
        String breaks() {
            return "DESC-2";
        }

        @Override
        DriverDescriptor descriptor(DriverDescriptor sim) {
            return copy(sim, true, sim.capabilities()).driverVersion("latest").build();
        }

        @Override
        VolumeDriver wrap(VolumeDriver sim, DriverConfig config, DriverContext context) {
            // Consistent with itself: the stats report the same "version" (STATS-2 holds).
            return new ForwardingVolumeDriver(sim, descriptor()) {
                @Override
                public BackendStats collectStats() {
                    return delegate.collectStats().toBuilder().driverVersion("latest").build();
                }
            };
        }
    }
}
