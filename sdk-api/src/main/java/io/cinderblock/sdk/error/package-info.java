/**
 * The SDK's exceptions: one root, {@link io.cinderblock.sdk.error.CinderblockException}, with an
 * {@link io.cinderblock.sdk.error.ErrorCode}.
 */
package io.cinderblock.sdk.error;
