package io.cinderblock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cinderblock.sdk.error.DeviceUnavailableException;
import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStats;
import io.cinderblock.sdk.spi.ConfigOption;
import io.cinderblock.sdk.spi.VolumeDriver;
import io.cinderblock.sdk.support.SecretScrubber;
import io.cinderblock.tck.proxy.DeviceProxies;
import io.cinderblock.tck.proxy.FaultMode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/** The bodies of the kit's {@code Faults} group; {@link VolumeDriverConformanceKit.Faults} delegates here. */
final class FaultChecks extends KitChecks {

    FaultChecks(Supplier<KitSession> session) {
        super(session);
    }

    /** A driver whose device traffic goes through fault proxies. */
    private final class Proxied implements AutoCloseable {
        final DeviceProxies proxies;
        final VolumeDriver driver;

        /** For FAULT-1, which judges the proxied driver itself; every other fault test is blocked by it. */
        Proxied(boolean judged) {
            proxies = placeProxies();
            Outcome<VolumeDriver> opened = s().open(proxies.config(), s().operationLimit());
            if (!judged && !opened.returned()) {
                throw new BlockedException("FAULT-1", "cannot open the driver through the fault proxy: "
                        + opened.account());
            }
            driver = opened.orFail();
            if (!judged) {
                Outcome<BackendState> state = probe(driver);
                if (!state.returned() || state.value().filter(BackendState::isUp).isEmpty()) {
                    throw new BlockedException("FAULT-1", "not UP through the healthy fault proxy: "
                            + state.account());
                }
            }
        }

        Proxied() {
            this(false);
        }

        Duration deadline() {
            return s().stateLimit(driver);
        }

        @Override
        public void close() {
            // The driver first, while the proxy still carries its goodbye (a session logout).
            driver.close();
            proxies.close();
        }
    }

    void upThroughProxy() {
        try (Proxied p = new Proxied(true)) {
            BackendState state = state(p.driver);
            assertThat(state.status()).as("state through the proxy (reason \"%s\")", state.reason())
                    .isEqualTo(BackendState.Status.UP);
            assertThat(healthyStats(collect(p.driver), "FAULT-1", "through the healthy proxy").backendState())
                    .as("stats through the proxy").isEqualTo(BackendState.Status.UP);
            // UP alone proves nothing if the driver reached its device some other way (a cached address).
            assertThat(p.proxies.arrivals()).as("connections or datagrams that reached the fault proxy while the"
                    + " driver opened, probed and collected stats through it (its endpoint options point there)")
                    .isPositive();
        }
    }

    void refused() {
        checkFault(FaultMode.REFUSE, "FAULT-2", "while the device refuses connections");
    }

    void reset() {
        checkFault(FaultMode.RESET, "FAULT-3", "while the device resets connections");
    }

    void stall() {
        checkFault(FaultMode.STALL, "FAULT-4", "while the device stalls");
    }

    private void checkFault(FaultMode mode, String requirement, String situation) {
        try (Proxied p = new Proxied()) {
            assumeTrue(p.proxies.supports(mode), "the driver's transport cannot simulate " + mode);
            collect(p.driver); // as a host would have: a driver must not serve these stats once the device fails
            p.proxies.mode(mode);
            BackendState down = awaitState(p.driver, st -> !st.isUp(), p.deadline(), requirement,
                    "within the deadline " + situation);
            assertThat(down.reason()).as(requirement + ": reason of the DOWN state").isNotBlank();
            assertStatsShowDown(p.driver, requirement, situation);
            p.proxies.heal();
        }
    }

    void slow() {
        try (Proxied p = new Proxied()) {
            Duration latency = s().fixture().slowLatency(s().stateDeadline());
            p.proxies.latency(latency);
            p.proxies.mode(FaultMode.SLOW);
            for (int i = 0; i < 3; i++) {
                BackendState state = state(p.driver);
                assertThat(state.status()).as("state with %s latency (reason \"%s\")", Kit.millis(latency),
                        state.reason()).isEqualTo(BackendState.Status.UP);
            }
            BackendStats stats = healthyStats(collect(p.driver), "FAULT-5", "with " + Kit.millis(latency)
                    + " latency");
            assertThat(stats.backendState()).as("stats with latency").isEqualTo(BackendState.Status.UP);
        }
    }

