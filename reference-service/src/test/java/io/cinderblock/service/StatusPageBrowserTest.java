package io.cinderblock.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cinderblock.service.testing.DatabaseFixture;
import io.cinderblock.service.testing.HeadlessChromium;
import io.cinderblock.service.testing.ServiceFixture;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator status page in a real headless chromium, driven over the DevTools protocol: it lists
 * the backends, a device switched down turns its row red without a reload, the filters work, and
 * its data needs an admin token; a down backend's capacity is marked as its last report, a disabled
 * service does not look like an enabled one, a long reason leaves every column on a 1280 px screen,
 * and every time has one format. A screenshot goes to {@code target/status-page.png}.
 */
class StatusPageBrowserTest {
    /** The page polls every second; the probe interval here is 0.2 s. */
    private static final Duration PROBE_INTERVAL = Duration.ofMillis(200);
    private static final Duration PAGE_REFRESH = Duration.ofSeconds(1);
    private static final String RED = "rgb(198, 40, 40)";
    private static final String GREEN = "rgb(46, 125, 50)";
    private static final String ROWS = "JSON.stringify([...document.querySelectorAll('#rows tr')].map(r => ({host:"
            + " r.dataset.host, binary: r.dataset.binary, state: r.className, colour:"
            + " getComputedStyle(r.querySelector('td.state')).backgroundColor, text: r.innerText, status: r.dataset.status,"
            + " right: r.cells[r.cells.length - 1].getBoundingClientRect().right,"
            + " times: [...r.querySelectorAll('td.time')].map(c => c.textContent)})))";
    private static final String STAMP = "\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d UTC";

    @TempDir
    Path directory;

