/**
 * The conformance kit a driver's build runs: extend {@link
 * io.cinderblock.tck.VolumeDriverConformanceKit} in a test and return a {@link
 * io.cinderblock.tck.TckFixture} that reaches the device, with its {@link
 * io.cinderblock.tck.DeviceFault device-level faults} and the {@link io.cinderblock.tck.DeviceUnderTest
 * device under test} the reports name. What the kit checks is the catalogue in {@link
 * io.cinderblock.tck.Requirements} (the kit's REQUIREMENTS.md).
 *
 * @since 0.1
 */
package io.cinderblock.tck;
