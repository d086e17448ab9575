package io.cinderblock.tck;

import static java.util.Objects.requireNonNull;

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
 */
public record Requirement(String id, String group, Optional<Capability> capability, String text,
        boolean sdkEnforced) {

    public Requirement {
        requireNonNull(id, "id is null");
        requireNonNull(group, "group is null");
        requireNonNull(capability, "capability is null");
        requireNonNull(text, "text is null");
    }
}
