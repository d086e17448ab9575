package io.cinderblock.service.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.service.ReferenceService;
import io.cinderblock.service.config.IniFile;
import io.cinderblock.service.config.ServiceConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The start-up banner's text. That each printed command works when pasted is tested against the
 * distribution (reference-service-dist's DistributionTest); here: what it names and what it never shows.
 */
class BannerTest {
    @TempDir
    Path directory;

    private ServiceConfig config(String... lines) {
        List<String> warnings = new ArrayList<>();
        return ServiceConfig.from(IniFile.parse("test.conf", List.of(lines)), directory, warnings::add);
    }

    @Test
    void namesEveryEndpointTheAbsoluteDataDirectoryAndTheNoauthCommands() {
        ServiceConfig config = config("[DEFAULT]", "host = h", "[database]", "connection = sqlite:///data/cb.db");
        String banner = String.join("\n", new Banner(config, 9999, ReferenceService.Role.ALL, false,
                "/opt/cb/bin/cinderblock-service", "--config-file /etc/cb/cinder.conf ").lines());
        assertThat(banner).contains("http://127.0.0.1:9999/v3").contains("http://127.0.0.1:9999/status#token=admin:admin")
                .contains("http://127.0.0.1:9999/metrics").contains("http://127.0.0.1:9999/healthz")
                .contains("http://127.0.0.1:9999/readyz")
                .contains("sqlite:///" + directory.resolve("data/cb.db").toAbsolutePath())
                .contains("(data directory " + directory.resolve("data").toAbsolutePath() + ")")
                .contains("cinder --os-auth-type noauth --os-endpoint http://127.0.0.1:9999/v3 --os-user-id admin"
                        + " --os-project-id admin")
                .contains("openstack --os-auth-type none --os-endpoint http://127.0.0.1:9999/v3")
                // The configured port is 8776, the service listens on 9999: the own command says where.
                .contains("/opt/cb/bin/cinderblock-service --config-file /etc/cb/cinder.conf service-list --endpoint"
                        + " http://127.0.0.1:9999/v3")
                .doesNotContain("DatabaseSettings[").doesNotContain("set-device");
    }

    @Test
    void underTokensTheCommandsReadTheTokenFromTheFileAndNeverShowIt() {
        ServiceConfig config = config("[DEFAULT]", "host = h", "osapi_volume_listen_port = 9999", "[auth]",
                "strategy = tokens", "tokens_file = my tokens.txt");
        Banner banner = new Banner(config, 9999, ReferenceService.Role.ALL, false, "cb", "");
        assertThat(banner.tokenSetup()).hasValueSatisfying(line -> assertThat(line).startsWith("TOKEN=$(awk ")
                .contains("'" + directory.resolve("my tokens.txt").toAbsolutePath() + "'").contains("PROJECT=$(awk "));
        assertThat(banner.cinderCommand()).contains("--os-auth-type admin_token").contains("--os-token \"$TOKEN\"")
                .contains("--os-project-id \"$PROJECT\"");
        assertThat(banner.openstackCommand()).contains("--os-auth-type admin_token").contains("--os-token \"$TOKEN\"");
        assertThat(banner.serviceListCommand()).isEqualTo("cb service-list --token \"$TOKEN\"");
        assertThat(String.join("\n", banner.lines())).contains("/status#token=$TOKEN");
    }

    @Test
    void aPostgresPasswordIsMaskedWhereverItWasGiven() {
        ServiceConfig inUrl = config("[database]", "connection = postgresql://cb:s3cr3t-pw@db.example:5432/cinderblock");
        assertThat(Banner.database(inUrl.database())).isEqualTo(
                "jdbc:postgresql://db.example:5432/cinderblock   (user cb, password ***)").doesNotContain("s3cr3t");
        ServiceConfig inQuery = config("[database]",
                "connection = jdbc:postgresql://db:5432/cb?user=cb&password=s3cr3t-pw&ssl=true");
        assertThat(Banner.database(inQuery.database())).contains("password=***&ssl=true").doesNotContain("s3cr3t");
    }

    @Test
    void anAgentNamesItsHealthEndpoints() {
        ServiceConfig config = config("[DEFAULT]", "host = h");
        assertThat(new Banner(config, 7000, ReferenceService.Role.AGENT, false, "cb", "").lines())
                .anyMatch(l -> l.contains("http://127.0.0.1:7000/healthz") && l.contains("/readyz")
                        && l.contains("/metrics"));
    }
}
