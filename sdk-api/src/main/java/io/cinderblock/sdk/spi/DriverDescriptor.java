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
 * <p>Build with {@link #builder(String)}; prefer it to the constructor, whose parameter list grows
 * if a component is added. A descriptor is checked when it is built: a malformed id, blank vendor
 * or version, an option declared twice or a reserved option, and a capability declared without
 * one it {@link Capability#requires() requires} are refused with an {@link
 * IllegalArgumentException} naming the offending value.
 *
 * @param id unique, lower-case ({@code [a-z][a-z0-9-]*}); what {@code volume_driver} names
 * @param vendorName Cinder's {@code vendor_name}
 * @param driverVersion Cinder's {@code driver_version}, e.g. {@code 1.2.0}
 * @param storageProtocol Cinder's {@code storage_protocol}
 * @param options every option the driver accepts; names are unique
 * @param capabilities the optional operations the driver implements
 * @param spiVersion the SPI version the driver was built for
 * @since 0.1
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
     * Option names the SDK itself reads from a backend's configuration ({@code volume_driver},
     * {@code volume_backend_name}); drivers must not declare them.
     *
     * @since 0.1
     */
    public static final Set<String> RESERVED_OPTIONS = Set.of("volume_driver", "volume_backend_name");

    /**
     * Checks the components. Prefer {@link #builder(String)}.
     *
     * @param id unique, lower-case ({@code [a-z][a-z0-9-]*})
     * @param vendorName not blank
     * @param driverVersion not blank
     * @param storageProtocol not null
     * @param options names unique, none of {@link #RESERVED_OPTIONS}; copied
     * @param capabilities each with everything it {@link Capability#requires() requires}; copied
     * @param spiVersion not null
     * @throws IllegalArgumentException naming the offending id, option or capabilities
     * @since 0.1
     */
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
        // Checked in enum order, so that the message is the same for the same set every time.
        for (Capability capability : Capability.values()) {
            if (!capabilities.contains(capability)) {
                continue;
            }
            for (Capability required : Capability.values()) {
                if (capability.requires().contains(required) && !capabilities.contains(required)) {
                    throw new IllegalArgumentException("Driver '" + id + "' declares capability '"
                            + capability.wireName() + "' without '" + required.wireName() + "', which '"
                            + capability.wireName() + "' requires");
                }
            }
        }
    }

    /**
     * The declared option with this name.
     *
     * @param name an option name, e.g. {@code san_ip}
     * @return the option, or empty if the driver does not declare it
     * @since 0.1
     */
    public Optional<ConfigOption> option(String name) {
        return options.stream().filter(o -> o.name().equals(name)).findFirst();
    }

    /**
     * Whether the driver declares {@code capability}. A backend may still offer less: see {@link
     * VolumeDriver#capabilities()}.
     *
     * @param capability the capability
     * @return true if declared
     * @since 0.1
     */
    public boolean supports(Capability capability) {
        return capabilities.contains(capability);
    }

    /**
     * Starts a descriptor for the current {@link SpiVersion}, with no options or capabilities.
     * Called by a provider, typically once into a constant.
     *
     * @param id the driver's id, {@code [a-z][a-z0-9-]*}; checked by {@link Builder#build()}
     * @return a new builder
     * @since 0.1
     */
    public static Builder builder(String id) {
        return new Builder(id);
    }

    /**
     * Builds a {@link DriverDescriptor}. Not thread-safe; the values are checked by {@link #build()}.
     *
     * @since 0.1
     */
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

        /**
         * Sets Cinder's {@code vendor_name}. Required.
         *
         * @param value not blank
         * @return this builder
         * @since 0.1
         */
        public Builder vendorName(String value) {
            this.vendorName = value;
            return this;
        }

        /**
         * Sets Cinder's {@code driver_version}, e.g. {@code 1.2.0}. Required.
         *
         * @param value not blank
         * @return this builder
         * @since 0.1
         */
        public Builder driverVersion(String value) {
            this.driverVersion = value;
            return this;
        }

        /**
         * Sets Cinder's {@code storage_protocol}. Required.
         *
         * @param value not null
         * @return this builder
         * @since 0.1
         */
        public Builder storageProtocol(StorageProtocol value) {
            this.storageProtocol = value;
            return this;
        }

        /**
         * Declares one more option, in the order operators will see them.
         *
         * @param option not null; its name must be new and not reserved (checked by {@link #build()})
         * @return this builder
         * @since 0.1
         */
        public Builder option(ConfigOption option) {
            options.add(requireNonNull(option, "option is null"));
            return this;
        }

        /**
         * Declares capabilities, adding to those declared so far. Declare each one with everything
         * it {@link Capability#requires() requires}, or {@link #build()} refuses the set.
         *
         * @param values the capabilities; none null
         * @return this builder
         * @since 0.1
         */
        public Builder capability(Capability... values) {
            capabilities.addAll(List.of(values));
            return this;
        }

        /**
         * Sets the SPI version the driver was built for; {@link SpiVersion#CURRENT} unless set.
         * Only a driver built against an older SDK, or a test, sets it.
         *
         * @param value not null
         * @return this builder
         * @since 0.1
         */
        public Builder spiVersion(SpiVersion value) {
            this.spiVersion = value;
            return this;
        }

        /**
         * Builds and checks the descriptor.
         *
         * @return the descriptor
         * @throws NullPointerException if a required value was not set, naming it
         * @throws IllegalArgumentException naming the offending id, option or capabilities
         * @since 0.1
         */
        public DriverDescriptor build() {
            return new DriverDescriptor(id, vendorName, driverVersion, storageProtocol, options, capabilities, spiVersion);
        }
    }
}
