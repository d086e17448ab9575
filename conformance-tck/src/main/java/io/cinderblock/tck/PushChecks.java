package io.cinderblock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStateListener;
import io.cinderblock.sdk.spi.BackendStatePublisher;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.tck.proxy.DeviceProxies;
import io.cinderblock.tck.proxy.FaultMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The bodies of the kit's {@code Push} group; {@link VolumeDriverConformanceKit.Push} delegates here. */
final class PushChecks extends KitChecks {

    PushChecks(Supplier<KitSession> session) {
        super(session);
    }

    private static final int FLAPS = 10;
    /** How long the kit listens after flaps, or after close(), for calls still to come. */
    private static final Duration SETTLE = Duration.ofSeconds(1);

    /** What the kit's listener heard, with when (System.nanoTime()). */
    private final class Recorder implements BackendStateListener {
        record Heard(long nanos, String kind, String detail, Optional<BackendState> state) {}

        final List<Heard> heard = new java.util.concurrent.CopyOnWriteArrayList<>();

        @Override
        public void stateChanged(BackendState state) {
            heard.add(new Heard(System.nanoTime(), "stateChanged", String.valueOf(state), Optional.ofNullable(state)));
            if (state != null) {
                s().observe("pushed state reason", state.reason());
            }
        }

        @Override
        public void pushLost(String reason) {
            heard.add(new Heard(System.nanoTime(), "pushLost", String.valueOf(reason), Optional.empty()));
            s().observe("pushLost reason", String.valueOf(reason));
        }

        @Override
        public void pushRestored() {
            heard.add(new Heard(System.nanoTime(), "pushRestored", "", Optional.empty()));
        }

        /** Waits until something heard after {@code sinceNanos} matches, or {@code within} passes. */
        Optional<Heard> await(long sinceNanos, Predicate<Heard> wanted, Duration within) {
            long end = System.nanoTime() + within.toNanos();
            while (true) {
                Optional<Heard> found = heard.stream().filter(h -> h.nanos() >= sinceNanos).filter(wanted).findFirst();
                if (found.isPresent() || System.nanoTime() > end) {
                    return found;
                }
                sleep(Duration.ofMillis(20));
            }
        }

        long count(long sinceNanos, String kind) {
            return heard.stream().filter(h -> h.nanos() >= sinceNanos && h.kind().equals(kind)).count();
        }

        String since(long sinceNanos) {
            return heard.stream().filter(h -> h.nanos() >= sinceNanos)
                    .map(h -> h.kind() + "(" + h.detail() + ")").collect(Collectors.joining(", "));
        }
    }

    /** Opens a driver with {@code config} and starts its push to a fresh recorder; skips when it does not push. */
    private Recorder publish(VolumeDriver driver) {
        assumeTrue(driver instanceof BackendStatePublisher, "driver '" + descriptor().id()
                + "' does not implement BackendStatePublisher (it does not push state changes)");
        Recorder recorder = new Recorder();
        Outcome<Boolean> published = s().call("publishTo()", s().stateLimit(driver),
                () -> ((BackendStatePublisher) driver).publishTo(recorder));
        assertThat(published.timedOut()).as("publishTo() must return quickly: %s", published.account()).isFalse();
        assumeTrue(published.orFail(), "publishTo() returned false: push is off in this configuration");
        // A first announcement (the current state) shows the channel is up; a driver may also stay quiet.
        recorder.await(0, h -> true, s().fixture().pushBound());
        return recorder;
    }

    private VolumeDriver openShared() {
        Outcome<VolumeDriver> opened = s().open(s().fixture().config(), s().operationLimit());
        if (!opened.returned() || opened.value().isEmpty()) {
            throw new BlockedException("CONF-1", "the fixture's configuration does not open a driver: "
                    + opened.account());
        }
        return opened.value().get();
    }

    private DeviceFault firstDeviceFault() {
        List<DeviceFault> faults = s().fixture().deviceFaults();
        assumeTrue(!faults.isEmpty(), "the fixture offers no device-level fault hooks to make the device announce"
                + " a change");
        return faults.get(0);
    }

    private void heal(DeviceFault fault) {
        try {
            fault.healDevice();
        } catch (Exception e) {
            throw new AssertionError("The fixture's device fault '" + fault.name() + "' failed to heal: " + e, e);
        }
    }

