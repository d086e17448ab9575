package io.cinderblock.tck.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The reports both entry points write: tck-report.json (signed when a key is given), tck-report.html, JUnit XML. */
final class Reports {
    static final String JSON = "tck-report.json";
    static final String HTML = "tck-report.html";

    private Reports() {}

    static void write(RunResult result, Path directory, Optional<Path> signingKey) throws IOException {
        Files.createDirectories(directory);
        String json = JsonReport.render(result);
        if (signingKey.isPresent()) {
            json = ReportSignature.sign(json, signingKey.get());
        }
        Files.writeString(directory.resolve(JSON), json, StandardCharsets.UTF_8);
        HtmlReport.write(result, directory.resolve(HTML));
        JunitXmlReport.write(result, directory);
    }
}
