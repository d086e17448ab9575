package io.cinderblock.tck;

import static java.util.Objects.requireNonNull;

/**
 * A device-level fault the fixture can cause and repair: a degraded volume group, a failed
 * controller, a health OID that reports failure. The kit checks that the driver reports it as it
 * checks a broken network path (requirement FAULT-8).
 *
 * <p>Both hooks are called from the kit's test thread; {@link #healDevice()} is called even when the
 * test fails, and must be idempotent.
 */
public interface DeviceFault {

    /** A short name for reports, e.g. {@code "controller failed"}. */
    String name();

    /** Makes the device unhealthy; returns once the device shows the fault. */
    void breakDevice() throws Exception;

    /** Makes the device healthy again; idempotent. */
    void healDevice() throws Exception;

    /** A fault from two actions. */
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

    /** An action that may throw. */
    @FunctionalInterface
    interface ThrowingRunnable {
        void run() throws Exception;
    }
}
