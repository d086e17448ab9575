package io.cinderblock.service.store;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.service.config.DatabaseSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("a restart on a new SQLite database where one existed before says so")
class NewDatabaseNoticeTest {
    @TempDir
    Path directory;

    private Database open() {
        return Database.open(new DatabaseSettings("jdbc:sqlite:" + directory.resolve("cinderblock.db"),
                Optional.empty(), Optional.empty(), 1));
    }

    @Test
    void firstStartIsQuietRestartIsQuietLostDatabaseIsNamed() throws IOException {
        try (Database first = open()) {
            assertThat(first.startNotice()).isEmpty();
            new ServiceStore(first).register("h@b", "cinder-volume", "nova", "disabled", Instant.now());
        }
        try (Database again = open()) {
            assertThat(again.startNotice()).as("the same database reopened").isEmpty();
        }
        for (String suffix : List.of("", "-wal", "-shm")) {
            Files.deleteIfExists(directory.resolve("cinderblock.db" + suffix));
        }
        try (Database fresh = open()) {
            assertThat(fresh.startNotice()).hasValueSatisfying(notice -> assertThat(notice)
                    .contains("was created new at this start, but a database existed here before (created ")
                    .contains("every disabled service, disable reason and state recorded in it is gone"));
        }
        try (Database reopened = open()) {
            assertThat(reopened.startNotice()).as("said once, at the start that found it").isEmpty();
        }
    }
}
