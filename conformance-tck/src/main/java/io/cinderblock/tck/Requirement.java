package io.cinderblock.tck;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.sdk.spi.Capability;
import java.util.Optional;

/**
 * One requirement of {@code REQUIREMENTS.md}: the id the kit's tests are tagged with, its group,
 * the capability it needs (if any), and one line of what a conforming driver does.
 *
 * @param id e.g. {@code STATE-2}; also a JUnit tag
 * @param group e.g. {@code state}; also a JUnit tag
 * @param capability the capability the driver must declare for the requirement to apply
 * @param text what a conforming driver does
 * @param sdkEnforced whether the SDK's own types refuse every violation before the driver could commit
 *     it (the kit's test then only confirms the SDK does so); otherwise a driver can fail it, and the
 *     kit's gallery holds a broken driver that does
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public record Requirement(String id, String group, Optional<Capability> capability, String text,
        boolean sdkEnforced) {

    /**
     * Checks that no component is null.
     *
     * @param id e.g. {@code STATE-2}
     * @param group e.g. {@code state}
     * @param capability the capability the requirement needs, or empty
     * @param text what a conforming driver does
     * @param sdkEnforced whether the SDK refuses every violation by construction
     * @since 0.1
     */
    public Requirement {
        requireNonNull(id, "id is null");
        requireNonNull(group, "group is null");
        requireNonNull(capability, "capability is null");
        requireNonNull(text, "text is null");
    }
}
