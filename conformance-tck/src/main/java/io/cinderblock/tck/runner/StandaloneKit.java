package io.cinderblock.tck.runner;

import io.cinderblock.tck.TckFixture;
import io.cinderblock.tck.VolumeDriverConformanceKit;
import org.junit.jupiter.api.DisplayName;

/**
 * The kit as {@link ConformanceRun} launches it: the fixture is the one of the run in progress.
 * Not meant to be selected on its own (it fails with a clear message when no run is in progress).
 */
@DisplayName("cinderblock driver conformance")
public final class StandaloneKit extends VolumeDriverConformanceKit {

    /** Instantiated by the JUnit Platform. */
    public StandaloneKit() {}

    @Override
    protected TckFixture fixture() {
        return ConformanceRun.currentFixture().orElseThrow(() -> new IllegalStateException(
                "StandaloneKit runs only inside ConformanceRun.execute(); extend VolumeDriverConformanceKit instead"));
    }
}
