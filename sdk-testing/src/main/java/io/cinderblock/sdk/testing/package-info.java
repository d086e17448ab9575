/**
 * Test fixtures for driver and host tests, shared by the SDK's own modules and offered to vendors:
 * drivers that behave ({@link io.cinderblock.sdk.testing.FakeDriver}, {@link
 * io.cinderblock.sdk.testing.InMemoryDriverProvider}) and drivers that break one rule each ({@link
 * io.cinderblock.sdk.testing.FaultyDriverProviders}); a {@link
 * io.cinderblock.sdk.testing.RecordingLogger} and a {@link io.cinderblock.sdk.testing.ManualClock}
 * for a {@code DriverContext}; driver jars built at test time ({@link
 * io.cinderblock.sdk.testing.DriverJarBuilder}, {@link
 * io.cinderblock.sdk.testing.ServiceEntriesClassLoader}); and small helpers for tests against real
 * servers ({@link io.cinderblock.sdk.testing.LocalPorts}, {@link io.cinderblock.sdk.testing.Await},
 * {@link io.cinderblock.sdk.testing.PostgresTestDatabase}). Everything here is simulated and says so;
 * use it in test scope only.
 *
 * @since 0.2
 */
package io.cinderblock.sdk.testing;
