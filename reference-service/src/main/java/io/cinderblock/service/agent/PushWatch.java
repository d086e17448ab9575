package io.cinderblock.service.agent;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.service.ops.Metrics;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Subscribes each opened backend to its driver's pushed states: a pushed state is recorded at once
 * (a pushed DOWN also brings the next probe forward), a lost or restored channel is recorded and
 * counted. The driver's threads only hand events to {@link PushedStates}; everything here runs on the
 * agent's push executor.
 */
final class PushWatch {
    /** The agent's logger: operators and log filters know these lines by it. */
    private static final Logger LOG = LoggerFactory.getLogger(Agent.class);

    private final Executor pushExecutor;
    private final Optional<Metrics> metrics;
    private final StateRecorder states;
    private final ProbeTimer probeTimer;
    private final Duration stateInterval;

    PushWatch(Executor pushExecutor, Optional<Metrics> metrics, StateRecorder states, ProbeTimer probeTimer,
            Duration stateInterval) {
        this.pushExecutor = requireNonNull(pushExecutor, "pushExecutor is null");
        this.metrics = requireNonNull(metrics, "metrics is null");
        this.states = requireNonNull(states, "states is null");
        this.probeTimer = requireNonNull(probeTimer, "probeTimer is null");
        this.stateInterval = requireNonNull(stateInterval, "stateInterval is null");
    }

    /** Subscribes to a backend's pushed states; polling goes on regardless (the safety net). */
    void watch(BackendMonitor monitor) {
        try {
            monitor.pushing = monitor.backend.watchState(new PushedStates(pushExecutor, new PushedStates.Sink() {
                @Override
                public void pushed(BackendState state) {
                    metrics.ifPresent(m -> m.pushed(monitor.host));
                    states.record(monitor, state.status(), state.reason(), state.observedAt());
                    if (state.status() == BackendState.Status.DOWN) {
                        probeTimer.sooner(monitor);
                    }
                }

                @Override
                public void lost(String reason) {
                    monitor.pushLost = Optional.of(reason);
                    // The metric first: whoever sees the page (or another node) change finds it set.
                    metrics.ifPresent(m -> m.pushLost(monitor.host, true));
                    states.pushLost(monitor, monitor.pushLost);
                    LOG.warn("Backend {}: pushed states lost ({}); polling every {} ms continues", monitor.host, reason,
                            stateInterval.toMillis());
                }

                @Override
                public void restored() {
                    monitor.pushLost = Optional.empty();
                    metrics.ifPresent(m -> m.pushLost(monitor.host, false));
                    states.pushLost(monitor, monitor.pushLost);
                    LOG.info("Backend {}: pushed states flow again", monitor.host);
                }
            }));
            if (monitor.pushing) {
                metrics.ifPresent(m -> m.pushLost(monitor.host, false));
                LOG.info("Backend {} pushes its state changes (polling continues as the safety net)", monitor.host);
            }
        } catch (RuntimeException e) {
            // A driver whose push cannot start is polled, as every other one.
            LOG.warn("Backend {}: cannot subscribe to pushed states: {}; polling only", monitor.host, e.getMessage());
        }
    }
}
