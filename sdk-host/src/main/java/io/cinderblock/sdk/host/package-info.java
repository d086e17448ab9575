/**
 * The facade integrators use: {@link io.cinderblock.sdk.host.BackendRegistry} opens {@link
 * io.cinderblock.sdk.host.Backend}s by name, caches their stats, bounds their state probes and records
 * the volumes they create.
 *
 * <p><b>Threads.</b> A host calls a backend from its own threads. Stats reads, state probes and the
 * push subscription enter the driver on guard threads (sdk-api's {@link
 * io.cinderblock.sdk.support.BoundedCalls}) drawn from one elastic {@link
 * io.cinderblock.sdk.support.GuardThreadPool} per registry, each backend at most three at once, so a
 * hung driver costs its own backend's quota and never another backend's time; the caller waits no
 * longer than the deadline. Volume, snapshot and connection operations run the driver on the
 * caller's thread: call them from workers, never from an event loop.
 *
 * <p><b>Secrets</b> never leave this package unmasked unless a method says so ({@code toJson(true)}):
 * configuration views, JSON dumps, error messages and pushed state reasons are scrubbed.
 */
package io.cinderblock.sdk.host;
