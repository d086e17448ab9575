package io.cinderblock.driver.iscsi;

import io.cinderblock.sdk.spi.BackendState;
import io.cinderblock.sdk.spi.BackendStateListener;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The push channel of one backend: picks the transport {@code redfish_event_transport} names
 * (a POST subscription, {@link EventPush}; Server-Sent Events, {@link SseEvents}; or, for {@code
 * auto}, SSE when the EventService offers a {@code ServerSentEventUri} and a subscription
 * otherwise) and feeds it into one {@link EventRelay}, so both transports push the same states.
 *
 * <p>{@code auto} decides in the background (one read of the EventService); when the array cannot
 * be read, or offers no SSE while {@code redfish_event_port} is 0, that is {@code pushLost}, and the
 * next probe that finds the array UP decides again.
 */
final class RedfishEventChannel implements AutoCloseable {
    private final EventPushSettings push;
    private final SwordfishSettings settings;
    private final RedfishClient client;
    private final Topology topology;
    private final EventRelay relay;
    private final String token = EventPush.newToken();
    /** Guarded by this. */
    private EventPush subscription;
    /** Guarded by this. */
    private SseEvents sse;
    private final AtomicBoolean choosing = new AtomicBoolean();

    RedfishEventChannel(EventPushSettings push, SwordfishSettings settings, RedfishClient client, Topology topology,
            Supplier<BackendState> prober, System.Logger contextLogger, Clock clock, String backendName) {
        this.push = push;
        this.settings = settings;
        this.client = client;
        this.topology = topology;
        this.relay = new EventRelay(settings, prober, contextLogger, clock, backendName, List.of(token));
        if (push.transport() == EventPushSettings.Transport.SUBSCRIPTION) {
            subscription = newSubscription();
        }
    }

    private EventPush newSubscription() {
        return new EventPush(push, settings, client, topology, relay, token);
    }

    /** Starts the configured transport (binding a listener at once for {@code subscription}); returns true. */
    boolean start(BackendStateListener listener) {
        if (!relay.listenWith(listener)) {
            return true;
        }
        switch (push.transport()) {
            case SUBSCRIPTION:
                startSubscription();
                break;
            case SSE:
                startSse();
                break;
            default:
                chooseLater();
        }
        return true;
    }

    private synchronized void startSubscription() {
        if (relay.closed()) {
            return;
        }
        if (subscription == null) {
            subscription = newSubscription();
        }
        subscription.start();
    }

    private synchronized void startSse() {
        if (relay.closed() || sse != null) {
            return;
        }
        sse = new SseEvents(settings, client, topology, relay, push.heartbeat());
        sse.start();
    }

    private void chooseLater() {
        if (choosing.compareAndSet(false, true) && !relay.submit(this::choose)) {
            choosing.set(false);
        }
    }

    /** {@code auto}: SSE when offered, else a subscription; on the relay's worker. */
    private void choose() {
        try {
            if (relay.closed() || chosen()) {
                return;
            }
            Optional<String> offered;
            try {
                offered = SseEvents.sseUri(SseEvents.eventService(client, settings, client.newDeadline()));
            } catch (RuntimeException e) {
                relay.lost("Cannot read the EventService of " + settings.authority() + " to choose the Redfish event "
                        + "transport (" + e.getMessage()
                        + "); relying on polling, trying again at the next successful probe");
                return;
            }
            if (offered.isPresent()) {
                startSse();
            } else if (push.port() != 0) {
                startSubscription();
            } else {
                relay.lost("The Swordfish service at " + settings.authority() + " offers no Server-Sent Events (no "
                        + "ServerSentEventUri) and option '" + SwordfishDriverProvider.EVENT_PORT + "' is 0, so "
                        + "it cannot POST events either (option '" + SwordfishDriverProvider.EVENT_TRANSPORT
                        + "' = auto); relying on polling");
            }
        } finally {
            choosing.set(false);
        }
    }

    private synchronized boolean chosen() {
        return sse != null || subscription != null;
    }

    /** After every state probe: the subscription's checks; for an undecided {@code auto}, another try. Never blocks. */
    void afterProbe(BackendState state) {
        if (!relay.started() || relay.closed()) {
            return;
        }
        EventPush current;
        synchronized (this) {
            current = subscription;
        }
        if (current != null) {
            current.afterProbe(state);
        } else if (push.transport() == EventPushSettings.Transport.AUTO && state.isUp() && !chosen()) {
            chooseLater();
        }
    }

    /** The subscription transport, if in use. */
    synchronized Optional<EventPush> subscriptionTransport() {
        return Optional.ofNullable(subscription);
    }

    /** The SSE transport, if in use. */
    synchronized Optional<SseEvents> sseTransport() {
        return Optional.ofNullable(sse);
    }

    /**
     * Stops receiving (listener socket, SSE stream), ends every thread, then deletes a subscription
     * (one bounded request). After this returns the listener is never called again. Never throws.
     */
    @Override
    public void close() {
        EventPush stoppingSubscription;
        SseEvents stoppingSse;
        synchronized (this) {
            if (!relay.markClosed()) {
                return;
            }
            stoppingSubscription = subscription;
            stoppingSse = sse;
        }
        if (stoppingSse != null) {
            stoppingSse.stop();
        }
        if (stoppingSubscription != null) {
            stoppingSubscription.stop();
        }
        // A subscription in flight may finish (and then deletes itself); a re-read is cut short.
        relay.endWorker(client.requestBudget());
        if (stoppingSubscription != null) {
            stoppingSubscription.cleanUp();
        }
    }
}
