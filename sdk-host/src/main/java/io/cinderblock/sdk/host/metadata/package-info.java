/** Where the SDK records the volumes and snapshots it created: in memory or in a JDBC database. */
package io.cinderblock.sdk.host.metadata;
