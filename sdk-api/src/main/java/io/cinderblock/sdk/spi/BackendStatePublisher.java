package io.cinderblock.sdk.spi;

import io.cinderblock.sdk.ApiStatus;

/**
 * Optional: a {@link VolumeDriver} that hears its device announce state changes (SNMP
 * notifications, Redfish events, ...) implements this interface as well, so that the host shows
 * a failure at once instead of at the next poll.
 *
 * <p>Polling stays the safety net: the host keeps calling {@link VolumeDriver#backendState()} on
 * its normal schedule, so a driver must not stop answering probes because it pushes, and a
 * device that fails silently is still found.
 *
 * <p>Contract:
 * <ul>
 *   <li>The host calls {@link #publishTo} at most once per driver instance, after {@code open}
 *       and before the first probe, from any thread. It returns quickly: start listening (bind a
 *       socket, subscribe) and return; a channel that cannot be set up is reported through
 *       {@link BackendStateListener#pushLost} (or an {@code InvalidConfigException} for a bad
 *       option), never by hanging.
 *   <li>The driver then calls the listener from its own threads, in the order it learns of
 *       changes; it should re-read the device before reporting {@code UP} rather than trust an
 *       announcement of recovery.
 *   <li>After {@link VolumeDriver#close()} returns the driver never calls the listener again, and
 *       every socket, subscription and thread of the push channel is released.
 *   <li>An event storm must not become a listener storm: coalesce repeated announcements.
 * </ul>
 * Whether pushing is on for a backend is the driver's configuration (e.g. a listening port); a
 * driver whose push is not configured does nothing in {@link #publishTo} and returns {@code false}.
 * @since 0.2
 */
@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = "0.2")
public interface BackendStatePublisher {

    /**
     * Starts delivering announced state changes to {@code listener}.
     *
     * @param listener the host's listener; never {@code null}
     * @return whether this backend pushes at all (false when its configuration turns push off)
     * @since 0.2
     */
    boolean publishTo(BackendStateListener listener);
}
