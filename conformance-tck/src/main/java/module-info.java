/**
 * The cinderblock conformance kit: the inheritable JUnit suite ({@code io.cinderblock.tck}), the
 * fault proxy ({@code io.cinderblock.tck.proxy}) and the standalone runner ({@code
 * io.cinderblock.tck.runner}).
 */
module io.cinderblock.tck {
    requires transitive io.cinderblock.sdk.host;
    requires transitive org.junit.jupiter.api;
    requires transitive org.assertj.core;
    requires transitive org.junit.platform.launcher;
    requires org.junit.platform.reporting;
    requires java.logging;
    requires java.xml;

    exports io.cinderblock.tck;
    exports io.cinderblock.tck.proxy;
    exports io.cinderblock.tck.runner;

    // Embedded runs write the standalone runner's reports (target/cinderblock-kit/<driver id>/).
    provides org.junit.platform.launcher.TestExecutionListener with io.cinderblock.tck.runner.EmbeddedReports;

    // JUnit instantiates the kit's nested test classes reflectively.
    opens io.cinderblock.tck to org.junit.platform.commons;
    opens io.cinderblock.tck.runner to org.junit.platform.commons;
}
