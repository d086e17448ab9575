package io.cinderblock.sdk.host.metadata;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import java.nio.file.Path;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Properties;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("JdbcVolumeMetadataStore on SQLite (a temp file) meets the store contract")
class SqliteJdbcVolumeMetadataStoreTest extends VolumeMetadataStoreContract {
    @TempDir
    Path directory;

    private String url() {
        return "jdbc:sqlite:" + directory.resolve("volumes.db");
    }

    @Override
    protected VolumeMetadataStore createStore() {
        return JdbcVolumeMetadataStore.forUrl(url(), new Properties());
    }

    @Test
    @DisplayName("records survive closing the store and opening a new one on the same file")
    void persistence() {
        VolumeRecord volume = volume(backend("a"), "durable", Instant.now());
        SnapshotRecord snapshot = snapshot(backend("a"), "snap", "durable", Instant.now());
        store.putVolume(volume);
        store.putSnapshot(snapshot);
        store.close();

        try (VolumeMetadataStore reopened = JdbcVolumeMetadataStore.forUrl(url(), new Properties())) {
            assertThat(reopened.volumes(backend("a"))).containsExactly(volume);
            assertThat(reopened.snapshots(backend("a"))).containsExactly(snapshot);
        }
    }

    @Test
    @DisplayName("a database that cannot be reached is METADATA_STORE_FAILED, with the cause")
    void unreachableDatabase() {
        VolumeMetadataStore broken = new JdbcVolumeMetadataStore(() -> {
            throw new SQLException("simulated: connection refused");
        });
        CinderblockException e = catchThrowableOfType(CinderblockException.class, () -> broken.volumes("x"));
        assertThat(e.code()).isEqualTo(ErrorCode.METADATA_STORE_FAILED);
        assertThat(e).hasMessageContaining("failed to read").hasMessageContaining("connection refused")
                .hasCauseInstanceOf(SQLException.class);
        assertThat(catchThrowableOfType(CinderblockException.class,
                () -> broken.removeVolume("x", "y")).code()).isEqualTo(ErrorCode.METADATA_STORE_FAILED);
    }
}
