package io.cinderblock.tck;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;

/**
 * The device a conformance run talked to, as the fixture declares it: a real array's model and
 * firmware, or a simulator. Every report shows it; a run against a simulated device says so on the
 * HTML page and in its verdict ("Conformant on a simulated device"), so that a simulator's run is
 * never mistaken for a certification on hardware.
 *
 * <pre>{@code
 * TckFixture.forDriver("acme").device(DeviceUnderTest.of("Acme FS-9000", "7.2.1"))...
 * TckFixture.forDriver("acme").device(DeviceUnderTest.simulated("acme-sim 1.0 (in-process)"))...
 * }</pre>
 *
 * @param model the device model, or the simulator's name
 * @param firmware the firmware version; empty for a simulator or when not declared
 * @param simulated whether the device is a simulator
 * @param declared whether the fixture declared a device at all
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.1")
public record DeviceUnderTest(String model, String firmware, boolean simulated, boolean declared) {

    /**
     * Checks the components. Fixtures use {@link #of}, {@link #simulated} or {@link #undeclared}.
     *
     * @param model the device model, or the simulator's name
     * @param firmware the firmware version; empty for a simulator or when not declared
     * @param simulated whether the device is a simulator
     * @param declared whether the fixture declared a device at all
     * @throws NullPointerException if a text is null
     * @since 0.1
     */
    public DeviceUnderTest {
        requireNonNull(model, "model is null");
        requireNonNull(firmware, "firmware is null");
    }

    /**
     * A real device.
     *
     * @param model e.g. {@code "Acme FS-9000"}; not blank
     * @param firmware e.g. {@code "7.2.1"}; not blank
     * @return the declaration
     * @throws IllegalArgumentException if either is blank
     * @since 0.1
     */
    public static DeviceUnderTest of(String model, String firmware) {
        return new DeviceUnderTest(notBlank(model, "model"), notBlank(firmware, "firmware"), false, true);
    }

    /**
     * A simulator standing in for a device.
     *
     * @param name what simulates it, e.g. {@code "driver-sim in-process server"}; not blank
     * @return the declaration
     * @throws IllegalArgumentException if the name is blank
     * @since 0.1
     */
    public static DeviceUnderTest simulated(String name) {
        return new DeviceUnderTest(notBlank(name, "simulator name"), "", true, true);
    }

    /**
     * What a fixture that declares nothing gets: the report says the device was not declared.
     *
     * @return the undeclared device
     * @since 0.1
     */
    public static DeviceUnderTest undeclared() {
        return new DeviceUnderTest("not declared by the fixture", "", false, false);
    }

    /**
     * One line for reports: {@code Acme FS-9000, firmware 7.2.1} or {@code simulated: NAME}.
     *
     * @return the description
     * @since 0.1
     */
    public String describe() {
        if (simulated) {
            return "simulated: " + model;
        }
        return firmware.isEmpty() ? model : model + ", firmware " + firmware;
    }

    private static String notBlank(String value, String what) {
        requireNonNull(value, what + " is null");
        if (value.isBlank()) {
            throw new IllegalArgumentException("The device's " + what + " is blank");
        }
        return value.strip();
    }
}
