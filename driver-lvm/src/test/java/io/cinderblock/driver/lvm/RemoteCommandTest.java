package io.cinderblock.driver.lvm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.sdk.error.CinderblockException;
import io.cinderblock.sdk.error.ErrorCode;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Remote command lines")
class RemoteCommandTest {

    @Test
    @DisplayName("quote every word and set LC_ALL=C")
    void quoted() {
        RemoteCommand command = RemoteCommand.of("lvcreate")
                .arg("--config", "global {activation=0}", "--name", "volume-1").build();
        assertThat(command.toShell(false)).isEqualTo(
                "LC_ALL=C LVM_SUPPRESS_FD_WARNINGS=1 'lvcreate' '--config' 'global {activation=0}' '--name' 'volume-1'");
        assertThat(command.toShell(true)).startsWith("LC_ALL=C LVM_SUPPRESS_FD_WARNINGS=1 sudo -n 'lvcreate' ");
    }

    @Test
    @DisplayName("reach the program literally through a real /bin/sh, whatever the shell syntax in them")
    void literalThroughShell() {
        List<String> words = List.of("$(id)", "`id`", "a;b", "a b", "a|b", "a&&b", "*", "$HOME", "\\n", "\"q\"", "-rf");
        RemoteCommand.Builder builder = RemoteCommand.of("printf").arg("%s\\n");
        words.forEach(builder::arg);
        String output = HostCommands.check("/bin/sh", "-c", builder.build().toShell(false));
        assertThat(output.lines().toList()).isEqualTo(words);
    }

    @ParameterizedTest
    @ValueSource(strings = {"it's", "a\nb", "a\rb", "a\u0000b", "a\tb", "\u001b[31m"})
    @DisplayName("refuse single quotes and control characters before building anything")
    void refused(String hostile) {
        assertThatThrownBy(() -> RemoteCommand.of("lvs").arg(hostile))
                .isInstanceOfSatisfying(CinderblockException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
                .hasMessageContaining("single quote or a control character")
                .hasMessageNotContaining("\n");
    }

    @Test
    @DisplayName("mask secret arguments in logs and in errors")
    void secrets() {
        RemoteCommand command = RemoteCommand.of("tgtadm").arg("--user", "chap-1", "--password")
                .secretArg("s3cretPassw0rd").build();
        assertThat(command.display()).isEqualTo("tgtadm --user chap-1 --password ***");
        assertThat(command.toString()).doesNotContain("s3cretPassw0rd");
        assertThat(command.toShell(false)).contains("'s3cretPassw0rd'");
        assertThatThrownBy(() -> RemoteCommand.of("tgtadm").secretArg("bad'secret"))
                .hasMessageContaining("(value hidden)")
                .hasMessageNotContaining("bad'secret");
    }

    @Test
    @DisplayName("accept only bare program names")
    void programNames() {
        assertThatThrownBy(() -> RemoteCommand.of("/sbin/lvs")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> RemoteCommand.of("lvs;id")).isInstanceOf(IllegalArgumentException.class);
    }
}
