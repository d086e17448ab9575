/**
 * The cinderblock reference service: serves Cinder's service list with backend_state from drivers
 * loaded at run time. Exports nothing: it is an application, not a library.
 *
 * <p>The Prometheus client jars are automatic modules (no module-info of their own); they are used
 * internally only, never re-exported.
 */
@SuppressWarnings("requires-automatic")
module io.cinderblock.service {
    requires io.cinderblock.sdk.host;
    requires java.net.http;
    requires java.sql;
    requires com.fasterxml.jackson.databind;
    requires com.zaxxer.hikari;
    requires info.picocli;
    requires org.eclipse.jetty.server;
    requires org.slf4j;
    requires io.prometheus.metrics.core;
    requires io.prometheus.metrics.model;
    requires io.prometheus.writer.text;
    requires io.prometheus.metrics.instrumentation.jvm;

    opens io.cinderblock.service.cli to info.picocli;

    uses io.cinderblock.sdk.spi.VolumeDriverProvider;
}
