/**
 * Finding driver providers on the class path and in a drivers directory: {@link
 * io.cinderblock.sdk.host.discovery.DriverRegistry} loads each provider once, on the calling thread,
 * at start; a driver from the directory gets its own class loader that shares only sdk-api's
 * packages. Discovery is loud: a provider that fails to load is a {@link
 * io.cinderblock.sdk.host.discovery.DriverLoadProblem} to show, never an exception that stops the
 * others and never a silent omission.
 */
package io.cinderblock.sdk.host.discovery;