    private void breakDevice(DeviceFault fault) {
        try {
            fault.breakDevice();
        } catch (Exception e) {
            throw new AssertionError("The fixture's device fault '" + fault.name() + "' failed to break: " + e, e);
        }
    }

    void pushedDown() {
        DeviceFault fault = firstDeviceFault();
        Recorder recorder = publish(openShared());
        Duration bound = s().fixture().pushBound();
        try {
            long broken = System.nanoTime();
            breakDevice(fault);
            Optional<Recorder.Heard> down = recorder.await(broken, h -> h.state().filter(st -> !st.isUp()).isPresent(),
                    bound);
            assertThat(down).as("PUSH-1: a pushed DOWN within %s of device fault '%s'; heard: [%s]",
                    Kit.millis(bound), fault.name(), recorder.since(broken)).isPresent();
            assertThat(down.get().state().get().reason()).as("PUSH-1: reason of the pushed DOWN").isNotBlank();
        } finally {
            heal(fault);
        }
    }

    void pushLost() {
        DeviceProxies proxies = placeProxies();
        List<String> problems = new ArrayList<>();
        try {
            for (FaultMode mode : List.of(FaultMode.RESET, FaultMode.HALF_OPEN)) {
                if (!proxies.supports(mode)) {
                    continue;
                }
                Outcome<VolumeDriver> opened = s().open(proxies.config(), s().operationLimit());
                if (!opened.returned() || opened.value().isEmpty()) {
                    throw new BlockedException("FAULT-1", "cannot open the driver through the fault proxy: "
                            + opened.account());
                }
                VolumeDriver driver = opened.value().get();
                Recorder recorder = publish(driver);
                boolean silent = mode == FaultMode.HALF_OPEN;
                Duration bound = silent ? s().fixture().pushSilenceBound() : s().fixture().pushBound();
                long broken = System.nanoTime();
                proxies.mode(mode);
                Optional<Recorder.Heard> lost = recorder.await(broken, h -> h.kind().equals("pushLost"), bound);
                if (lost.isEmpty()) {
                    problems.add("no pushLost within " + Kit.millis(bound) + " after the push channel "
                            + (silent ? "went silent (half-open: no data, no FIN, no RST)" : "was reset")
                            + "; heard: [" + recorder.since(broken) + "]");
                } else if (lost.get().detail().isBlank()) {
                    problems.add("pushLost without a reason");
                }
                proxies.heal();
                s().run("close()", s().operationLimit(), driver::close);
            }
        } finally {
            proxies.close();
        }
        assertThat(problems).as("PUSH-2: lost push channels not reported").isEmpty();
    }

    void noStorm() {
        DeviceFault fault = firstDeviceFault();
        Recorder recorder = publish(openShared());
        long start = System.nanoTime();
        try {
            for (int i = 0; i < FLAPS; i++) {
                breakDevice(fault);
                sleep(Duration.ofMillis(20));
                heal(fault);
                sleep(Duration.ofMillis(20));
            }
        } finally {
            heal(fault);
        }
        sleep(SETTLE);
        long calls = recorder.count(start, "stateChanged");
        long bound = 2L * FLAPS + 2;
        assertThat(calls).as("PUSH-3: stateChanged calls for %d flaps of device fault '%s' (at most one per"
                + " announced change: %d)", FLAPS, fault.name(), bound).isLessThanOrEqualTo(bound);
    }

    void quietAfterClose() {
        DeviceFault fault = firstDeviceFault();
        VolumeDriver driver = openShared();
        Recorder recorder = publish(driver);
        long closed;
        try {
            breakDevice(fault); // an announcement in flight while the driver closes
            sleep(Duration.ofMillis(150));
            s().run("close()", s().operationLimit(), driver::close).orFail();
            closed = System.nanoTime();
            heal(fault);
            breakDevice(fault);
            sleep(Duration.ofMillis(100));
        } finally {
            heal(fault);
        }
        Duration wait = SETTLE;
        sleep(wait);
        assertThat(recorder.since(closed)).as("PUSH-4: listener calls after close() returned (waited %s, the"
                + " device changed state twice)", Kit.millis(wait)).isEmpty();
    }
}
