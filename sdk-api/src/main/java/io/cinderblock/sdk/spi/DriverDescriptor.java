package io.cinderblock.sdk.spi;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a driver is, before any backend is opened: its identity, the options it accepts and the
 * optional operations it implements. Returned by {@link VolumeDriverProvider#descriptor()}; must be
 * cheap and must not touch a device.
 *
 * @param id unique, lower-case ({@code [a-z][a-z0-9-]*}); what {@code volume_driver} names
 * @param vendorName Cinder's {@code vendor_name}
 * @param driverVersion Cinder's {@code driver_version}, e.g. {@code 1.2.0}
 * @param storageProtocol Cinder's {@code storage_protocol}
 * @param options every option the driver accepts; names are unique
 * @param capabilities the optional operations the driver implements
 * @param spiVersion the SPI version the driver was built for
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record DriverDescriptor(
        String id,
        String vendorName,
        String driverVersion,
        StorageProtocol storageProtocol,
        List<ConfigOption> options,
        Set<Capability> capabilities,
        SpiVersion spiVersion) {

    private static final Pattern ID = Pattern.compile("[a-z][a-z0-9-]*");

    /**
     * Option names the SDK itself reads from a backend's configuration; drivers must not declare them.
     */
    public static final Set<String> RESERVED_OPTIONS = Set.of("volume_driver", "volume_backend_name");

    public DriverDescriptor {
        requireNonNull(id, "id is null");
        requireNonNull(vendorName, "vendorName is null");
        requireNonNull(driverVersion, "driverVersion is null");
        requireNonNull(storageProtocol, "storageProtocol is null");
        options = List.copyOf(requireNonNull(options, "options is null"));
        capabilities = Set.copyOf(requireNonNull(capabilities, "capabilities is null"));
        requireNonNull(spiVersion, "spiVersion is null");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("Driver id '" + id + "' must match " + ID.pattern());
        }
        if (vendorName.isBlank()) {
            throw new IllegalArgumentException("vendorName is blank");
        }
        if (driverVersion.isBlank()) {
            throw new IllegalArgumentException("driverVersion is blank");
        }
        Set<String> seen = new HashSet<>();
        for (ConfigOption option : options) {
            if (!seen.add(option.name())) {
                throw new IllegalArgumentException("Driver '" + id + "' declares option '" + option.name() + "' twice");
            }
            if (RESERVED_OPTIONS.contains(option.name())) {
                throw new IllegalArgumentException("Driver '" + id + "' declares reserved option '" + option.name() + "'");
            }
        }
    }

    /** The declared option with this name, if any. */
    public Optional<ConfigOption> option(String name) {
        return options.stream().filter(o -> o.name().equals(name)).findFirst();
    }

    /** Whether the driver declares {@code capability}. */
    public boolean supports(Capability capability) {
        return capabilities.contains(capability);
    }

    /** Starts a descriptor for the current {@link SpiVersion}, with no options or capabilities. */
    public static Builder builder(String id) {
        return new Builder(id);
    }

    /** Builds a {@link DriverDescriptor}. */
    public static final class Builder {
        private final String id;
        private String vendorName;
        private String driverVersion;
        private StorageProtocol storageProtocol;
        private final List<ConfigOption> options = new ArrayList<>();
        private final Set<Capability> capabilities = EnumSet.noneOf(Capability.class);
        private SpiVersion spiVersion = SpiVersion.CURRENT;

        private Builder(String id) {
            this.id = id;
        }

        public Builder vendorName(String value) {
            this.vendorName = value;
            return this;
        }

        public Builder driverVersion(String value) {
            this.driverVersion = value;
            return this;
        }

        public Builder storageProtocol(StorageProtocol value) {
            this.storageProtocol = value;
            return this;
        }

        public Builder option(ConfigOption option) {
            options.add(requireNonNull(option, "option is null"));
            return this;
        }

        public Builder capability(Capability... values) {
            capabilities.addAll(List.of(values));
            return this;
        }

        public Builder spiVersion(SpiVersion value) {
            this.spiVersion = value;
            return this;
        }

        public DriverDescriptor build() {
            return new DriverDescriptor(id, vendorName, driverVersion, storageProtocol, options, capabilities, spiVersion);
        }
    }
}
