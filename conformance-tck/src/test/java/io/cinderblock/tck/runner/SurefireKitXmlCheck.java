package io.cinderblock.tck.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cinderblock.tck.Requirement;
import io.cinderblock.tck.Requirements;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The Surefire XML of the embedded kit run, as a CI server reads it: parses
 * {@code target/surefire-reports/TEST-io.cinderblock.tck.SimulatedArrayKitTest.xml} written by this
 * module's own test run and checks its structure and counts. Run by the Surefire execution
 * {@code surefire-xml-check} after the module's tests (see the POM); its name matches none of
 * Surefire's default includes, so the main test run never picks it up before the file exists.
 *
 * <p>Guards the Surefire settings the starter documents: the kit's tests live in {@code @Nested}
 * groups, and Surefire before 3.6.0 writes a suite count that leaves them out.
 */
class SurefireKitXmlCheck {
    private static final String KIT_TEST = "io.cinderblock.tck.SimulatedArrayKitTest";

    @Test
    @DisplayName("the kit class's suite counts every test case, each named with its requirement id and phrase")
    void surefireXmlOfTheEmbeddedKitRun() throws Exception {
        Path file = Path.of("target", "surefire-reports", "TEST-" + KIT_TEST + ".xml");
        assumeTrue(Files.isRegularFile(file), () -> file + " is absent: the module's test run left out " + KIT_TEST
                + " (a -Dtest filter); run 'mvn -pl conformance-tck verify' without one");
        Element suite = parse(file).getDocumentElement();

        assertThat(suite.getTagName()).isEqualTo("testsuite");
        assertThat(suite.getAttribute("name")).as("suite name: the kit class").isEqualTo(KIT_TEST);
        List<Element> cases = children(suite, "testcase");
        assertThat(count(suite, "tests")).as("tests attribute of %s", file).isEqualTo(cases.size());
        assertThat(count(suite, "skipped")).as("skipped attribute")
                .isEqualTo((int) cases.stream().filter(c -> !children(c, "skipped").isEmpty()).count());
        assertThat(count(suite, "failures")).as("failures attribute")
                .isEqualTo((int) cases.stream().filter(c -> !children(c, "failure").isEmpty()).count()).isZero();
        assertThat(count(suite, "errors")).as("errors attribute")
                .isEqualTo((int) cases.stream().filter(c -> !children(c, "error").isEmpty()).count()).isZero();

        Set<String> catalogue = Requirements.ALL.stream().map(Requirement::id).collect(Collectors.toSet());
        Set<String> names = new HashSet<>();
        Set<String> ids = new HashSet<>();
        Set<String> groups = new HashSet<>();
        for (Element testCase : cases) {
            String name = testCase.getAttribute("name");
            assertThat(name).as("a test case name: requirement id, space, English phrase").matches("[A-Z]+-\\d+ \\S.*");
            assertThat(names.add(name)).as("test case names are unique: %s", name).isTrue();
            ids.add(name.substring(0, name.indexOf(' ')));
            groups.add(testCase.getAttribute("classname"));
        }
        assertThat(catalogue).as("every requirement of the catalogue has its test case").isEqualTo(ids);
        assertThat(cases).as("one test case per requirement").hasSize(Requirements.ALL.size());
        assertThat(groups).as("class names are the kit's groups, as phrased by their display names")
                .contains("Discovery", "Stats", "State", "Faults");
    }

    private static int count(Element suite, String attribute) {
        return Integer.parseInt(suite.getAttribute(attribute));
    }

    /** The element's direct children with that tag. */
    private static List<Element> children(Element parent, String tag) {
        List<Element> found = new ArrayList<>();
        NodeList nodes = parent.getChildNodes();
        for (int i = 0; i < nodes.getLength(); i++) {
            if (nodes.item(i) instanceof Element child && child.getTagName().equals(tag)) {
                found.add(child);
            }
        }
        return found;
    }

    private static Document parse(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        // A test report is data: no DTDs, no external entities.
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        return factory.newDocumentBuilder().parse(file.toFile());
    }
}
