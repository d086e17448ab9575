package io.cinderblock.service;

import io.cinderblock.service.testing.DatabaseFixture;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;

@DisplayName("Service on SQLite")
class SqliteServiceTest extends ServiceSuite {
    @Override
    DatabaseFixture database(Path dir) {
        return DatabaseFixture.sqlite(dir);
    }
}
