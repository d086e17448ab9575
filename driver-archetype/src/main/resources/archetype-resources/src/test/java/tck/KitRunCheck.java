package ${package}.tck;

import ${package}.${classPrefix}DriverProvider;
import io.cinderblock.sdk.spi.BackendStatePublisher;
import io.cinderblock.sdk.spi.Capability;
import io.cinderblock.tck.Requirement;
import io.cinderblock.tck.Requirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Zero tests is a failure. Run by {@code mvn verify} (exec-maven-plugin, phase {@code verify}) after
 * Surefire: reads the Surefire XML of the conformance test and fails the build, saying why and what
 * to fix, when the kit ran no test, fewer tests than it has requirements, or skipped a test that no
 * undeclared capability explains. Without it, an old Surefire (2.x runs none of the kit's JUnit
 * Platform tests) or a test filter would end in BUILD SUCCESS for a driver nobody certified.
 *
 * <p>It also fails when a suite's counts (tests, skipped, failures, errors) differ from the test
 * cases it holds, as they do with Surefire before 3.6.0 (the kit's tests live in nested groups),
 * so a CI server never shows "0 tests" for a certified driver; and it warns when the names a CI
 * server shows are not the ones the POM configures (suite named after the driver id, test cases
 * named {@code STATE-3 concurrent calls ...}).
 *
 * <p>Arguments: the Surefire reports directory, the conformance test class, the driver id, the
 * Surefire version, and the {@code skipTests} flag.
 */
public final class KitRunCheck {
    private KitRunCheck() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            throw new IllegalArgumentException("usage: KitRunCheck REPORTS_DIR TEST_CLASS DRIVER_ID SUREFIRE_VERSION SKIP_TESTS");
        }
        Path reports = Path.of(args[0]);
        String testClass = args[1];
        String driverId = args[2];
        String surefire = args[3];
        if (Boolean.parseBoolean(args[4])) {
            System.out.println("[WARNING] Tests skipped (skipTests): this build certifies nothing.");
            return;
        }
        List<String> problems = check(reports, testClass, driverId, surefire);
        if (!problems.isEmpty()) {
            throw new IllegalStateException("The conformance kit did not certify this driver:\n  - "
                    + String.join("\n  - ", problems));
        }
    }

    /** What is wrong with the kit run recorded in {@code reports}; empty when every requirement was counted. */
    static List<String> check(Path reports, String testClass, String driverId, String surefire) throws Exception {
        int expected = Requirements.ALL.size();
        String fix = (surefire.startsWith("2.") || surefire.startsWith("1.")
                ? "Surefire " + surefire + " is too old: it does not run JUnit Platform tests, and the kit needs "
                        + "Surefire 3. This project pins it in the property surefire.version; remove what overrides it "
                        + "(-Dsurefire.version, a parent POM, a pluginManagement block)"
                : "Run 'mvn verify' without test filters (-Dtest, -Dgroups, -DexcludedGroups, or <excludes> in the "
                        + "Surefire configuration): a certification counts every requirement. Select tests with "
                        + "'mvn test -Dgroups=...' while you iterate")
                + ".";
        List<Path> files = new ArrayList<>();
        if (Files.isDirectory(reports)) {
            try (Stream<Path> list = Files.list(reports)) {
                list.filter(p -> p.getFileName().toString().startsWith("TEST-")
                        && p.getFileName().toString().endsWith(".xml")).sorted().forEach(files::add);
            }
        }
        int total = 0;
        int failed = 0;
        List<String> skipped = new ArrayList<>();
        List<String> miscounted = new ArrayList<>();
        List<String> misnamed = new ArrayList<>();
        for (Path file : files) {
            boolean ownFile = file.getFileName().toString().startsWith("TEST-" + testClass);
            Element suite = parse(file).getDocumentElement();
            if (ownFile) {
                miscounted.addAll(miscounts(file, suite));
                if (!suite.getAttribute("name").equals(driverId)) {
                    misnamed.add("the suite in " + file.getFileName() + " is named '" + suite.getAttribute("name")
                            + "', not after the driver id '" + driverId + "' (the test class's DisplayName, with "
                            + "usePhrasedTestSuiteClassName in the Surefire configuration)");
                }
            }
            NodeList cases = suite.getElementsByTagName("testcase");
            for (int i = 0; i < cases.getLength(); i++) {
                Element testCase = (Element) cases.item(i);
                String className = testCase.getAttribute("classname");
                if (!ownFile && !className.equals(testClass) && !className.startsWith(testClass + "$")) {
                    continue;
                }
                total++;
                if (!testCase.getAttribute("name").matches("[A-Z]+-\\d+ \\S.*")) {
                    misnamed.add("test case '" + testCase.getAttribute("name") + "' is not named with its requirement id "
                            + "and phrase (usePhrasedTestCaseMethodName in the Surefire configuration)");
                }
                if (testCase.getElementsByTagName("failure").getLength() > 0
                        || testCase.getElementsByTagName("error").getLength() > 0) {
                    failed++;
                }
                NodeList skip = testCase.getElementsByTagName("skipped");
                if (skip.getLength() > 0) {
                    skipped.add(testCase.getAttribute("classname") + " " + testCase.getAttribute("name") + ": "
                            + reason((Element) skip.item(0)));
                }
            }
        }
        List<String> problems = new ArrayList<>();
        if (total == 0) {
            problems.add("the kit ran no test: no Surefire XML in " + reports + " records a test of " + testClass
                    + ". " + fix);
            return problems;
        }
        if (!miscounted.isEmpty()) {
            problems.add("Surefire " + surefire + " wrote wrong counts, so a CI server reading the XML shows the wrong "
                    + "number of tests: " + String.join("; ", miscounted) + ". The kit's tests live in nested groups, "
                    + "which Surefire counts right from 3.6.0 on: set the property surefire.version to 3.6.0 or newer.");
        }
        misnamed.stream().limit(3).forEach(m -> System.out.println("[WARNING] Conformance kit XML: " + m + "."));
        if (total < expected) {
            problems.add("the kit ran " + total + " tests, fewer than its " + expected + " requirements. " + fix);
        }
        if (failed > 0) {
            problems.add(failed + " kit tests failed: see " + reports + ".");
        }
        // Skips that an undeclared capability explains are fine (the kit reports them), and so are the
        // push requirements of a driver that does not push (BackendStatePublisher is optional); any
        // other skip is a set-up problem of the fixture (no device fault hooks, a device not UP, ...).
        Set<Capability> declared = new ${classPrefix}DriverProvider().descriptor().capabilities();
        boolean pushes = pushes("${package}.${classPrefix}Driver");
        long allowed = Requirements.ALL.stream().map(Requirement::capability)
                .filter(c -> c.isPresent() && !declared.contains(c.get())).count()
                + (declared.containsAll(EnumSet.allOf(Capability.class)) ? 1 : 0)
                + (pushes ? 0 : Requirements.ALL.stream().filter(r -> r.group().equals("push")).count());
        if (skipped.size() > allowed) {
            problems.add(skipped.size() + " kit tests were skipped, but undeclared capabilities explain only " + allowed
                    + "; fix the fixture in " + testClass + " so these run:\n      "
                    + skipped.stream().collect(Collectors.joining("\n      ")));
        }
        if (total - failed - skipped.size() <= 0) {
            problems.add("no kit test passed.");
        }
        if (problems.isEmpty()) {
            System.out.println("[INFO] Conformance kit: " + total + " tests for " + expected + " requirements, "
                    + (total - skipped.size()) + " passed, " + skipped.size()
                    + " skipped (undeclared capabilities" + (pushes ? "" : ", no push") + ").");
        }
        return problems;
    }

    /** Where a suite's count attributes differ from the test cases it holds. */
    private static List<String> miscounts(Path file, Element suite) {
        NodeList cases = suite.getElementsByTagName("testcase");
        int[] actual = new int[4];
        for (int i = 0; i < cases.getLength(); i++) {
            Element testCase = (Element) cases.item(i);
            actual[0]++;
            actual[1] += testCase.getElementsByTagName("skipped").getLength() > 0 ? 1 : 0;
            actual[2] += testCase.getElementsByTagName("failure").getLength() > 0 ? 1 : 0;
            actual[3] += testCase.getElementsByTagName("error").getLength() > 0 ? 1 : 0;
        }
        String[] attributes = {"tests", "skipped", "failures", "errors"};
        List<String> wrong = new ArrayList<>();
        for (int i = 0; i < attributes.length; i++) {
            String value = suite.getAttribute(attributes[i]);
            if (!value.equals(String.valueOf(actual[i]))) {
                wrong.add(file.getFileName() + " says " + attributes[i] + "=\"" + value + "\" for " + actual[i]);
            }
        }
        return wrong;
    }

    /** Whether the driver class (package-private, so looked up by name) implements the optional push interface. */
    private static boolean pushes(String driverClass) {
        try {
            return BackendStatePublisher.class.isAssignableFrom(Class.forName(driverClass));
        } catch (ClassNotFoundException e) {
            // Renamed driver class: count push skips as unexplained rather than guess.
            return true;
        }
    }

    /** The skip's reason: Surefire writes it as the message, or as the first line of the stack trace. */
    private static String reason(Element skipped) {
        String message = skipped.getAttribute("message");
        if (message.isBlank()) {
            message = skipped.getTextContent().strip().lines().findFirst().orElse("no reason given");
        }
        return message.replaceFirst("^org\\.opentest4j\\.TestAbortedException: ", "");
    }

    private static org.w3c.dom.Document parse(Path file) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        // A test report is data: no DTDs, no external entities.
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
        factory.setExpandEntityReferences(false);
        try {
            return factory.newDocumentBuilder().parse(file.toFile());
        } catch (IOException e) {
            throw new IOException("Cannot read the Surefire report " + file + ": " + e.getMessage(), e);
        }
    }
}
