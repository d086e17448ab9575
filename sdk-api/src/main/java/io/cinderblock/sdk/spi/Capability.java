package io.cinderblock.sdk.spi;

import io.cinderblock.sdk.ApiStatus;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * An optional operation a driver may offer. A driver declares the capabilities it implements in
 * its {@link DriverDescriptor}; the SDK refuses undeclared operations with {@link
 * io.cinderblock.sdk.error.NotSupportedException} before they reach the driver, and the
 * conformance kit checks both directions.
 *
 * <p>Capabilities have rules: each one names the capabilities it {@link #requires()} (a volume
 * made from a snapshot needs snapshots; every operation on volumes needs volumes to be created),
 * and a {@link DriverDescriptor} that declares one without what it requires is refused when it is
 * built. The rules are declared once, here, and read by the descriptor and the conformance kit.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public enum Capability {
    /**
     * {@link VolumeDriver#createVolume} and {@link VolumeDriver#deleteVolume}. Requires nothing.
     *
     * @since 0.1
     */
    CREATE_VOLUME,
    /**
     * {@link VolumeDriver#extendVolume}. Requires {@link #CREATE_VOLUME}.
     *
     * @since 0.1
     */
    EXTEND_VOLUME(CREATE_VOLUME),
    /**
     * {@link VolumeDriver#createSnapshot} and {@link VolumeDriver#deleteSnapshot}. Requires {@link
     * #CREATE_VOLUME}.
     *
     * @since 0.1
     */
    SNAPSHOT(CREATE_VOLUME),
    /**
     * {@link VolumeDriver#createVolumeFromSnapshot}. Requires {@link #CREATE_VOLUME} and {@link
     * #SNAPSHOT}.
     *
     * @since 0.1
     */
    VOLUME_FROM_SNAPSHOT(CREATE_VOLUME, SNAPSHOT),
    /**
     * {@link VolumeDriver#cloneVolume}. Requires {@link #CREATE_VOLUME}.
     *
     * @since 0.1
     */
    CLONE_VOLUME(CREATE_VOLUME),
    /**
     * {@link VolumeDriver#initializeConnection} and {@link VolumeDriver#terminateConnection}.
     * Requires {@link #CREATE_VOLUME}.
     *
     * @since 0.1
     */
    CONNECTION(CREATE_VOLUME);

    // Set.of, not EnumSet: an EnumSet of this enum cannot be built while its constants are.
    // Each constant lists its requirements transitively closed (a test checks it).
    private final Set<Capability> requires;

    Capability(Capability... requires) {
        this.requires = Set.of(requires);
    }

    /**
     * The capabilities a driver must also declare to declare this one, transitively closed: if
     * {@code a} requires {@code b} and {@code b} requires {@code c}, {@code a.requires()} holds
     * both. Never contains this capability.
     *
     * @return an immutable set; empty when nothing is required
     * @since 0.2
     */
    @ApiStatus(value = ApiStatus.Status.STABLE, since = "0.2")
    public Set<Capability> requires() {
        return requires;
    }

    /**
     * {@return the lower-case name used in configuration files, messages and reports, e.g. {@code
     * create_volume}}
     *
     * @since 0.1
     */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The capability with this {@link #wireName()}.
     *
     * @param name a wire name; matched exactly (lower case); {@code null} matches nothing
     * @return the capability, or empty if there is none of that name
     * @since 0.1
     */
    public static Optional<Capability> fromWireName(String name) {
        return Arrays.stream(values()).filter(c -> c.wireName().equals(name)).findFirst();
    }
}
