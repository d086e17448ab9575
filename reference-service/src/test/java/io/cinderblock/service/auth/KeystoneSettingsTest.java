package io.cinderblock.service.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.service.api.Authenticator;
import io.cinderblock.service.config.AuthSettings;
import io.cinderblock.service.config.ConfigException;
import io.cinderblock.service.config.IniFile;
import io.cinderblock.service.config.ServiceConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("auth_strategy = keystone and [keystone_authtoken] in cinder.conf")
class KeystoneSettingsTest {
    @TempDir
    Path directory;

    private ServiceConfig parse(List<String> warnings, String... lines) {
        return ServiceConfig.from(IniFile.parse("test.conf", List.of(lines)), directory, warnings::add);
    }

    private static final String[] SECTION = {"[keystone_authtoken]", "www_authenticate_uri = https://id.example/",
        "auth_url = http://keystone.internal:5000", "auth_type = password", "username = cinder",
        "password = s3cret-pw", "project_name = service", "user_domain_name = Default",
        "project_domain_id = default", "region_name = RegionTwo", "memcached_servers = 10.0.0.1:11211",
        "token_cache_time = 1m"};

    private static String[] with(String[] head, String... tail) {
        List<String> all = new ArrayList<>(List.of(head));
        all.addAll(List.of(tail));
        return all.toArray(String[]::new);
    }

    @Test
    @DisplayName("Cinder's keys are read; memcached_servers is accepted and ignored with a warning")
    void readsCindersSection() {
        List<String> warnings = new ArrayList<>();
        ServiceConfig config = parse(warnings, with(new String[] {"[DEFAULT]", "host = h1", "auth_strategy = keystone"},
                SECTION));
        AuthSettings auth = config.auth();
        assertThat(auth.strategy()).isEqualTo(AuthSettings.Strategy.KEYSTONE);
        KeystoneSettings k = auth.keystone().orElseThrow();
        assertThat(k.authUrl().toString()).isEqualTo("http://keystone.internal:5000");
        assertThat(k.wwwAuthenticateUri().toString()).isEqualTo("https://id.example/");
        assertThat(k.username()).isEqualTo("cinder");
        assertThat(k.userDomain()).isEqualTo("Default");
        assertThat(k.userDomainIsId()).isFalse();
        assertThat(k.projectDomain()).isEqualTo("default");
        assertThat(k.projectDomainIsId()).isTrue();
        assertThat(k.regionName()).contains("RegionTwo");
        assertThat(k.interfaceName()).isEqualTo("internal");
        assertThat(k.tokenCacheTime()).isEqualTo(Duration.ofMinutes(1));
        assertThat(k.requestTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(k.toString()).doesNotContain("s3cret-pw");
        assertThat(warnings).anyMatch(w -> w.contains("memcached_servers"));
        assertThat(KeystoneAuthenticator.v3(k.authUrl()).toString()).isEqualTo("http://keystone.internal:5000/v3/");
        assertThat(Authenticator.from(auth)).isInstanceOf(KeystoneAuthenticator.class);
    }

    @Test
    @DisplayName("missing or bad values are named, the password never shown")
    void badValues() {
        assertThatThrownBy(() -> parse(new ArrayList<>(), "[DEFAULT]", "auth_strategy = keystone"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("[keystone_authtoken] auth_url is required");
        assertThatThrownBy(() -> parse(new ArrayList<>(), with(new String[] {"[DEFAULT]", "auth_strategy = keystone"},
                with(SECTION, "auth_type = v3token")))).hasMessageContaining("auth_type = 'v3token'")
                .hasMessageNotContaining("s3cret-pw");
        assertThatThrownBy(() -> parse(new ArrayList<>(), with(new String[] {"[DEFAULT]", "auth_strategy = keystone"},
                with(SECTION, "http_request_timeout = soon")))).hasMessageContaining("http_request_timeout = 'soon'");
        assertThatThrownBy(() -> parse(new ArrayList<>(), with(new String[] {"[DEFAULT]", "auth_strategy = keystone"},
                with(SECTION, "auth_url = keystone:5000")))).hasMessageContaining("auth_url = 'keystone:5000'");
        assertThatThrownBy(() -> parse(new ArrayList<>(), "[DEFAULT]", "auth_strategy = keystone", "[auth]",
                "strategy = noauth")).hasMessageContaining("differ");
        assertThatThrownBy(() -> parse(new ArrayList<>(), "[DEFAULT]", "auth_strategy = ldap"))
                .hasMessageContaining("[DEFAULT] auth_strategy = 'ldap'");
    }

    @Test
    @DisplayName("[oslo_policy] policy_file is loaded at start; a rule it cannot evaluate stops start-up")
    void policyFile() throws Exception {
        java.nio.file.Files.writeString(directory.resolve("policy.yaml"), "admin_api: \"http:check\"\n");
        ServiceConfig config = parse(new ArrayList<>(), "[DEFAULT]", "auth_strategy = noauth", "[oslo_policy]",
                "policy_file = policy.yaml");
        assertThat(config.auth().policyFile()).contains(directory.resolve("policy.yaml"));
        assertThatThrownBy(() -> Authenticator.from(config.auth())).isInstanceOf(ConfigException.class)
                .hasMessageContaining("'admin_api'");
    }
}
