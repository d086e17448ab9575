/**
 * Helpers for driver authors, so that every driver need not re-implement the hard parts: {@link
 * io.cinderblock.sdk.support.SecretScrubber} masks a secret in every form a device may echo it;
 * {@link io.cinderblock.sdk.support.BoundedCalls} runs device calls with a deadline and at most one
 * thread stuck per kind of call; {@link io.cinderblock.sdk.support.GuardThreadPool} lets many
 * guards share elastic threads without giving up that bound.
 * The host uses the same helpers. Everything here is {@code EXPERIMENTAL}.
 */
package io.cinderblock.sdk.support;
