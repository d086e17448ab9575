package io.cinderblock.sdk.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.host.discovery.DriverRegistry;
import io.cinderblock.sdk.host.metadata.RecordStatus;
import io.cinderblock.sdk.host.metadata.SnapshotRecord;
import io.cinderblock.sdk.host.metadata.VolumeRecord;
import io.cinderblock.sdk.spi.VolumeSpec;
import io.cinderblock.sdk.support.SecretScrubber;
import io.cinderblock.sdk.testing.InMemoryDriverProvider;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Backend JSON form: dump, load into another registry, secrets masked by default")
class BackendJsonTest {
    private static final int[] AWKWARD = "\"\\/:%+= é€😀'\n;&?#@".codePoints().toArray();

    private final String password = awkwardSecret(new Random(20261205L));
    private final BackendRegistry source = BackendRegistry.builder().drivers(DriverRegistry.fromClassPath()).build();
    /** A second registry with its own drivers and store: what another process would have. */
    private final BackendRegistry target = BackendRegistry.builder().drivers(DriverRegistry.fromClassPath()).build();

    @AfterEach
    void tearDown() {
        source.close();
        target.close();
    }

    private static String awkwardSecret(Random random) {
        StringBuilder s = new StringBuilder("pw");
        for (int i = 0; i < 12; i++) {
            s.appendCodePoint(AWKWARD[random.nextInt(AWKWARD.length)]);
        }
        return s.toString();
    }

    private Backend populated(String name) {
        Map<String, String> config = InMemoryDriverProvider.config(password);
        config.put("pool_name", "gold");
        Backend backend = source.open(name, config);
        VolumeRecord volume = backend.createVolume(VolumeSpec.of("vol-" + name, 4));
        backend.createSnapshot(volume.id());
        backend.createVolume(6);
        return backend;
    }

    @Test
    @DisplayName("with secrets, a dump rebuilds the backend, its configuration and records in another registry")
    void roundTrip() {
        Backend original = populated("json-1");
        String dump = original.toJson(true);

        List<Backend> loaded = target.load(dump);

        assertThat(loaded).singleElement().satisfies(b -> {
            assertThat(b.name()).isEqualTo("json-1");
            assertThat(b.config(true)).isEqualTo(original.config(true));
            assertThat(b.volumes()).isEqualTo(original.volumes());
            assertThat(b.snapshots()).isEqualTo(original.snapshots());
            assertThat(b.toJson(true)).isEqualTo(dump);
        });
        // The rebuilt backend works: its driver was opened with the dumped configuration.
        assertThat(loaded.get(0).state().isUp()).isTrue();
    }

    @Test
    @DisplayName("a registry's dump holds every backend and loads back as a whole")
    void registryRoundTrip() {
        populated("json-a");
        populated("json-b");
        String dump = source.toJson(true);

        List<Backend> loaded = target.load(dump);

        assertThat(loaded).extracting(Backend::name).containsExactly("json-a", "json-b");
        for (Backend b : loaded) {
            Backend original = source.backend(b.name()).orElseThrow();
            assertThat(b.volumes()).isEqualTo(original.volumes());
            assertThat(b.snapshots()).isEqualTo(original.snapshots());
        }
        assertThat(target.toJson(true)).isEqualTo(dump);
    }

    @Test
    @DisplayName("by default a dump carries no form of any secret, and loading it asks for the masked option by name")
    void defaultDumpHasNoSecret() {
        populated("json-s");
        for (String dump : List.of(source.backend("json-s").orElseThrow().toJson(), source.toJson(false))) {
            for (SecretScrubber.Form form : SecretScrubber.formsOf(password)) {
                assertThat(dump).as("%s form", form.encoding()).doesNotContain(form.text());
            }
            assertThat(dump).contains("\"password\": \"***\"");
        }

        String masked = source.toJson(false);
        InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> target.load(masked));
        assertThat(e.option()).isEqualTo("password");
        assertThat(e).hasMessageContaining("'json-s'").hasMessageContaining("masked");
        assertThat(target.backends()).isEmpty();

        List<Backend> loaded = target.load(masked, Map.of("json-s", Map.of("password", password)));
        assertThat(loaded.get(0).config(true)).isEqualTo(source.backend("json-s").orElseThrow().config(true));
    }

    @Test
    @DisplayName("records the target store already holds are kept; a failing open closes what the load opened")
    void storeWinsAndFailuresCloseEverything() {
        Backend original = populated("json-k");
        String dump = original.toJson(true);
        VolumeRecord first = original.volumes().get(0);
        target.metadataStore().putVolume(first.withStatus(RecordStatus.ERROR, first.updatedAt()));

        target.load(dump);
        assertThat(target.backend("json-k").orElseThrow().volume(first.id()))
                .hasValueSatisfying(v -> assertThat(v.status()).isEqualTo(RecordStatus.ERROR));

        // Loading again fails on the duplicate name and opens nothing new.
        CinderblockException duplicate = catchThrowableOfType(CinderblockException.class, () -> target.load(dump));
        assertThat(duplicate.code()).isEqualTo(ErrorCode.DUPLICATE_BACKEND);
        assertThat(target.backends()).hasSize(1);
    }

    @Test
    @DisplayName("text that is not a dump is INVALID_ARGUMENT naming the offset or the member")
    void badDumps() {
        Map<String, String> cases = Map.of(
                "{\"format\": \"cinderblock.backend/1\", \"name\": \"x\", }", "offset",
                "[]", "not an object",
                "{\"format\": \"cinderblock.backend/9\"}", "member 'format' is 'cinderblock.backend/9'",
                "{\"format\": \"cinderblock.backend/1\", \"name\": \"x\", \"config\": {}, \"volumes\": [],"
                        + " \"snapshots\": [], \"extra\": 1}", "unknown member 'extra' in backend 'x'",
                "{\"format\": \"cinderblock.backend/1\", \"name\": \"x\", \"config\": {\"a\": 1}, \"volumes\": [],"
                        + " \"snapshots\": []}", "option 'a' in 'config' of backend 'x' is 1, not a string",
                "{\"format\": \"cinderblock.backend/1\", \"name\": \"x\", \"config\": {}, \"volumes\": [{\"id\": \"v\","
                        + " \"name\": \"n\", \"size_gib\": 0}], \"snapshots\": []}",
                "member 'size_gib' of volume 'v' of backend 'x' is 0",
                "{\"format\": \"cinderblock.backend/1\"} trailing", "trailing data");
        cases.forEach((text, expected) -> {
            CinderblockException e = catchThrowableOfType(CinderblockException.class, () -> target.load(text));
            assertThat(e).as(text).isNotNull();
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
            assertThat(e).hasMessageContaining(expected);
        });
        assertThat(target.backends()).isEmpty();
    }

    @Test
    @DisplayName("snapshot and volume records keep their optional fields through a round trip")
    void optionalFields() {
        Backend original = populated("json-o");
        SnapshotRecord snapshot = original.snapshots().get(0);
        target.load(original.toJson(true));
        assertThat(target.metadataStore().snapshot("json-o", snapshot.id())).contains(snapshot);
        assertThat(target.backend("json-o").orElseThrow().volumes())
                .anySatisfy(v -> assertThat(v.poolName()).contains("gold"));
    }
}
