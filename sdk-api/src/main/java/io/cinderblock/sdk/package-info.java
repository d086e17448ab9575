/**
 * The SDK's root package: {@link io.cinderblock.sdk.ApiStatus}, the stability annotation every
 * public type carries. The driver SPI is in {@link io.cinderblock.sdk.spi}, its errors in {@link
 * io.cinderblock.sdk.error}, helpers for driver authors in {@link io.cinderblock.sdk.support}.
 *
 * @since 0.1
 */
package io.cinderblock.sdk;
