package io.cinderblock.tck;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.spi.DriverDescriptor;
import io.cinderblock.sdk.spi.VolumeDriverProvider;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Supplier;

/** The bodies of the kit's {@code Discovery} group; {@link VolumeDriverConformanceKit.Discovery} delegates here. */
final class DiscoveryChecks extends KitChecks {

    DiscoveryChecks(Supplier<KitSession> session) {
        super(session);
    }

    void providerIsRegistered() throws Exception {
        Class<? extends VolumeDriverProvider> type = s().provider().getClass();
        assertThat(Modifier.isPublic(type.getModifiers())).as("provider class %s is public", type.getName()).isTrue();
        assertThat(Modifier.isPublic(type.getConstructor().getModifiers()))
                .as("provider %s has a public no-argument constructor", type.getName()).isTrue();
        int registered = 0;
        List<String> sameId = new ArrayList<>();
        Iterator<ServiceLoader.Provider<VolumeDriverProvider>> providers =
                ServiceLoader.load(VolumeDriverProvider.class, type.getClassLoader()).stream().iterator();
        while (providers.hasNext()) {
            ServiceLoader.Provider<VolumeDriverProvider> candidate;
            try {
                candidate = providers.next();
            } catch (ServiceConfigurationError e) {
                continue; // another jar's broken entry is that jar's problem
            }
            if (candidate.type() == type) {
                registered++;
            } else if (candidate.type().getClassLoader() == type.getClassLoader()) {
                VolumeDriverProvider other = candidate.get();
                if (other.descriptor().id().equals(descriptor().id())) {
                    sameId.add(candidate.type().getName());
                }
            }
        }
        assertThat(registered).as("registrations of %s in META-INF/services/%s", type.getName(),
                VolumeDriverProvider.class.getName()).isGreaterThanOrEqualTo(1);
        assertThat(sameId).as("other providers of id '%s'", descriptor().id()).isEmpty();
    }

    void descriptorIsStable() {
        for (int i = 0; i < 3; i++) {
            DriverDescriptor again = s().call("descriptor()", Duration.ofSeconds(1), s().provider()::descriptor)
                    .orFail();
            assertThat(again).as("descriptor() call %d", i + 2).isEqualTo(descriptor());
        }
    }
}