    void recovers() {
        try (Proxied p = new Proxied()) {
            Duration recovery = s().fixture().recoveryTimeout(s().stateDeadline());
            for (FaultMode mode : List.of(FaultMode.REFUSE, FaultMode.RESET, FaultMode.STALL)) {
                if (!p.proxies.supports(mode)) {
                    continue;
                }
                p.proxies.mode(mode);
                probe(p.driver); // let the driver see the fault; FAULT-2..4 judge what it reports
                collect(p.driver);
                p.proxies.heal();
                awaitState(p.driver, BackendState::isUp, recovery, "FAULT-6",
                        "after the " + mode + " fault healed (recovery timeout)");
                healthyStats(collect(p.driver), "FAULT-6", "after the " + mode + " fault healed");
            }
        }
    }

    void opensWhileUnreachable() {
        DeviceProxies proxies = placeProxies();
        Outcome<VolumeDriver> opened = null;
        try {
            proxies.mode(FaultMode.REFUSE);
            Duration limit = s().stateDeadline().plus(s().fixture().deadlineGrace());
            opened = s().open(proxies.config(), limit);
            assertThat(opened.timedOut()).as("open() while the device is unreachable: %s", opened.account())
                    .isFalse();
            if (opened.thrown().isPresent()) {
                assertThat(opened.thrown().get()).as("open() while unreachable: %s", opened.account())
                        .isInstanceOf(DeviceUnavailableException.class);
                return;
            }
            VolumeDriver driver = opened.value().orElseThrow(() -> new AssertionError("open() returned null"));
            awaitState(driver, st -> !st.isUp(), s().stateLimit(driver), "FAULT-7",
                    "after opening while the device is unreachable");
            proxies.heal();
            awaitState(driver, BackendState::isUp, s().fixture().recoveryTimeout(s().stateDeadline()), "FAULT-7",
                    "after the device came back");
        } finally {
            if (opened != null) {
                opened.value().ifPresent(VolumeDriver::close);
            }
            proxies.close();
        }
    }

    void wrongCredentials() {
        Map<String, String> wrong = wrongCredentialConfig();
        List<String> secrets = new ArrayList<>();
        secretValuesIn(s().fixture().config()).values().forEach(secrets::add);
        secretValuesIn(wrong).values().forEach(secrets::add);
        SecretScrubber scrubber = SecretScrubber.of(secrets);
        Outcome<VolumeDriver> opened = s().open(wrong, s().operationLimit());
        assertThat(opened.timedOut()).as("FAULT-9: open() with a wrong credential hung: %s", opened.account())
                .isFalse();
        if (opened.thrown().isPresent()) {
            // Refusing at open is allowed, typed and saying why.
            Throwable thrown = opened.thrown().get();
            assertThat(thrown).as("FAULT-9: open() with a wrong credential: %s", opened.account())
                    .isInstanceOfAny(DeviceUnavailableException.class, InvalidConfigException.class);
            assertAuthenticationReason(String.valueOf(thrown.getMessage()), scrubber, "open()'s error");
        } else {
            VolumeDriver driver = opened.value().orElseThrow(() -> new AssertionError("open() returned null"));
            String situation = "with a wrong credential";
            BackendState down = awaitState(driver, st -> !st.isUp(), s().stateLimit(driver), "FAULT-9",
                    "within the deadline " + situation);
            assertAuthenticationReason(down.reason(), scrubber, "the DOWN state's reason");
            assertStatsShowDown(driver, "FAULT-9", situation);
            for (int i = 0; i < 3; i++) {
                BackendState again = state(driver);
                assertThat(again.status()).as("FAULT-9: state %s, probe %d (reason \"%s\")", situation, i + 2,
                        scrubber.scrub(again.reason())).isNotEqualTo(BackendState.Status.UP);
            }
        }
        VolumeDriver right = s().open(s().fixture().config(), s().operationLimit()).orFail();
        awaitState(right, BackendState::isUp, s().fixture().recoveryTimeout(s().stateDeadline()), "FAULT-9",
                "for a new driver opened with the right credential");
    }

    /** The fixture's configuration with a wrong credential; skips when the driver has none. */
    private Map<String, String> wrongCredentialConfig() {
        if (s().fixture().wrongCredentials().isPresent()) {
            return Map.copyOf(s().fixture().wrongCredentials().get().apply(Map.copyOf(s().fixture().config())));
        }
        List<ConfigOption> secretOptions = descriptor().options().stream().filter(ConfigOption::secret)
                .collect(Collectors.toList());
        assumeTrue(!secretOptions.isEmpty(), "driver declares no secret option (and the fixture says no other way"
                + " to make a wrong credential)");
        Map<String, String> wrong = new LinkedHashMap<>(s().fixture().config());
        boolean changed = false;
        for (ConfigOption option : secretOptions) {
            if (wrong.containsKey(option.name())) {
                wrong.put(option.name(), "tck-wrong-" + s().newId("secret"));
                changed = true;
            }
        }
        assumeTrue(changed, "the fixture's configuration sets none of the secret options "
                + secretOptions.stream().map(ConfigOption::name).collect(Collectors.toList()));
        return wrong;
    }

