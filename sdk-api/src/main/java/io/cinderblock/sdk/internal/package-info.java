/**
 * Value parsing shared by the SDK's own modules (option values, Cinder's stats dictionary).
 * {@link io.cinderblock.sdk.ApiStatus.Status#INTERNAL}: exported to the host module only, never
 * API; drivers cannot read it and must not copy it.
 *
 * @since 0.1
 */
package io.cinderblock.sdk.internal;
