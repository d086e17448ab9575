package io.cinderblock.sdk.spi;

import static org.assertj.core.api.Assertions.assertThat;

import io.cinderblock.sdk.testing.SourceCompiler;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("VolumeDriver.backendState() is required: a driver without it does not compile")
class BackendStateRequiredTest {
    private static final String WITHOUT_STATE = String.join("\n",
            "package vendor;",
            "import io.cinderblock.sdk.spi.*;",
            "public final class LazyDriver implements VolumeDriver {",
            "    public BackendStats collectStats() { throw new UnsupportedOperationException(); }",
            "    public DriverDescriptor descriptor() { throw new UnsupportedOperationException(); }",
            "    public void close() {}",
            "}");

    private static final String WITH_STATE = WITHOUT_STATE.replace("    public void close() {}",
            "    public void close() {}\n"
                    + "    public BackendState backendState() { return BackendState.up(\"ok\", java.time.Clock.systemUTC()); }");

    @Test
    @DisplayName("the compiler names backendState as the missing method")
    void missingBackendStateFails(@TempDir Path out) {
        SourceCompiler.Result result = SourceCompiler.compile(Map.of("vendor.LazyDriver", WITHOUT_STATE), out);
        assertThat(result.success()).isFalse();
        assertThat(result.errors()).anySatisfy(error -> assertThat(error)
                .contains("does not override abstract method backendState()"));
    }

    @Test
    @DisplayName("the same driver with backendState compiles: the failure is about that method alone")
    void withBackendStateCompiles(@TempDir Path out) {
        SourceCompiler.Result result = SourceCompiler.compile(Map.of("vendor.LazyDriver", WITH_STATE), out);
        assertThat(result.errors()).isEmpty();
        assertThat(result.success()).isTrue();
    }
}