    private void assertAuthenticationReason(String reason, SecretScrubber scrubber, String what) {
        assertThat(scrubber.findIn(reason)).as("FAULT-9: %s names a secret (masked: \"%s\")", what,
                scrubber.scrub(reason)).isEmpty();
        assertThat(AUTHENTICATION.matcher(reason).find()).as("FAULT-9: %s \"%s\" says authentication failed"
                + " (words such as authentication, credential, password, key, unauthorized, 401/403, denied)",
                what, reason).isTrue();
    }

    void idleConnectionsClosed() {
        try (Proxied p = new Proxied()) {
            assumeTrue(p.proxies.supports(FaultMode.IDLE_CLOSE), "the driver's transport has no connections to close");
            Duration idle = s().fixture().idleTimeout();
            p.proxies.idleTimeout(idle);
            p.proxies.mode(FaultMode.IDLE_CLOSE);
            state(p.driver); // connections a driver pools are open now
            collect(p.driver);
            Duration gap = idle.multipliedBy(2).plusMillis(200);
            sleep(gap);
            String situation = "after an idle gap of " + Kit.millis(gap) + " on a healthy device that closes"
                    + " connections idle for " + Kit.millis(idle);
            BackendState state = state(p.driver);
            assertThat(state.status()).as("FAULT-10: state %s (reason \"%s\"): a closed idle connection must be"
                    + " reopened, not reported DOWN", situation, state.reason()).isEqualTo(BackendState.Status.UP);
            assertThat(healthyStats(collect(p.driver), "FAULT-10", situation).backendState())
                    .as("FAULT-10: stats %s", situation).isEqualTo(BackendState.Status.UP);
            sleep(gap);
            BackendStats next = healthyStats(collect(p.driver), "FAULT-10", "as the first call " + situation);
            assertThat(next.backendState()).as("FAULT-10: stats as the first call %s", situation)
                    .isEqualTo(BackendState.Status.UP);
        }
    }

    void halfOpen() {
        try (Proxied p = new Proxied()) {
            assumeTrue(p.proxies.supports(FaultMode.HALF_OPEN), "the driver's transport has no connections");
            collect(p.driver); // connections a driver pools are established now, and go silent below
            state(p.driver);
            p.proxies.mode(FaultMode.HALF_OPEN);
            String situation = "while established connections are half-open (silent, no FIN or RST) and new ones"
                    + " are accepted but never answered";
            BackendState down = awaitState(p.driver, st -> !st.isUp(), p.deadline(), "FAULT-11",
                    "within the deadline " + situation);
            assertThat(down.reason()).as("FAULT-11: reason of the DOWN state").isNotBlank();
            assertStatsShowDown(p.driver, "FAULT-11", situation);
            p.proxies.heal();
            awaitState(p.driver, BackendState::isUp, s().fixture().recoveryTimeout(s().stateDeadline()), "FAULT-11",
                    "after the half-open path healed (recovery timeout)");
            healthyStats(collect(p.driver), "FAULT-11", "after the half-open path healed");
        }
    }

    void deviceFaults() throws Exception {
        List<DeviceFault> faults = s().fixture().deviceFaults();
        assumeTrue(!faults.isEmpty(), "the fixture offers no device-level fault hooks");
        VolumeDriver driver = driver();
        for (DeviceFault fault : faults) {
            if (!state(driver).isUp()) {
                throw new BlockedException("STATE-1", "not UP before device fault '" + fault.name() + "'");
            }
            collect(driver); // as a host would have: a driver must not serve these stats once the device fails
            try {
                fault.breakDevice();
                String situation = "during device fault '" + fault.name() + "'";
                BackendState down = awaitState(driver, st -> !st.isUp(), s().stateLimit(driver), "FAULT-8",
                        "within the deadline " + situation);
                assertThat(down.reason()).as("reason of the DOWN state " + situation).isNotBlank();
                assertStatsShowDown(driver, "FAULT-8", situation);
            } finally {
                fault.healDevice();
            }
            awaitState(driver, BackendState::isUp, s().fixture().recoveryTimeout(s().stateDeadline()), "FAULT-8",
                    "after device fault '" + fault.name() + "' healed");
        }
    }
}
