package io.cinderblock.service.ops;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.service.model.PoolRecord;
import io.cinderblock.service.model.ServiceRecord;
import io.cinderblock.service.model.ServiceSnapshot;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;

/**
 * The process's Prometheus metrics (Prometheus Java client, text format 0.0.4), one registry per
 * process so that several services in one JVM (tests) never share series.
 *
 * <p>Backend state and pool capacity are read from the current snapshot at scrape time (an API node
 * exports every backend of the cluster, an agent its own); probe and stats durations and the last
 * success times are recorded by the agent as it works. JVM figures come from the client's JVM
 * instrumentation.
 */
public final class Metrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Histogram probeDuration;
    private final Histogram statsDuration;
    private final Gauge lastProbeSuccess;
    private final Gauge lastStatsSuccess;
    private final Counter pushedStates;
    private final Gauge pushLost;

    /**
     * Creates the registry.
     *
     * @param snapshots the snapshot to export backend state and capacity from
     * @param serviceDownTime a service whose heartbeat is older is down (as in the API)
     */
    public Metrics(Supplier<ServiceSnapshot> snapshots, Duration serviceDownTime, Clock clock) {
        requireNonNull(snapshots, "snapshots is null");
        JvmMetrics.builder().register(registry);
        probeDuration = Histogram.builder().name("cinderblock_probe_duration_seconds")
                .help("Duration of backend state probes").labelNames("backend").classicOnly()
                .classicUpperBounds(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30).register(registry);
        statsDuration = Histogram.builder().name("cinderblock_stats_duration_seconds")
                .help("Duration of backend stats collections").labelNames("backend").classicOnly()
                .classicUpperBounds(0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 2.5, 5, 10, 30).register(registry);
        lastProbeSuccess = Gauge.builder().name("cinderblock_probe_last_success_timestamp_seconds")
                .help("When a probe last completed (either answer), seconds since the epoch")
                .labelNames("backend").register(registry);
        lastStatsSuccess = Gauge.builder().name("cinderblock_stats_last_success_timestamp_seconds")
                .help("When stats were last collected, seconds since the epoch").labelNames("backend").register(registry);
        pushedStates = Counter.builder().name("cinderblock_pushed_states_total")
                .help("States a backend's driver pushed (after coalescing a burst)").labelNames("backend")
                .register(registry);
        pushLost = Gauge.builder().name("cinderblock_push_lost")
                .help("1 while a pushing backend's channel is lost (polling only), 0 while it delivers;"
                        + " no sample for backends that do not push").labelNames("backend").register(registry);
        GaugeWithCallback.builder().name("cinderblock_backend_state")
                .help("1 when the backend's last report is up, 0 when down; no sample while unknown or stale")
                .labelNames("backend").callback(callback -> {
                    for (ServiceRecord service : snapshots.get().services()) {
                        if (service.isVolume() && service.backendState().isPresent()) {
                            callback.call(service.backendState().get() == BackendState.Status.UP ? 1 : 0,
                                    service.host());
                        }
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("cinderblock_service_up")
                .help("1 when the service's heartbeat is within service_down_time, else 0")
                .labelNames("host", "binary").callback(callback -> {
                    Instant now = clock.instant();
                    for (ServiceRecord service : snapshots.get().services()) {
                        boolean up = Duration.between(service.updatedAt(), now).abs().compareTo(serviceDownTime) <= 0;
                        callback.call(up ? 1 : 0, service.host(), service.binary());
                    }
                }).register(registry);
        GaugeWithCallback.builder().name("cinderblock_pool_total_capacity_gb")
                .help("Total capacity of a pool at the last stats, GiB").labelNames("backend", "pool")
                .callback(callback -> capacity(snapshots.get(), "total_capacity_gb", callback)).register(registry);
        GaugeWithCallback.builder().name("cinderblock_pool_free_capacity_gb")
                .help("Free capacity of a pool at the last stats, GiB").labelNames("backend", "pool")
                .callback(callback -> capacity(snapshots.get(), "free_capacity_gb", callback)).register(registry);
    }

    private static void capacity(ServiceSnapshot snapshot, String key, GaugeWithCallback.Callback callback) {
        for (List<PoolRecord> pools : snapshot.pools().values()) {
            for (PoolRecord pool : pools) {
                // Drivers may report 'infinite' or 'unknown' (Cinder's strings): no sample then.
                if (pool.capabilities().get(key) instanceof Number value) {
                    callback.call(value.doubleValue(), pool.serviceHost(), pool.name());
                }
            }
        }
    }

    /** Records one probe of a backend. */
    public void probed(String backend, Duration took, long epochMillis) {
        probeDuration.labelValues(backend).observe(took.toNanos() / 1e9);
        lastProbeSuccess.labelValues(backend).set(epochMillis / 1000.0);
    }

    /** Records one successful stats collection of a backend. */
    public void collected(String backend, Duration took, long epochMillis) {
        statsDuration.labelValues(backend).observe(took.toNanos() / 1e9);
        lastStatsSuccess.labelValues(backend).set(epochMillis / 1000.0);
    }

    /** Records one pushed state handled for a backend. */
    public void pushed(String backend) {
        pushedStates.labelValues(backend).inc();
    }

    /** Records whether a pushing backend's channel is lost. */
    public void pushLost(String backend, boolean lost) {
        pushLost.labelValues(backend).set(lost ? 1 : 0);
    }

    /** The text format's content type. */
    public String contentType() {
        return writer.getContentType();
    }

    /** Every metric in the Prometheus text format. */
    public byte[] scrape() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(16 * 1024);
        try {
            writer.write(out, registry.scrape());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
