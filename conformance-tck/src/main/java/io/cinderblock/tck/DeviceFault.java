package io.cinderblock.tck;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.ApiStatus;

/**
 * A device-level fault the fixture can cause and repair: a degraded volume group, a failed
 * controller, a health OID that reports failure. The kit checks that the driver reports it as it
 * checks a broken network path (requirement FAULT-8).
 *
 * <p>Both hooks are called from the kit's test thread; {@link #healDevice()} is called even when the
 * test fails, and must be idempotent.
 *
 * <p>Usually made with {@link #of(String, ThrowingRunnable, ThrowingRunnable)} in a fixture:
 * {@code .deviceFault(DeviceFault.of("volume group degraded", array::degrade, array::repair))}.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.STABLE, since = "0.1")
public interface DeviceFault {

    /**
     * A short name for reports.
     *
     * @return e.g. {@code "controller failed"}; never null
     * @since 0.1
     */
    String name();

    /**
     * Makes the device unhealthy; returns once the device shows the fault. Called on the kit's test
     * thread by each test that needs a device fault (FAULT-8, and the checks of state agreement and
     * of pushed state).
     *
     * @throws Exception if the fault cannot be caused; the test fails with it, and the kit still
     *     calls {@link #healDevice()}
     * @since 0.1
     */
    void breakDevice() throws Exception;

    /**
     * Makes the device healthy again. Idempotent: called after each test that broke the device,
     * even when the test or {@link #breakDevice()} failed.
     *
     * @throws Exception if the device cannot be repaired; the run reports it
     * @since 0.1
     */
    void healDevice() throws Exception;

    /**
     * A fault from two actions.
     *
     * @param name a short name for reports
     * @param breakDevice makes the device unhealthy (see {@link #breakDevice()})
     * @param healDevice makes it healthy again; idempotent (see {@link #healDevice()})
     * @return the fault
     * @throws NullPointerException if an argument is null
     * @since 0.1
     */
    static DeviceFault of(String name, ThrowingRunnable breakDevice, ThrowingRunnable healDevice) {
        requireNonNull(name, "name is null");
        requireNonNull(breakDevice, "breakDevice is null");
        requireNonNull(healDevice, "healDevice is null");
        return new DeviceFault() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void breakDevice() throws Exception {
                breakDevice.run();
            }

            @Override
            public void healDevice() throws Exception {
                healDevice.run();
            }

            @Override
            public String toString() {
                return "DeviceFault[" + name + "]";
            }
        };
    }

    /**
     * An action that may throw, such as {@code array::degrade}.
     *
     * @since 0.1
     */
    @FunctionalInterface
    interface ThrowingRunnable {
        /**
         * Runs the action.
         *
         * @throws Exception whatever the action throws
         * @since 0.1
         */
        void run() throws Exception;
    }
}
