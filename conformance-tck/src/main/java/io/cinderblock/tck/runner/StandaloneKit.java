package io.cinderblock.tck.runner;

import io.cinderblock.sdk.ApiStatus;
import io.cinderblock.tck.TckFixture;
import io.cinderblock.tck.VolumeDriverConformanceKit;
import org.junit.jupiter.api.DisplayName;

/**
 * The kit as {@link ConformanceRun} launches it: the fixture is the one of the run in progress.
 * Not meant to be selected on its own (it fails with a clear message when no run is in progress).
 * Public only because the JUnit Platform instantiates it; vendors extend {@link
 * VolumeDriverConformanceKit} instead.
 *
 * @since 0.1
 */
@ApiStatus(value = ApiStatus.Status.INTERNAL, since = "0.1")
@DisplayName("cinderblock driver conformance")
public final class StandaloneKit extends VolumeDriverConformanceKit {

    /**
     * Instantiated by the JUnit Platform.
     *
     * @since 0.1
     */
    public StandaloneKit() {}

    @Override
    protected TckFixture fixture() {
        return ConformanceRun.currentFixture().orElseThrow(() -> new IllegalStateException(
                "StandaloneKit runs only inside ConformanceRun.execute(); extend VolumeDriverConformanceKit instead"));
    }
}
