package io.cinderblock.tck.runner;

import io.cinderblock.driver.sim.SimulatedArrayDriverProvider;
import io.cinderblock.sdk.spi.DriverConfig;
import io.cinderblock.sdk.spi.DriverContext;
import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.StorageProtocol;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.spi.VolumeDriverProvider;

/** Providers that cannot be set up, packed into driver jars by the runner's set-up tests. */
final class SetupProviders {
    private SetupProviders() {}

    /** The sim, whose open() uses a library that is not in the jar: loads, but does not link. */
    public static final class UsesLibraryInOpen implements VolumeDriverProvider {
        private final VolumeDriverProvider sim = new SimulatedArrayDriverProvider();

        /** Instantiated by ServiceLoader. */
        public UsesLibraryInOpen() {}

        @Override
        public DriverDescriptor descriptor() {
            return sim.descriptor();
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            new MissingLibrary().parse(config.backendName());
            return sim.open(config, context);
        }
    }

    /** Needs the library in its constructor: fails while ServiceLoader instantiates it. */
    public static final class UsesLibraryInConstructor implements VolumeDriverProvider {
        private final String parsed = new MissingLibrary().parse(" sim ");

        /** Instantiated by ServiceLoader. */
        public UsesLibraryInConstructor() {}

        @Override
        public DriverDescriptor descriptor() {
            return DriverDescriptor.builder(parsed).vendorName("test double").driverVersion("1.0")
                    .storageProtocol(StorageProtocol.ISCSI).build();
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            throw new UnsupportedOperationException("never opened: the runner refuses the jar first");
        }
    }

    /** Its descriptor is invalid (an id with upper case and a space): the descriptor's message must show. */
    public static final class InvalidDescriptor implements VolumeDriverProvider {
        private static final DriverDescriptor DESCRIPTOR = DriverDescriptor.builder("Bad Id").vendorName("test double")
                .driverVersion("1.0").storageProtocol(StorageProtocol.ISCSI).build();

        /** Instantiated by ServiceLoader. */
        public InvalidDescriptor() {}

        @Override
        public DriverDescriptor descriptor() {
            return DESCRIPTOR;
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            throw new UnsupportedOperationException("never opened");
        }
    }

    /** Its constructor throws. */
    public static final class ThrowingConstructor implements VolumeDriverProvider {
        /** Instantiated by ServiceLoader; throws. */
        public ThrowingConstructor() {
            throw new IllegalStateException("licence file acme.lic not found");
        }

        @Override
        public DriverDescriptor descriptor() {
            throw new UnsupportedOperationException("never reached");
        }

        @Override
        public VolumeDriver open(DriverConfig config, DriverContext context) {
            throw new UnsupportedOperationException("never reached");
        }
    }
}
