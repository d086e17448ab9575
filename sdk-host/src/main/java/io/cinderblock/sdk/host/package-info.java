/**
 * The facade integrators use: {@link io.cinderblock.sdk.host.BackendRegistry} opens {@link
 * io.cinderblock.sdk.host.Backend}s by name, caches their stats, bounds their state probes and records
 * the volumes they create.
 */
package io.cinderblock.sdk.host;