    @Test
    void listsBackendsAndTurnsRedWithoutAReload() throws Exception {
        try (ServiceFixture fixture = ServiceFixture.create(directory, DatabaseFixture.sqlite(directory))) {
            fixture.simBackend("gold", Map.of("gold-pool", 500L)).simBackend("silver", Map.of("pool-a", 100L, "pool-b",
                    200L)).start();
            ServiceFixture.await(Duration.ofSeconds(10), () -> fixture.backendState("gold"), "up"::equals, "gold up");
            ServiceFixture.await(Duration.ofSeconds(10), () -> fixture.backendState("silver"), "up"::equals,
                    "silver up");
            // Stats (capacity) arrive with the first collection.
            ServiceFixture.await(Duration.ofSeconds(10), () -> fixture.get("/v3/scheduler-stats/get_pools", "3.49")
                    .body(), b -> b.contains("pool-b"), "pools reported");

            // The data is admin-only with the API's authentication; the page shell holds none.
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            assertThat(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(fixture.origin()
                    + "/status/data")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(401);
            assertThat(fixture.send("GET", "/status/data", null, null, null).body()).contains("\"overall\": \"up\"");

            try (HeadlessChromium browser = HeadlessChromium.start(1280, 640)) {
                // The token travels in the fragment, which the browser never sends to the server.
                browser.navigate(fixture.origin() + "/status#token=admin:admin");
                List<JsonNode> rows = awaitRows(browser, Duration.ofSeconds(10), r -> r.size() == 3);
                assertThat(rows).extracting(r -> r.get("host").asText())
                        .containsExactly(ServiceFixture.HOST, ServiceFixture.HOST + "@gold",
                                ServiceFixture.HOST + "@silver");
                assertThat(rows).allSatisfy(r -> {
                    assertThat(r.get("state").asText()).isEqualTo("up");
                    assertThat(r.get("colour").asText()).isEqualTo(GREEN);
                });
                assertThat(row(rows, "@silver").get("text").asText()).contains("pool-a").contains("pool-b")
                        .contains("GiB free");
                assertThat(browser.evaluate("location.hash").asText()).isEmpty();
                long loads = browser.evaluate("performance.getEntriesByType('navigation').length").asLong();

                long broken = System.nanoTime();
                fixture.breakDevice("gold", "controller failed");
                rows = awaitRows(browser, Duration.ofSeconds(10),
                        r -> r.size() == 3 && "down".equals(row(r, "@gold").get("state").asText()));
                Duration took = Duration.ofNanos(System.nanoTime() - broken);
                // One probe interval to notice, one page refresh to show it, and slack for a loaded machine.
                assertThat(took).isLessThan(PROBE_INTERVAL.plus(PAGE_REFRESH).plusSeconds(2));
                assertThat(row(rows, "@gold").get("colour").asText()).isEqualTo(RED);
                assertThat(row(rows, "@gold").get("text").asText()).contains("controller failed");
                assertThat(row(rows, "@silver").get("colour").asText()).isEqualTo(GREEN);
                // No reload happened: the same document, updated in place.
                assertThat(browser.evaluate("performance.getEntriesByType('navigation').length").asLong())
                        .isEqualTo(loads);
                // The down backend's capacity is its last report, marked so; the up one's is current.
                assertThat(row(rows, "@gold").get("text").asText()).contains("(last known: backend down)");
                assertThat(row(rows, "@silver").get("text").asText()).doesNotContain("last known");

                // A disabled service does not look like a healthy one; a long reason wraps and the
                // heartbeat column stays on a 1280 px screen; every time has one format.
                String longReason = "controller failed: "
                        + "enclosure 3 reports a fan fault and a degraded RAID set on shelf 2, ".repeat(6);
                fixture.breakDevice("gold", longReason.strip());
                assertThat(fixture.send("PUT", "/v3/os-services/disable-log-reason", "3.49", "application/json",
                        "{\"host\": \"" + ServiceFixture.HOST + "@silver\", \"binary\": \"cinder-volume\","
                                + " \"disabled_reason\": \"maintenance\"}").statusCode()).isEqualTo(200);
                rows = awaitRows(browser, Duration.ofSeconds(10), r -> r.size() == 3
                        && "disabled".equals(row(r, "@silver").get("status").asText())
                        && row(r, "@gold").get("text").asText().contains("shelf 2, enclosure 3"));
                assertThat(row(rows, "@silver").get("colour").asText()).isNotEqualTo(GREEN);
                assertThat(row(rows, "@silver").get("text").asText()).contains("up, disabled").contains("maintenance");
                double width = browser.evaluate("window.innerWidth").asDouble();
                assertThat(rows).allSatisfy(r -> assertThat(r.get("right").asDouble()).as(r.get("host").asText())
                        .isLessThanOrEqualTo(width));
                assertThat(rows).allSatisfy(r -> r.get("times").forEach(t -> assertThat(t.asText()).matches(STAMP)));
                assertThat(browser.evaluate("document.getElementById('summary').textContent").asText())
                        .containsPattern("as of " + STAMP + "$");
                browser.screenshot(Path.of("target", "status-page.png"));

                // Filters: by state, then by host.
                browser.evaluate("(() => { const s = document.getElementById('state'); s.value = 'down';"
                        + " s.dispatchEvent(new Event('change')); })()");
                assertThat(readRows(browser)).extracting(r -> r.get("host").asText())
                        .containsExactly(ServiceFixture.HOST + "@gold");
                browser.evaluate("(() => { const s = document.getElementById('state'); s.value = '';"
                        + " s.dispatchEvent(new Event('change')); const h = document.getElementById('host');"
                        + " h.value = '" + ServiceFixture.HOST + "@silver'; h.dispatchEvent(new Event('input')); })()");
                assertThat(readRows(browser)).extracting(r -> r.get("host").asText())
                        .containsExactly(ServiceFixture.HOST + "@silver");
            }
        }
    }

    private static JsonNode row(List<JsonNode> rows, String suffix) {
        return rows.stream().filter(r -> r.get("host").asText().endsWith(suffix)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + suffix + " in " + rows));
    }

    private static List<JsonNode> readRows(HeadlessChromium browser) throws Exception {
        List<JsonNode> rows = new ArrayList<>();
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(browser.evaluate(ROWS).asText()).forEach(rows::add);
        return rows;
    }

    private static List<JsonNode> awaitRows(HeadlessChromium browser, Duration timeout,
            java.util.function.Predicate<List<JsonNode>> done) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<JsonNode> rows = readRows(browser);
        while (!done.test(rows)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("page rows not as expected within " + timeout + ": " + rows + "; message: "
                        + browser.evaluate("document.getElementById('message').textContent").asText());
            }
            Thread.sleep(50);
            rows = readRows(browser);
        }
        return rows;
    }
}
