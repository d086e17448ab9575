package io.cinderblock.sdk;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.sdk.testing.ApiDump;
import io.cinderblock.sdk.testing.SourceCompiler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("The public API is kept in a reviewed dump, and the build fails when the code differs")
class ApiDumpTest {

    @Test
    @DisplayName("sdk-api's public API matches api/sdk-api.api")
    void publicApiMatchesTheReviewedDump() {
        ApiDump.verify(ApiStatus.class, "sdk-api");
    }

    @Test
    @DisplayName("the dump holds the module descriptor and every exported type and member with its status; nothing internal")
    void dumpContents() {
        String dump = ApiDump.render(ApiDump.classesOf(ApiStatus.class));
        assertThat(dump).contains("module io.cinderblock.sdk\n",
                "  exports io.cinderblock.sdk.spi\n",
                "  exports io.cinderblock.sdk.internal to io.cinderblock.sdk.host\n",
                "STABLE 0.1  public final enum io.cinderblock.sdk.spi.Capability\n",
                "  STABLE 0.2  public java.util.Set<Capability> requires()\n",
                "  STABLE 0.1  public abstract BackendState backendState()\n",
                "  STABLE 0.1  public default Volume createVolume(VolumeSpec)\n",
                "  STABLE 0.1  public static final String MASK = \"***\"\n",
                "  EXPERIMENTAL 0.1  public static ConnectionInfo.IscsiBuilder iscsi(String, String, int)\n",
                "  STABLE 0.1  public ConfigOption.Builder endpoint(EndpointRole, Transport)\n",
                "  STABLE 0.1  public DriverDescriptor.Builder capability(Capability...)\n");
        assertThat(dump).doesNotContain("CinderValues", "OptionValues", "NONE ", "private ");
    }

    @Test
    @DisplayName("an unreviewed change (a member added, one removed, a status changed) fails with the diff and how to regenerate")
    void unreviewedChangeFails(@TempDir Path dir) throws IOException {
        Path v1 = dir.resolve("v1");
        Path v2 = dir.resolve("v2");
        Path dump = dir.resolve("api").resolve("demo.api");
        String regenerate = "mvn -pl demo -am verify -Dapi.update";
        assertThat(SourceCompiler.compile(Map.of("demo.Widget", widget(
                "@ApiStatus(value = ApiStatus.Status.STABLE, since = \"0.1\")",
                "public int size() { return 1; }")), v1).errors()).isEmpty();
        assertThat(SourceCompiler.compile(Map.of("demo.Widget", widget(
                "@ApiStatus(value = ApiStatus.Status.EXPERIMENTAL, since = \"0.1\")",
                "public long size() { return 1; } public void added() {}")), v2).errors()).isEmpty();

        ApiDump.check(v1, dump, regenerate, true);
        String reviewed = Files.readString(dump);
        assertThat(reviewed).contains("Regenerate after a reviewed change: " + regenerate,
                "STABLE 0.1  public final class demo.Widget\n", "  STABLE 0.1  public int size()\n");
        ApiDump.check(v1, dump, regenerate, false); // unchanged code passes

        assertThatThrownBy(() -> ApiDump.check(v2, dump, regenerate, false))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("differs from the reviewed dump " + dump)
                .hasMessageContaining("- STABLE 0.1  public final class demo.Widget\n")
                .hasMessageContaining("+ EXPERIMENTAL 0.1  public final class demo.Widget\n")
                .hasMessageContaining("-   STABLE 0.1  public int size()\n")
                .hasMessageContaining("+   EXPERIMENTAL 0.1  public long size()\n")
                .hasMessageContaining("+   EXPERIMENTAL 0.1  public void added()\n")
                .hasMessageContaining("regenerate the dump with: " + regenerate);
        assertThat(Files.readString(dump)).as("a failed check leaves the reviewed file alone").isEqualTo(reviewed);

        ApiDump.check(v2, dump, regenerate, true); // what -Dapi.update does
        ApiDump.check(v2, dump, regenerate, false);
    }

    @Test
    @DisplayName("a module without a reviewed dump fails, naming the command that generates it")
    void missingDumpFails(@TempDir Path dir) {
        assertThat(SourceCompiler.compile(Map.of("demo.Widget", widget(
                "@ApiStatus(value = ApiStatus.Status.STABLE, since = \"0.1\")", "")), dir.resolve("c")).errors()).isEmpty();
        assertThatThrownBy(() -> ApiDump.check(dir.resolve("c"), dir.resolve("none.api"), "mvn X -Dapi.update", false))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("No reviewed API dump at " + dir.resolve("none.api"))
                .hasMessageContaining("mvn X -Dapi.update");
    }

    private static String widget(String status, String members) {
        return "package demo;\n"
                + "import io.cinderblock.sdk.ApiStatus;\n"
                + status + "\n"
                + "public final class Widget {\n"
                + "    public Widget() {}\n"
                + "    " + members + "\n"
                + "    int hidden() { return 0; }\n"
                + "}\n";
    }
}
