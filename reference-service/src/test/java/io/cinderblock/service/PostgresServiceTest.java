package io.cinderblock.service;

import io.cinderblock.service.testing.DatabaseFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Service on PostgreSQL (real server from CINDERBLOCK_PG_*)")
class PostgresServiceTest extends ServiceSuite {
    @Override
    DatabaseFixture database(Path dir) {
        return DatabaseFixture.postgresql("service");
    }
}
