/**
 * The facade integrators use: {@link io.cinderblock.sdk.BackendRegistry} opens {@link
 * io.cinderblock.sdk.Backend}s by name, caches their stats, bounds their state probes and records
 * the volumes they create.
 */
package io.cinderblock.sdk;
