package io.cinderblock.service.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.service.api.Authenticator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("configuration and tokens files: errors name the file, the line and the cause")
class FileErrorsTest {
    @TempDir
    Path directory;

    private Authenticator tokens(Path file) {
        return Authenticator.from(new AuthSettings(AuthSettings.Strategy.TOKENS, Optional.of(file)));
    }

    @Test
    @DisplayName("a missing configuration or tokens file says 'no such file'")
    void missingFiles() {
        Path missing = directory.resolve("absent.conf");
        assertThatThrownBy(() -> IniFile.read(missing)).isInstanceOf(ConfigException.class)
                .hasMessage("Cannot read configuration file " + missing + ": no such file");
        Path missingTokens = directory.resolve("tokens");
        assertThatThrownBy(() -> tokens(missingTokens)).isInstanceOf(ConfigException.class)
                .hasMessage("Cannot read [auth] tokens_file " + missingTokens + ": no such file");
    }

    @Test
    @DisplayName("a directory, a path through a file, and bytes that are not UTF-8 are named as such")
    void otherUnreadableFiles() throws IOException {
        assertThatThrownBy(() -> IniFile.read(directory)).hasMessage("Cannot read configuration file " + directory
                + ": it is a directory");
        Path file = Files.writeString(directory.resolve("plain"), "x");
        assertThatThrownBy(() -> IniFile.read(file.resolve("cinder.conf"))).hasMessageStartingWith(
                "Cannot read configuration file " + file.resolve("cinder.conf") + ": ");
        Path latin1 = Files.write(directory.resolve("latin1.conf"), "[DEFAULT]\nhost = caf\u00e9\n"
                .getBytes(StandardCharsets.ISO_8859_1));
        assertThatThrownBy(() -> IniFile.read(latin1)).hasMessage("Cannot read configuration file " + latin1
                + ": it is not UTF-8 text");
    }

    @Test
    @DisplayName("permission denied is said in words (root reads any file, so the JDK's exception is given directly)")
    void permissionDenied() {
        assertThat(FileProblem.cause(new AccessDeniedException("/etc/cinder/cinder.conf")))
                .isEqualTo("permission denied");
    }

    @Test
    @DisplayName("a UTF-8 byte order mark is tolerated in both files")
    void byteOrderMark() throws IOException {
        Path conf = Files.writeString(directory.resolve("bom.conf"), "\uFEFF[DEFAULT]\nhost = h1\n");
        assertThat(IniFile.read(conf).value("DEFAULT", "host")).hasValue("h1");
        assertThat(IniFile.parse("inline", List.of("\uFEFF[DEFAULT]", "host = h2")).value("DEFAULT", "host"))
                .hasValue("h2");
        Path file = Files.writeString(directory.resolve("tokens-bom"), "\uFEFFt0k3n alice p1 admin\n");
        Authenticator authenticator = tokens(file);
        Map<String, String> headers = Map.of("X-Auth-Token", "t0k3n");
        assertThat(authenticator.authenticate(name -> Optional.ofNullable(headers.get(name))))
                .isInstanceOf(Authenticator.Authenticated.class);
    }

    @Test
    @DisplayName("a role named twice is accepted; an empty role names the file and line, never the token")
    void roles() throws IOException {
        Path file = Files.writeString(directory.resolve("tokens"), "# tokens\ns3cr3t-a alice p1 admin,admin\n"
                + "s3cr3t-b bob p1 member,,admin\n");
        assertThatThrownBy(() -> tokens(file)).isInstanceOf(ConfigException.class)
                .hasMessage("[auth] tokens_file " + file + " line 3: an empty role name in the roles field (roles are"
                        + " separated by single commas)")
                .message().doesNotContain("s3cr3t");
        Files.writeString(file, "s3cr3t-a alice p1 admin,admin\n");
        Map<String, String> headers = Map.of("X-Auth-Token", "s3cr3t-a");
        Authenticator.Outcome outcome = tokens(file).authenticate(name -> Optional.ofNullable(headers.get(name)));
        assertThat(((Authenticator.Authenticated) outcome).context().isAdmin()).isTrue();
    }
}
