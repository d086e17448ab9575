package io.cinderblock.sdk.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.host.testing.HostFixtures;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.testing.FaultyDriverProviders;
import io.cinderblock.sdk.testing.InMemoryDevice;
import io.cinderblock.sdk.testing.InMemoryDriverProvider;
import io.cinderblock.sdk.testing.ServiceEntriesClassLoader;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Backend.state: the driver's probe, bounded even when the driver misbehaves")
class BackendStateProbeTest {
    /** Generous: the bound under test is deadline + grace = 300 ms; this only keeps a broken build from hanging. */
    private static final Duration HANG_GUARD = Duration.ofSeconds(10);

    private final DriverRegistry drivers = DriverRegistry.builder()
            .classLoader(BackendStateProbeTest.class.getClassLoader())
            .classLoader(new ServiceEntriesClassLoader(java.util.List.of(
                    FaultyDriverProviders.HangingState.class.getName(),
                    FaultyDriverProviders.NullState.class.getName())))
            .build();
    private final BackendRegistry registry = BackendRegistry.builder().drivers(drivers)
            .stateGrace(Duration.ofMillis(100)).build();

    @AfterEach
    void tearDown() {
        ((FaultyDriverProviders.HangingState) drivers.require("hanging-state").provider()).release();
        registry.close();
    }

    @Test
    @DisplayName("follows the device: UP, then DOWN with the driver's reason, then UP again")
    void followsTheDevice() {
        Backend backend = registry.open("probe-1", InMemoryDriverProvider.config());
        InMemoryDevice device = HostFixtures.inMemory(registry).device("probe-1");

        BackendState up = backend.state();
        assertThat(up.status()).isEqualTo(BackendState.Status.UP);
        assertThat(up.reason()).contains("answers");

        device.goDown();
        BackendState down = backend.state();
        assertThat(down.status()).isEqualTo(BackendState.Status.DOWN);
        assertThat(down.reason()).contains("switched off");
        assertThat(backend.lastState()).contains(down);

        device.comeUp();
        assertThat(backend.state().isUp()).isTrue();
        assertThat(device.calls(InMemoryDevice.BACKEND_STATE)).isEqualTo(3);
    }

    @Test
    @DisplayName("the driver sees the registry's clock")
    void driverUsesRegistryClock() {
        Instant fixed = Instant.parse("2026-01-02T03:04:05Z");
        try (BackendRegistry clocked = BackendRegistry.builder().drivers(DriverRegistry.fromClassPath())
                .clock(Clock.fixed(fixed, ZoneOffset.UTC)).build()) {
            Backend backend = clocked.open("clocked", InMemoryDriverProvider.config());
            assertThat(backend.state().observedAt()).isEqualTo(fixed);
            assertThat(backend.stats(true).collectedAt()).isEqualTo(fixed);
        }
    }

    @Test
    @DisplayName("a hung probe reads DOWN within deadline + grace; while it is stuck, later calls answer DOWN at once")
    void hungDriverIsBounded() {
        Backend backend = registry.open("hung", Map.of("volume_driver", "hanging-state"));
        FaultyDriverProviders.HangingState provider =
                (FaultyDriverProviders.HangingState) drivers.require("hanging-state").provider();
        assertThat(backend.stateDeadline()).isEqualTo(FaultyDriverProviders.HangingState.DEADLINE);

        BackendState first = assertTimeoutPreemptively(HANG_GUARD, backend::state);
        assertThat(first.status()).isEqualTo(BackendState.Status.DOWN);
        assertThat(first.reason()).contains("did not return within 300 ms").contains("driver deadline 200 ms");
        assertThat(provider.gate().entered()).isEqualTo(1);

        BackendState second = assertTimeoutPreemptively(HANG_GUARD, backend::state);
        assertThat(second.status()).isEqualTo(BackendState.Status.DOWN);
        assertThat(second.reason()).contains("has not returned").contains("hung");
        assertThat(provider.gate().entered()).as("no second thread was sent into the hung driver").isEqualTo(1);

        provider.release();
        provider.gate().awaitLeft(1, HANG_GUARD);
        assertThat(stateOnceTheStuckProbeReturned(backend).status()).isEqualTo(BackendState.Status.UP);
    }

    /** The stuck probe's thread may still be on its way out of the driver: ask until it is gone. */
    private static BackendState stateOnceTheStuckProbeReturned(Backend backend) {
        long deadline = System.nanoTime() + HANG_GUARD.toNanos();
        BackendState state = backend.state();
        while (state.reason().contains("has not returned") && System.nanoTime() < deadline) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
            state = backend.state();
        }
        return state;
    }

    @Test
    @DisplayName("a null state reads DOWN, naming the driver")
    void nullState() {
        Backend backend = registry.open("null", Map.of("volume_driver", "null-state"));
        BackendState state = backend.state();
        assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
        assertThat(state.reason()).contains("'null-state'").contains("null");
    }

    @Test
    @DisplayName("a closed backend reads DOWN without asking the driver")
    void closedBackend() {
        Backend backend = registry.open("closing", InMemoryDriverProvider.config());
        InMemoryDevice device = HostFixtures.inMemory(registry).device("closing");
        backend.close();
        BackendState state = backend.state();
        assertThat(state.status()).isEqualTo(BackendState.Status.DOWN);
        assertThat(state.reason()).contains("closed");
        assertThat(device.calls(InMemoryDevice.BACKEND_STATE)).isZero();
    }
}
