package io.cinderblock.tck.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.testing.ApiDump;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("The kit's public API is kept in a reviewed dump, and the build fails when the code differs")
class KitApiDumpTest {

    @Test
    @DisplayName("conformance-tck's public API matches api/conformance-tck.api (regenerate: mvn -pl conformance-tck -am verify -Dapi.update)")
    void publicApiMatchesTheReviewedDump() {
        ApiDump.verify(ConformanceRun.class, "conformance-tck");
    }

    @Test
    @DisplayName("the dump holds the module, its three exported packages and the stability of the kit's types; nothing package-private")
    void dumpContents() {
        String dump = ApiDump.render(ApiDump.classesOf(ConformanceRun.class));
        assertThat(dump).contains("module io.cinderblock.tck\n",
                "  exports io.cinderblock.tck\n", "  exports io.cinderblock.tck.proxy\n", "  exports io.cinderblock.tck.runner\n",
                "STABLE 0.1  public interface io.cinderblock.tck.DeviceFault\n",
                "EXPERIMENTAL 0.1  public final class io.cinderblock.tck.proxy.DeviceProxies implements AutoCloseable\n",
                "EXPERIMENTAL 0.1  public final class io.cinderblock.tck.runner.ConformanceRun\n",
                "INTERNAL 0.1  public final class io.cinderblock.tck.runner.EmbeddedReports");
        assertThat(dump).as("package-private parts of the kit").doesNotContain("KitSession", "ResultCollector",
                "JunitXmlReport", "ReportSignature", "private ");
    }
}
