package io.cinderblock.sdk.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.testing.ApiDump;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("sdk-host's public API is kept in a reviewed dump, and the build fails when the code differs")
class HostApiDumpTest {

    @Test
    @DisplayName("sdk-host's public API matches api/sdk-host.api (regenerate: mvn -pl sdk-host -am verify -Dapi.update)")
    void publicApiMatchesTheReviewedDump() {
        ApiDump.verify(Backend.class, "sdk-host");
    }

    @Test
    @DisplayName("the dump holds the module descriptor and the exported packages' types, nothing package-private")
    void dumpContents() {
        String dump = ApiDump.render(ApiDump.classesOf(Backend.class));
        assertThat(dump).contains("module io.cinderblock.sdk.host\n", "  exports io.cinderblock.sdk.host\n",
                "  exports io.cinderblock.sdk.host.metadata\n", "STABLE 0.1  public final class io.cinderblock.sdk.host.Backend implements AutoCloseable\n");
        assertThat(dump).doesNotContain("StatsCache", "OperationJournal", "DriverCallGuard", "private ");
    }
}
