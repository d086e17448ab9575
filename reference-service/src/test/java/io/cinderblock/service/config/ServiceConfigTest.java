package io.cinderblock.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.service.agent.Agent;
import io.cinderblock.service.store.Database;
import io.cinderblock.service.store.ServiceStore;
import io.cinderblock.service.testing.ServiceFixture;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("cinder.conf parsing")
class ServiceConfigTest {
    @TempDir
    Path directory;

    private ServiceConfig parse(List<String> warnings, String... lines) {
        return ServiceConfig.from(IniFile.parse("test.conf", List.of(lines)), directory, warnings::add);
    }

    @Test
    @DisplayName("defaults are Cinder's: 10 s heartbeat, 60 s stats and down time, 5 s probes, nova, noauth, SQLite")
    void defaults() {
        ServiceConfig config = parse(new ArrayList<>(), "[DEFAULT]", "host = h1");
        assertThat(config.reportInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.statsInterval()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.serviceDownTime()).isEqualTo(Duration.ofSeconds(60));
        assertThat(config.stateInterval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(config.availabilityZone()).isEqualTo("nova");
        assertThat(config.listenPort()).isEqualTo(8776);
        assertThat(config.auth().strategy()).isEqualTo(AuthSettings.Strategy.NOAUTH);
        assertThat(config.database().kind()).isEqualTo(DatabaseSettings.Kind.SQLITE);
        assertThat(config.database().sqliteFile()).hasValue(directory.resolve("cinderblock-data/cinderblock.db"));
    }

    @Test
    @DisplayName("backend sections keep their options; volume_backend_name defaults to the section name")
    void backends() {
        ServiceConfig config = parse(new ArrayList<>(), "[DEFAULT]", "host = h1", "enabled_backends = a, b",
                "[a]", "volume_driver = sim", "volume_backend_name = gold", "sim_port = 1", "[b]", "volume_driver = sim");
        assertThat(config.backends()).extracting(BackendSection::section).containsExactly("a", "b");
        assertThat(config.backends().get(0).volumeBackendName()).isEqualTo("gold");
        assertThat(config.backends().get(1).volumeBackendName()).isEqualTo("b");
        assertThat(config.backends().get(0).options()).containsEntry("sim_port", "1").doesNotContainKey("volume_driver");
    }

    @Test
    @DisplayName("unknown keys warn and are ignored")
    void unknownKeysWarn() {
        List<String> warnings = new ArrayList<>();
        parse(warnings, "[DEFAULT]", "host = h1", "transport_url = rabbit://x", "[database]", "conection = x");
        assertThat(warnings).containsExactly("test.conf: [DEFAULT] transport_url: unknown key, ignored",
                "test.conf: [database] conection: unknown key, ignored");
    }

    @Test
    @DisplayName("bad values stop start-up naming file, section and key")
    void badValues() {
        assertThatThrownBy(() -> parse(new ArrayList<>(), "[DEFAULT]", "service_down_time = soon"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("test.conf: [DEFAULT] service_down_time = 'soon'");
        assertThatThrownBy(() -> parse(new ArrayList<>(), "[DEFAULT]", "osapi_volume_listen_port = 70000"))
                .hasMessageContaining("[DEFAULT] osapi_volume_listen_port = '70000': must be between 0 and 65535");
        assertThatThrownBy(() -> parse(new ArrayList<>(), "[DEFAULT]", "enabled_backends = missing"))
                .hasMessageContaining("enabled_backends names 'missing' but the file has no [missing] section");
        assertThatThrownBy(() -> parse(new ArrayList<>(), "[DEFAULT]", "enabled_backends = a", "[a]", "sim_port = 1"))
                .hasMessageContaining("test.conf: [a] volume_driver is required");
        assertThatThrownBy(() -> parse(new ArrayList<>(), "[auth]", "strategy = ldap"))
                .hasMessageContaining("[auth] strategy = 'ldap': must be 'noauth', 'tokens' or 'keystone'");
        assertThatThrownBy(() -> parse(new ArrayList<>(), "[DEFAULT]", "report_interval = 90"))
                .hasMessageContaining("[DEFAULT] report_interval = '90': must be shorter than service_down_time");
        assertThatThrownBy(() -> parse(new ArrayList<>(), "[database]", "connection = mysql://u:hunter2@db/cinder"))
                .hasMessageContaining("[database] connection")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
    }

    @Test
    @DisplayName("driver options are checked at start-up against the driver; secrets never appear in the message")
    void driverOptionsChecked() {
        ServiceConfig unknownOption = parse(new ArrayList<>(), "[DEFAULT]", "host = h1", "enabled_backends = a",
                "[a]", "volume_driver = scripted-test", "script = s", "api_password = hunter2", "scirpt_typo = 1");
        ServiceConfig unknownDriver = parse(new ArrayList<>(), "[DEFAULT]", "host = h1", "enabled_backends = a",
                "[a]", "volume_driver = nope");
        try (Database database = Database.open(new DatabaseSettings("jdbc:sqlite:" + directory.resolve("c.db"),
                Optional.empty(), Optional.empty(), 1))) {
            ServiceStore store = new ServiceStore(database);
            try (Agent agent = new Agent(unknownOption, ServiceFixture.drivers(), store, Clock.systemUTC())) {
                assertThatThrownBy(agent::start).isInstanceOf(ConfigException.class)
                        .hasMessageContaining("test.conf: [a] scirpt_typo")
                        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("hunter2"));
            }
            try (Agent agent = new Agent(unknownDriver, ServiceFixture.drivers(), store, Clock.systemUTC())) {
                assertThatThrownBy(agent::start).isInstanceOf(ConfigException.class)
                        .hasMessageContaining("test.conf: [a] volume_driver = 'nope': no such driver; available: [");
            }
        }
    }

    @Test
    @DisplayName("Cinder's SQLAlchemy URLs become JDBC URLs; toString masks the password")
    void databaseUrls() {
        ServiceConfig pg = parse(new ArrayList<>(), "[database]",
                "connection = postgresql+psycopg2://cinder:pa%40ss@127.0.0.1:5432/cinder");
        assertThat(pg.database().jdbcUrl()).isEqualTo("jdbc:postgresql://127.0.0.1:5432/cinder");
        assertThat(pg.database().user()).hasValue("cinder");
        assertThat(pg.database().password()).hasValue("pa@ss");
        assertThat(pg.database().toString()).doesNotContain("pa@ss");
        assertThat(ServiceConfig.parseDuration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(ServiceConfig.parseDuration("0.2")).isEqualTo(Duration.ofMillis(200));
    }
}
