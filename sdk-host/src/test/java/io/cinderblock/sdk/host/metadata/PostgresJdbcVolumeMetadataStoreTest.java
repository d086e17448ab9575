package io.cinderblock.sdk.host.metadata;

import io.cinderblock.sdk.testing.PostgresTestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import org.junit.jupiter.api.DisplayName;

/** Against the real PostgreSQL server that {@code .ci/start-postgres.sh} runs on 127.0.0.1. */
@DisplayName("JdbcVolumeMetadataStore on a real PostgreSQL meets the store contract")
class PostgresJdbcVolumeMetadataStoreTest extends VolumeMetadataStoreContract {
    private PostgresTestDatabase database;

    @Override
    protected VolumeMetadataStore createStore() {
        database = PostgresTestDatabase.require();
        return JdbcVolumeMetadataStore.forUrl(database.url(), database.properties());
    }

    @Override
    protected void cleanUp() throws Exception {
        if (database == null) {
            return;
        }
        try (Connection c = database.connect()) {
            for (String table : new String[] {"cinderblock_volumes", "cinderblock_snapshots"}) {
                try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + table + " WHERE backend_name LIKE ?")) {
                    delete.setString(1, prefix + "%");
                    delete.executeUpdate();
                }
            }
        }
    }
}
