package io.cinderblock.service.dist;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;

/**
 * The drivers' own real-server test helpers, reused rather than copied: driver-lvm's {@code
 * LvmTestHost} (sshd + LVM on loop devices + tgtd) and driver-snmp-array's {@code NetSnmpAgent}
 * (net-snmp snmpd). They are package-private test classes of those modules, put on this module's test
 * class path by the POM (their {@code target/test-classes}, built by the same reactor), so they are
 * called reflectively here.
 */
final class DriverTestHelpers {
    private DriverTestHelpers() {}

    /** A started helper object and the reflective calls on it. */
    static final class Helper implements AutoCloseable {
        private final Object target;

        private Helper(Object target) {
            this.target = target;
        }

        /** Calls {@code static start()} of a helper class. */
        static Helper start(String className) {
            Class<?> type;
            try {
                type = Class.forName(className);
            } catch (ClassNotFoundException e) {
                throw new AssertionError(className + " is not on the test class path: build with the reactor"
                        + " (mvn -pl reference-service-dist -am verify) so the drivers' test classes exist", e);
            }
            return new Helper(invoke(type, null, "start"));
        }

        /** Calls a no-argument or one-argument method; returns its result. */
        Object call(String method, Object... args) {
            return invoke(target.getClass(), target, method, args);
        }

        @SuppressWarnings("unchecked")
        Map<String, String> options(String method, Object... args) {
            return (Map<String, String>) call(method, args);
        }

        @Override
        public void close() {
            call("close");
        }

        private static Object invoke(Class<?> type, Object target, String name, Object... args) {
            Method method = Arrays.stream(type.getDeclaredMethods())
                    .filter(m -> m.getName().equals(name) && m.getParameterCount() == args.length).findFirst()
                    .orElseThrow(() -> new AssertionError(type.getName() + " has no method " + name + " with "
                            + args.length + " parameter(s): has the driver's test helper changed?"));
            method.setAccessible(true);
            try {
                return method.invoke(target, args);
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof RuntimeException runtime) {
                    throw runtime;
                }
                if (e.getCause() instanceof Error error) {
                    throw error;
                }
                throw new IllegalStateException(e.getCause());
            }
        }
    }
}
