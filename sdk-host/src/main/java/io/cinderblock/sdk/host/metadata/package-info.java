/**
 * Where the SDK records the volumes and snapshots it created: in memory ({@link
 * io.cinderblock.sdk.host.metadata.InMemoryVolumeMetadataStore}, the default) or in a JDBC database
 * ({@link io.cinderblock.sdk.host.metadata.JdbcVolumeMetadataStore}, SQLite or PostgreSQL, schema
 * migrated under a lock so several processes may share it). Records are written before and after
 * every device call, so a crash leaves a pending record rather than an unknown volume. Stores are
 * called on the thread of the operation and must never call back into a backend.
 */
package io.cinderblock.sdk.host.metadata;
