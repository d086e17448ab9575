package io.cinderblock.tck.runner;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamWriter;

/**
 * Writes the run as JUnit XML in the de-facto (Ant/Surefire) format every CI server reads: one
 * {@code testsuite} named after the driver ({@code cinderblock-kit.<driver id>}), one {@code
 * testcase} per test named with its requirement id and phrase ({@code STATE-3 concurrent calls ...}),
 * class name {@code cinderblock-kit.<driver id>.<group>}. Blocked tests are {@code skipped} with
 * "blocked by ID" (the failing requirement is the red one). Written with the JDK's StAX writer.
 */
final class JunitXmlReport {
    private JunitXmlReport() {}

    /** The file name: {@code TEST-cinderblock-kit.<driver id>.xml}. */
    static String fileName(RunResult result) {
        return "TEST-cinderblock-kit." + result.descriptor().id() + ".xml";
    }

    static void write(RunResult result, Path directory) throws IOException {
        Files.writeString(directory.resolve(fileName(result)), render(result), StandardCharsets.UTF_8);
    }

    static String render(RunResult result) {
        StringWriter text = new StringWriter();
        try {
            write(result, text);
        } catch (XMLStreamException e) {
            throw new UncheckedIOException(new IOException("Cannot write JUnit XML", e));
        }
        return text.toString();
    }

    private static void write(RunResult result, Writer out) throws XMLStreamException {
        String suite = "cinderblock-kit." + result.descriptor().id();
        XMLStreamWriter xml = XMLOutputFactory.newFactory().createXMLStreamWriter(out);
        xml.writeStartDocument("UTF-8", "1.0");
        xml.writeCharacters("\n");
        xml.writeStartElement("testsuite");
        xml.writeAttribute("name", suite);
        xml.writeAttribute("tests", String.valueOf(result.tests().size()));
        xml.writeAttribute("failures", String.valueOf(result.count(TestResult.Status.FAILED)));
        xml.writeAttribute("errors", "0");
        xml.writeAttribute("skipped", String.valueOf(result.count(TestResult.Status.SKIPPED)
                + result.count(TestResult.Status.BLOCKED)));
        xml.writeAttribute("time", seconds(result.duration().toMillis()));
        xml.writeAttribute("timestamp", result.startedAt().toString());
        xml.writeCharacters("\n  ");
        xml.writeStartElement("properties");
        property(xml, "cinderblock.driver.id", result.descriptor().id());
        property(xml, "cinderblock.driver.version", result.descriptor().driverVersion());
        property(xml, "cinderblock.driver.vendor", result.descriptor().vendorName());
        property(xml, "cinderblock.device", result.context().device().describe());
        property(xml, "cinderblock.verdict", result.verdict());
        property(xml, "cinderblock.tck.version", Versions.tck());
        property(xml, "cinderblock.entry_point", result.context().entryPoint());
        xml.writeCharacters("\n  ");
        xml.writeEndElement();
        for (TestResult test : result.tests()) {
            xml.writeCharacters("\n  ");
            xml.writeStartElement("testcase");
            xml.writeAttribute("name", caseName(test));
            xml.writeAttribute("classname", suite + "." + test.group());
            xml.writeAttribute("time", seconds(test.duration().toMillis()));
            String message = test.message().orElse("");
            switch (test.status()) {
                case FAILED:
                    xml.writeCharacters("\n    ");
                    xml.writeStartElement("failure");
                    xml.writeAttribute("message", firstLine(message));
                    xml.writeAttribute("type", "requirement " + String.join(",", test.requirements()) + " failed");
                    xml.writeCharacters(message);
                    xml.writeEndElement();
                    xml.writeCharacters("\n  ");
                    break;
                case BLOCKED:
                    xml.writeCharacters("\n    ");
                    xml.writeEmptyElement("skipped");
                    xml.writeAttribute("message", "blocked by " + test.blockedBy().orElse("?") + ": " + firstLine(message));
                    xml.writeCharacters("\n  ");
                    break;
                case SKIPPED:
                    xml.writeCharacters("\n    ");
                    xml.writeEmptyElement("skipped");
                    xml.writeAttribute("message", firstLine(message));
                    xml.writeCharacters("\n  ");
                    break;
                default:
                    break;
            }
            xml.writeEndElement();
        }
        xml.writeCharacters("\n");
        xml.writeEndElement();
        xml.writeCharacters("\n");
        xml.writeEndDocument();
        xml.close();
    }

    /** The test's own display name ({@code STATE-3 ...}) without the group path the JSON report keeps. */
    static String caseName(TestResult test) {
        int arrow = test.name().lastIndexOf(" > ");
        return arrow < 0 ? test.name() : test.name().substring(arrow + 3);
    }

    private static void property(XMLStreamWriter xml, String name, String value) throws XMLStreamException {
        xml.writeCharacters("\n    ");
        xml.writeEmptyElement("property");
        xml.writeAttribute("name", name);
        xml.writeAttribute("value", value);
    }

    private static String firstLine(String text) {
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static String seconds(long millis) {
        return String.format(Locale.ROOT, "%.3f", millis / 1000.0);
    }
}
