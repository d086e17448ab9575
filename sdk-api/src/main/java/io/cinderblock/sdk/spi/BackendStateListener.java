package io.cinderblock.sdk.spi;

import io.cinderblock.sdk.ApiStatus;

/**
 * Where a {@link BackendStatePublisher} driver delivers the state changes its device announces.
 * The host implements it; drivers only call it.
 *
 * <p>Both methods return at once (the host queues the event), never throw, and may be called from
 * any thread, including the driver's network thread. Duplicates and events older than what the host
 * already knows (by {@link BackendState#observedAt()}) are harmless: the host keeps the newest.
 * @since 0.2
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
public interface BackendStateListener {

    /**
     * The device announced a change, or the driver re-probed after an announcement.
     *
     * @param state the state as the driver now knows it, with the time it was observed; never
     *     {@code null}, and its reason names the announcement (which notification, from where)
     *     and no secret
     * @since 0.2
     */
    void stateChanged(BackendState state);

    /**
     * The push channel itself broke (the listening socket failed, the subscription was refused or
     * lost): the host stops counting on pushes and relies on polling alone until {@link
     * #pushRestored()}. Not for device faults: those are {@link #stateChanged} with {@code DOWN}.
     *
     * @param reason what broke, for operators; never a secret
     * @since 0.2
     */
    void pushLost(String reason);

    /**
     * The push channel works again after {@link #pushLost}.
     *
     * @since 0.2
     */
    void pushRestored();
}
