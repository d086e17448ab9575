/**
 * The kit's fault proxy: TCP and UDP proxies on 127.0.0.1 that sit between a driver and its device
 * and refuse, reset, stall, slow down, idle-close or half-open the path on demand
 * ({@link io.cinderblock.tck.proxy.FaultMode}). {@link io.cinderblock.tck.proxy.DeviceProxies}
 * places them by rewriting the endpoint options a driver declares. The kit uses them for the
 * {@code faults} group; a fixture never needs them directly. EXPERIMENTAL.
 *
 * @since 0.1
 */
package io.cinderblock.tck.proxy;
