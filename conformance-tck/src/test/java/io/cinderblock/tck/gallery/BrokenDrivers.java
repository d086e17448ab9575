package io.cinderblock.tck.gallery;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.PoolStats;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The gallery: drivers with exactly one defect each, named after it, each wrapping the correct
 * SIMULATED-array driver. {@link BrokenDriverProvider#breaks()} names the requirement the kit must
 * fail it under. The drivers live in one class per part ({@link StatsAndStateDrivers}, {@link
 * ContractDrivers}, {@link RoundTwoDescriptorAndStateDrivers}, {@link RoundTwoOperationDrivers},
 * {@link RoundThreeDrivers}, {@link OperationDrivers}); this class lists them and holds what they share.
 */
final class BrokenDrivers {
    private BrokenDrivers() {}

    /** Every broken driver of the gallery. */
    static List<BrokenDriverProvider> all() {
        return Stream.of(StatsAndStateDrivers.all(), ContractDrivers.all(), RoundTwoDescriptorAndStateDrivers.all(),
                RoundTwoOperationDrivers.all(), RoundThreeDrivers.all(), OperationDrivers.all())
                .flatMap(List::stream).collect(Collectors.toUnmodifiableList());
    }

    /** Stats rebuilt with every pool changed by {@code change}. */
    static BackendStats rebuild(BackendStats stats, UnaryOperator<PoolStats.Builder> change) {
        return stats.toBuilder()
                .pools(stats.pools().stream().map(pool -> change.apply(pool.toBuilder()).build())
                        .collect(Collectors.toList()))
                .build();
    }

    /** A copy of a descriptor to change. */
    static DriverDescriptor.Builder copy(DriverDescriptor d, boolean withOptions, Set<Capability> capabilities) {
        DriverDescriptor.Builder builder = DriverDescriptor.builder(d.id()).vendorName(d.vendorName())
                .driverVersion(d.driverVersion()).storageProtocol(d.storageProtocol()).spiVersion(d.spiVersion());
        if (withOptions) {
            d.options().forEach(builder::option);
        }
        capabilities.forEach(builder::capability);
        return builder;
    }

    /** A raw connection to the array's endpoint, opened lazily, from the driver's configuration. */
    static java.net.Socket connect(DriverConfig config) throws java.io.IOException {
        java.net.Socket socket = new java.net.Socket();
        try {
            socket.connect(new java.net.InetSocketAddress(config.string("sim_host"), (int) config.integer("sim_port")),
                    2_000);
            return socket;
        } catch (java.io.IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    static String keyLine(DriverConfig config) {
        return config.optionalString("sim_access_key").map(k -> "KEY " + k + "\n").orElse("");
    }

    static void closeQuietly(java.net.Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (java.io.IOException e) {
                // closing anyway
            }
        }
    }

    static void pause() {
        try {
            Thread.sleep(80);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Passes everything on to the host's listener; push drivers override what they break. */
    static class ForwardingListener implements io.cinderblock.sdk.spi.BackendStateListener {
        final io.cinderblock.sdk.spi.BackendStateListener host;

        ForwardingListener(io.cinderblock.sdk.spi.BackendStateListener host) {
            this.host = host;
        }

        @Override
        public void stateChanged(BackendState state) {
            host.stateChanged(state);
        }

        @Override
        public void pushLost(String reason) {
            host.pushLost(reason);
        }

        @Override
        public void pushRestored() {
            host.pushRestored();
        }
    }
}
