package io.cinderblock.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.cinderblock.service.testing.DatabaseFixture;
import io.cinderblock.service.ops.NodeIdentity;
import io.cinderblock.service.testing.HeadlessChromium;
import io.cinderblock.service.testing.ScriptedDriverProvider;
import io.cinderblock.service.testing.ServiceFixture;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The operator status page in a real headless chromium, driven over the DevTools protocol: it lists
 * the backends, a device switched down turns its row red without a reload, the filters work, and
 * its data needs an admin token; a down backend's capacity, and an up backend's whose stats stopped
 * for longer than the stats interval, is marked stale with the stats' age; a disabled service does
 * not look like an enabled one; node, role and version are shown; a long reason leaves the page
 * without horizontal scrolling at 1280 px; every time has one format (ISO-8601 UTC). The transition
 * time ("Last changed") is the agent's: the same on a second API node over the same database and
 * after the service restarts. A screenshot goes to {@code target/status-page.png}.
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
            + " capacity: r.querySelector('td.capacity') ? r.querySelector('td.capacity').innerText : '',"
            + " times: [...r.querySelectorAll('td.time')].map(c => c.textContent)})))";
    /** ISO-8601 UTC to the second: the page's one format. */
    private static final String STAMP = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ";
    /** Whether the page scrolls sideways. */
    private static final String OVERFLOW = "document.documentElement.scrollWidth > document.documentElement.clientWidth";

    /** Kept as a build artifact (see the module README). */
    static final Path SCREENSHOT = Path.of("target", "status-page.png");

    @TempDir
    Path directory;

    @Test
    void listsBackendsAndTurnsRedWithoutAReload() throws Exception {
        try (ServiceFixture fixture = ServiceFixture.create(directory, DatabaseFixture.sqlite(directory))) {
            // Generous answer timeouts: a loaded machine must not blip a device down during the test.
            fixture.simBackend("gold", Map.of("gold-pool", 500L), "2s").simBackend("silver", Map.of("pool-a", 100L,
                    "pool-b", 200L), "2s");
            // A FAKE backend whose stats can stall while its state still answers up.
            ScriptedDriverProvider.Script bronze = fixture.scriptedBackend("bronze");
            // Stale after two stats intervals + the report interval = 5 s without a collection.
            fixture.defaultKey("backend_stats_polling_interval", "2").defaultKey("report_interval", "1").start();
            for (String backend : List.of("gold", "silver", "bronze")) {
                ServiceFixture.await(Duration.ofSeconds(10), () -> fixture.backendState(backend), "up"::equals,
                        backend + " up");
            }
            // Stats (capacity) arrive with the first collection.
            ServiceFixture.await(Duration.ofSeconds(10), () -> fixture.get("/v3/scheduler-stats/get_pools", "3.49")
                    .body(), b -> b.contains("pool-b") && b.contains("bronze#pool-0"), "pools reported");

            // The data is admin-only with the API's authentication; the page shell holds none.
            java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
            assertThat(http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(fixture.origin()
                    + "/status/data")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).statusCode())
                    .isEqualTo(401);
            assertThat(fixture.send("GET", "/status/data", null, null, null).body()).contains("\"overall\": \"up\"");

            try (HeadlessChromium browser = HeadlessChromium.start(1280, 800)) {
                // The token travels in the fragment, which the browser never sends to the server.
                browser.navigate(fixture.origin() + "/status#token=admin:admin");
                List<JsonNode> rows = awaitRows(browser, Duration.ofSeconds(10), r -> r.size() == 4
                        && r.stream().allMatch(x -> "up".equals(x.get("state").asText())));
                assertThat(rows).extracting(r -> r.get("host").asText())
                        .containsExactly(ServiceFixture.HOST, ServiceFixture.HOST + "@gold",
                                ServiceFixture.HOST + "@silver", ServiceFixture.HOST + "@bronze");
                assertThat(rows).allSatisfy(r -> assertThat(r.get("colour").asText()).isEqualTo(GREEN));
                assertThat(row(rows, "@silver").get("capacity").asText()).contains("pool-a").contains("pool-b")
                        .contains("GiB free").contains("% used").containsPattern("stats \\d+ s old \\(" + STAMP + "\\)")
                        .doesNotContain("stale");
                // Node, role and version: this node's in the title, the serving agent's on each row.
                String node = NodeIdentity.localNode();
                assertThat(browser.evaluate("document.getElementById('node').textContent").asText())
                        .isEqualTo("(this node: " + node + ", role all, version " + NodeIdentity.serviceVersion() + ")");
                assertThat(row(rows, "@gold").get("text").asText()).contains("node " + node + " (all, "
                        + NodeIdentity.serviceVersion() + ")");
                assertThat(browser.evaluate("location.hash").asText()).isEmpty();
                long loads = browser.evaluate("performance.getEntriesByType('navigation').length").asLong();

                long broken = System.nanoTime();
                fixture.breakDevice("gold", "controller failed");
                rows = awaitRows(browser, Duration.ofSeconds(10),
                        r -> r.size() == 4 && "down".equals(row(r, "@gold").get("state").asText()));
                Duration took = Duration.ofNanos(System.nanoTime() - broken);
                // One probe interval to notice, one page refresh to show it, and slack for a loaded machine.
                assertThat(took).isLessThan(PROBE_INTERVAL.plus(PAGE_REFRESH).plusSeconds(2));
                assertThat(row(rows, "@gold").get("colour").asText()).isEqualTo(RED);
                assertThat(row(rows, "@gold").get("text").asText()).contains("controller failed");
                assertThat(row(rows, "@silver").get("colour").asText()).isEqualTo(GREEN);
                // No reload happened: the same document, updated in place.
                assertThat(browser.evaluate("performance.getEntriesByType('navigation').length").asLong())
                        .isEqualTo(loads);
                // The down backend's capacity is its last report, marked stale; the up one's is current.
                assertThat(row(rows, "@gold").get("capacity").asText()).contains("stale: backend down");
                // "Last changed" is when the agent saw gold go down, not when this page first saw it.
                Instant changed = Instant.parse(row(rows, "@gold").get("times").get(0).asText());
                assertThat(changed).isBetween(Instant.ofEpochMilli(System.currentTimeMillis() - took.toMillis()
                        - 2000).truncatedTo(java.time.temporal.ChronoUnit.SECONDS), Instant.now());

                // Stats that stop while the backend is up: its capacity turns stale with its age.
                bronze.stallStats(true);
                rows = awaitRows(browser, Duration.ofSeconds(15), r -> row(r, "@bronze").get("capacity").asText()
                        .contains("stale: a collection missed (stats interval 2 s)"));
                assertThat(row(rows, "@bronze").get("state").asText()).isEqualTo("up");
                assertThat(row(rows, "@bronze").get("text").asText()).contains("pool-0");
                bronze.stallStats(false).release();
                awaitRows(browser, Duration.ofSeconds(15), r -> !row(r, "@bronze").get("capacity").asText()
                        .contains("stale"));

                // A disabled service does not look like a healthy one; a long reason wraps and the
                // page does not scroll sideways at 1280 px; every time has one format.
                String longReason = "controller failed: "
                        + "enclosure 3 reports a fan fault and a degraded RAID set on shelf 2, ".repeat(6)
                        + "/dev/disk/by-path/pci-0000:00:1f.2-ata-1-enclosure-3-shelf-2-slot-17-".repeat(3);
                fixture.breakDevice("gold", longReason.strip());
                assertThat(fixture.send("PUT", "/v3/os-services/disable-log-reason", "3.49", "application/json",
                        "{\"host\": \"" + ServiceFixture.HOST + "@silver\", \"binary\": \"cinder-volume\","
                                + " \"disabled_reason\": \"maintenance\"}").statusCode()).isEqualTo(200);
                rows = awaitRows(browser, Duration.ofSeconds(10), r -> r.size() == 4
                        && "disabled".equals(row(r, "@silver").get("status").asText())
                        && row(r, "@gold").get("text").asText().contains("shelf 2, enclosure 3"));
                assertThat(row(rows, "@silver").get("colour").asText()).isNotEqualTo(GREEN);
                assertThat(row(rows, "@silver").get("text").asText()).contains("up, disabled").contains("maintenance");
                double width = browser.evaluate("window.innerWidth").asDouble();
                assertThat(width).isEqualTo(1280);
                assertThat(rows).allSatisfy(r -> assertThat(r.get("right").asDouble()).as(r.get("host").asText())
                        .isLessThanOrEqualTo(width));
                assertThat(browser.evaluate(OVERFLOW).asBoolean()).as("horizontal overflow at 1280 px").isFalse();
                assertThat(rows).allSatisfy(r -> r.get("times").forEach(t -> assertThat(t.asText()).matches(STAMP)));
                assertThat(browser.evaluate("document.getElementById('summary').textContent").asText())
                        .containsPattern("as of " + STAMP + "$");
                // Every stamp anywhere on the page (rows, stats ages, summary) has the one format.
                String pageText = browser.evaluate("document.body.innerText").asText();
                assertThat(pageText).doesNotContainPattern("\\d\\d:\\d\\d:\\d\\d(?!Z)").doesNotContain(" UTC");
                browser.screenshot(SCREENSHOT);

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

    @Test
    void transitionTimesComeFromTheAgentOnEveryNodeAndAfterARestart() throws Exception {
        try (ServiceFixture fixture = ServiceFixture.create(directory, DatabaseFixture.sqlite(directory))) {
            fixture.simBackend("gold", Map.of("gold-pool", 500L), "2s").simBackend("silver", Map.of("pool-a", 100L), "2s")
                    .start();
            ServiceFixture.await(Duration.ofSeconds(10), () -> fixture.backendState("silver"), "up"::equals, "silver up");
            fixture.breakDevice("gold", "controller failed");
            ServiceFixture.await(Duration.ofSeconds(10), () -> fixture.backendState("gold"), "down"::equals, "gold down");
            // A second, API-only node on the same database file (as API nodes share PostgreSQL).
            try (HeadlessChromium browser = HeadlessChromium.start(1280, 800);
                    ReferenceService apiNode = ReferenceService.start(fixture.config(), ServiceFixture.drivers(),
                            Clock.systemUTC(), ReferenceService.Role.API)) {
                String apiOrigin = "http://127.0.0.1:" + apiNode.port();
                browser.navigate(fixture.origin() + "/status#token=admin:admin");
                List<JsonNode> rows = awaitRows(browser, Duration.ofSeconds(10), r -> r.size() == 3
                        && "down".equals(row(r, "@gold").get("state").asText()));
                String goldChanged = row(rows, "@gold").get("times").get(0).asText();
                String silverChanged = row(rows, "@silver").get("times").get(0).asText();
                assertThat(goldChanged).matches(STAMP);
                assertThat(silverChanged).matches(STAMP);

                browser.navigate(apiOrigin + "/status#token=admin:admin");
                rows = awaitRows(browser, Duration.ofSeconds(10), r -> r.size() == 3
                        && "down".equals(row(r, "@gold").get("state").asText()));
                assertThat(row(rows, "@gold").get("times").get(0).asText()).isEqualTo(goldChanged);
                assertThat(row(rows, "@silver").get("times").get(0).asText()).isEqualTo(silverChanged);
                assertThat(browser.evaluate("document.getElementById('node').textContent").asText())
                        .contains("role api");
                // The agent behind the rows, as stored with its host claim.
                assertThat(row(rows, "@gold").get("text").asText()).contains("(all, ");

                // Restart the service (the devices keep their state): a state that did not change
                // keeps its time, on the restarted node and on the API node.
                Thread.sleep(1100);
                fixture.stop();
                fixture.start();
                ServiceFixture.await(Duration.ofSeconds(10), () -> fixture.backendState("gold"), "down"::equals,
                        "gold down after the restart");
                ServiceFixture.await(Duration.ofSeconds(10), () -> fixture.backendState("silver"), "up"::equals,
                        "silver up after the restart");
                browser.navigate(fixture.origin() + "/status#token=admin:admin");
                rows = awaitRows(browser, Duration.ofSeconds(10), r -> r.size() == 3
                        && "down".equals(row(r, "@gold").get("state").asText())
                        && "up".equals(row(r, "@silver").get("state").asText()));
                assertThat(row(rows, "@gold").get("times").get(0).asText()).isEqualTo(goldChanged);
                assertThat(row(rows, "@silver").get("times").get(0).asText()).isEqualTo(silverChanged);
                browser.navigate(apiOrigin + "/status#token=admin:admin");
                rows = awaitRows(browser, Duration.ofSeconds(10), r -> r.size() == 3
                        && "up".equals(row(r, "@silver").get("state").asText()));
                assertThat(row(rows, "@gold").get("times").get(0).asText()).isEqualTo(goldChanged);

                // A real change after the restart gets a new time, on both nodes.
                fixture.healDevice("gold");
                rows = awaitRows(browser, Duration.ofSeconds(10), r -> "up".equals(row(r, "@gold").get("state")
                        .asText()));
                assertThat(Instant.parse(row(rows, "@gold").get("times").get(0).asText()))
                        .isAfter(Instant.parse(goldChanged));
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
