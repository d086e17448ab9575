package io.cinderblock.tck.runner;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** Checks shared by the standalone and embedded report tests: JUnit XML structure, certification fields, tampering. */
final class KitReportChecks {
    private KitReportChecks() {}

    /** An exit code and everything printed. */
    record Outcome(int exit, String output) {}

    /** Parses the JUnit XML (DOM): suite named after the driver, counts equal to the test cases, cases named by requirement. */
    static void junitXml(Path file, String driverId, int tests, int skipped) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        Document xml = factory.newDocumentBuilder().parse(file.toFile());
        Element suite = xml.getDocumentElement();
        assertThat(suite.getTagName()).isEqualTo("testsuite");
        assertThat(suite.getAttribute("name")).isEqualTo("cinderblock-kit." + driverId);
        NodeList cases = suite.getElementsByTagName("testcase");
        assertThat(cases.getLength()).as("test cases").isEqualTo(tests);
        assertThat(Integer.parseInt(suite.getAttribute("tests"))).as("tests attribute").isEqualTo(cases.getLength());
        assertThat(Integer.parseInt(suite.getAttribute("failures"))).as("failures").isZero();
        assertThat(Integer.parseInt(suite.getAttribute("skipped"))).as("skipped").isEqualTo(skipped);
        assertThat(suite.getElementsByTagName("skipped").getLength()).isEqualTo(skipped);
        for (int i = 0; i < cases.getLength(); i++) {
            Element testCase = (Element) cases.item(i);
            assertThat(testCase.getAttribute("name")).as("test case name").matches("[A-Z]+-\\d+ \\S.*");
            assertThat(testCase.getAttribute("classname")).startsWith("cinderblock-kit." + driverId + ".");
            assertThat(Double.parseDouble(testCase.getAttribute("time"))).isGreaterThanOrEqualTo(0.0);
        }
    }

    /** The certification fields of a report of the sim run on a simulated device with FAULT-8. */
    static void certification(JsonNode report, String entryPoint, Path driverArtifact, String secret) throws Exception {
        assertThat(report.get("tck_commit").asText()).as("built in a git checkout").matches("[0-9a-f]{40}");
        assertThat(report.get("entry_point").asText()).isEqualTo(entryPoint);
        JsonNode artifacts = report.get("driver").get("artifacts");
        assertThat(artifacts).hasSize(1);
        assertThat(artifacts.get(0).get("name").asText()).isEqualTo(driverArtifact.getFileName().toString());
        if (Files.isRegularFile(driverArtifact)) {
            String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(Files.readAllBytes(driverArtifact)));
            assertThat(artifacts.get(0).get("sha256").asText()).isEqualTo(digest);
        }
        JsonNode env = report.get("environment");
        assertThat(env.get("jdk_vendor").asText()).isEqualTo(System.getProperty("java.vendor"));
        assertThat(env.get("os_arch").asText()).isEqualTo(System.getProperty("os.arch"));
        assertThat(env.get("os_name").asText()).isEqualTo(System.getProperty("os.name"));
        assertThat(report.get("device").get("simulated").asBoolean()).isTrue();
        assertThat(report.get("summary").get("verdict_text").asText()).isEqualTo("Conformant on a simulated device");
        assertThat(report.get("configuration").get("sim_access_key").asText()).isEqualTo("***");
        assertThat(report.get("configuration").get("sim_device").asText()).isEqualTo("array-a");
        assertThat(report.get("device_faults").get(0).asText()).isEqualTo("simulated controller failed");
        assertThat(report.get("capability_matrix").size()).isGreaterThan(10);
        assertThat(report.get("started_at").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?Z");
        assertThat(report.get("signature").get("algorithm").asText()).isEqualTo("Ed25519");
        Map<String, String> results = new java.util.TreeMap<>();
        report.get("requirements").forEach(r -> results.put(r.get("id").asText(), r.get("result").asText()));
        assertThat(results.get("FAULT-8")).as("FAULT-8 ran with the device-level fault").isEqualTo("passed");
        assertThat(report.toString()).doesNotContain(secret);
        assertNoRawNanoseconds(report, "$");
    }

    /** Every number in the report is a count or milliseconds: none is a raw nanosecond reading. */
    private static void assertNoRawNanoseconds(JsonNode node, String path) {
        if (node.isNumber()) {
            assertThat(node.asLong()).as("%s looks like raw nanoseconds", path).isLessThan(100_000_000_000L);
        }
        node.properties().forEach(e -> assertNoRawNanoseconds(e.getValue(), path + "." + e.getKey()));
        for (int i = 0; node.isArray() && i < node.size(); i++) {
            assertNoRawNanoseconds(node.get(i), path + "[" + i + "]");
        }
    }

    /** An edited report, a swapped jar and a wrong key each fail verification, saying what does not match. */
    static void tamperedReportsFail(Path report, Path driverArtifact, Path dir, Function<String[], Outcome> kit)
            throws Exception {
        String genuine = Files.readString(report, StandardCharsets.UTF_8);
        Path edited = dir.resolve("edited-report.json");
        String changed = genuine.replace("\"verdict_text\": \"Conformant on a simulated device\"",
                "\"verdict_text\": \"Conformant\"");
        assertThat(changed).isNotEqualTo(genuine);
        Files.writeString(edited, changed, StandardCharsets.UTF_8);
        Outcome outcome = kit.apply(new String[] {"verify", edited.toString()});
        assertThat(outcome.exit()).as(outcome.output()).isEqualTo(TckMain.EXIT_FAILED);
        assertThat(outcome.output()).contains("MISMATCH: the signature does not match the report's content",
                "does NOT verify");

        Path swappedDir = Files.createDirectories(dir.resolve("swapped"));
        Path swapped = swappedDir.resolve(driverArtifact.getFileName());
        DriverJars.jar(swapped, Map.of(), List.of(OtherIdProvider.class));
        outcome = kit.apply(new String[] {"verify", report.toString(), "--driver-jar", swapped.toString()});
        assertThat(outcome.exit()).as(outcome.output()).isEqualTo(TckMain.EXIT_FAILED);
        assertThat(outcome.output()).contains("MISMATCH: " + swapped + " has SHA-256",
                "but the report records " + DriverArtifact.of(driverArtifact).sha256(), "not the jar that was certified");

        outcome = kit.apply(new String[] {"keygen", dir.resolve("intruder").toString()});
        assertThat(outcome.exit()).as(outcome.output()).isEqualTo(TckMain.EXIT_PASSED);
        outcome = kit.apply(new String[] {"verify", report.toString(), "--public-key",
                dir.resolve("intruder.pub.pem").toString()});
        assertThat(outcome.exit()).as(outcome.output()).isEqualTo(TckMain.EXIT_FAILED);
        assertThat(outcome.output()).contains("MISMATCH: the report was signed with another key",
                "the signature does not verify with the public key in " + dir.resolve("intruder.pub.pem"));
    }
}
