#!/usr/bin/env bash
# A vendor's first day, in CI: deploys this reactor to a file repository (as a release would),
# generates a driver project from io.cinderblock:cinderblock-driver-archetype in a temp directory,
# and builds it with an EMPTY local repository that resolves cinderblock artifacts from the file
# repository and everything else from Maven Central. Then checks, by parsing the Surefire XML and
# the kit's own JUnit XML, that the conformance kit ran every requirement and passed, with suites
# named after the driver, right counts and test cases named "ID phrase"; builds it again with the current
# Maven 3.9 (downloaded from Maven Central); and checks that misconfigured copies (Surefire 2.12.4
# forced; Surefire 3.5.4, which miscounts the kit's nested tests; tests filtered away; a fixture without its device-fault hook) fail with a message that
# says why. The guide's (docs/writing-a-driver.md) shell blocks marked ci:generate and ci:build run
# verbatim, and its Java excerpts must appear in the generated sources.
# Never installs into ~/.m2. Usage: bash .ci/driver-starter.sh [WORK_DIR]  (default: a new temp dir)
set -euo pipefail

# All in one function, so bash parses the whole script before running it (editing a running script
# is then harmless).
main() {
cd "$(dirname "$0")/.."
root=$(pwd)

work=${1:-$(mktemp -d "${TMPDIR:-/tmp}/cinderblock-starter.XXXXXX")}
mkdir -p "$work"
repo="$work/repo"          # the "published" artifacts
local_repo="$work/m2"      # the vendor's local repository: starts empty
rm -rf "$local_repo" "$work/project" "$work/misconfigured"
mkdir -p "$repo" "$local_repo" "$work/project"

version=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' pom.xml | head -n 1)
bom_version=$(sed -n 's|^  <version>\(.*\)</version>|\1|p' cinderblock-bom/pom.xml | head -n 1)
if [ "$bom_version" != "$version" ]; then
  echo "FAIL: cinderblock-bom is $bom_version but the SDK is $version; give the BOM the parent's version" >&2
  exit 1
fi
echo "== Deploying cinderblock $version to $repo"
mvn -B -ntp -q deploy -DskipTests -DaltDeploymentRepository="starter-ci::file://$repo"

cat > "$work/settings.xml" <<XML
<settings>
  <localRepository>$local_repo</localRepository>
  <profiles>
    <profile>
      <id>cinderblock-release</id>
      <repositories>
        <repository>
          <id>cinderblock-release</id>
          <url>file://$repo</url>
          <releases><enabled>true</enabled></releases>
          <snapshots><enabled>true</enabled></snapshots>
        </repository>
      </repositories>
    </profile>
  </profiles>
  <activeProfiles><activeProfile>cinderblock-release</activeProfile></activeProfiles>
</settings>
XML
maven39=3.9.16   # the current Maven 3.9, downloaded from Maven Central to check the starter with it too
mvn_vendor=(command mvn -B -ntp -s "$work/settings.xml")
# The guide's shell blocks run verbatim, with its 'mvn' reading the vendor's settings.
guide="$root/docs/writing-a-driver.md"
guide_block() {  # prints the fenced block that follows the marker <!-- $1 --> in the guide
  python3 - "$guide" "$1" <<'PY'
import re, sys
text = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r"<!-- " + re.escape(sys.argv[2]) + r" -->\n```\w*\n(.*?)\n```", text, re.S)
if not m:
    sys.exit("FAIL: the guide has no block marked '" + sys.argv[2] + "'")
print(m.group(1))
PY
}
mvn() { command mvn -ntp -s "$work/settings.xml" "$@"; }
generate=$(guide_block ci:generate)
build=$(guide_block ci:build)

echo "== Generating a driver project with the guide's archetype command"
cd "$work/project"
start=$(date +%s)
if ! (eval "$generate") > "$work/generate.log" 2>&1; then
  cat "$work/generate.log"; echo "FAIL: the guide's archetype command failed" >&2; exit 1
fi
generated=$(date +%s)

echo "== First build of the generated project with the guide's commands (empty local repository)"
if ! (eval "$build") > "$work/first-build.log" 2>&1; then
  grep -E "Tests run:|ERROR" "$work/first-build.log" | head -n 40
  echo "FAIL: the generated project does not build; see $work/first-build.log" >&2; exit 1
fi
built=$(date +%s)
grep -E "Tests run: [0-9]+, .*Skipped: [0-9]+$|Conformance kit:|CONFORMANT|BUILD" "$work/first-build.log" || true
cd acme-cinderblock-driver

echo "== The guide's Java excerpts are the generated sources"
python3 - "$guide" "$PWD" <<'PY'
import os, re, sys
guide, project = sys.argv[1], sys.argv[2]
text = open(guide, encoding="utf-8").read()
norm = lambda block: [line.strip() for line in block.strip().splitlines()]
count = 0
for path, block in re.findall(r"<!-- ci:excerpt (\S+) -->\n```java\n(.*?)\n```", text, re.S):
    source = norm(open(os.path.join(project, path), encoding="utf-8").read())
    lines = norm(block)
    if not any(source[i:i + len(lines)] == lines for i in range(len(source))):
        sys.exit(f"FAIL: the guide's excerpt of {path} is not in the generated file")
    count += 1
if count < 3:
    sys.exit(f"FAIL: expected at least 3 checked excerpts in the guide, found {count}")
print(f"{count} excerpts match")
PY

requirements=$(grep -cE '^\| *[A-Z]+-[0-9]+ *\|' "$root/conformance-tck/REQUIREMENTS.md")
requirement_ids=$(grep -oE '^\| *[A-Z]+-[0-9]+ *\|' "$root/conformance-tck/REQUIREMENTS.md" | tr -d '| ' | paste -sd, -)
# Parses both JUnit XML files a CI server may read (Surefire's and the kit's own) and checks their
# structure: one suite named after the driver, counts equal to the test cases it holds, one test case
# per requirement named "ID phrase".
python3 - "$PWD" com.example.storage.acme.AcmeConformanceTest acme "$requirement_ids" <<'PY'
import os, re, sys
import xml.etree.ElementTree as ET
project, test_class, driver, ids = sys.argv[1], sys.argv[2], sys.argv[3], set(sys.argv[4].split(","))
def reason(skip):  # Surefire writes the reason as the message, or as the first line of the stack trace
    return skip.get("message") or ((skip.text or "").strip().splitlines() or ["no reason given"])[0]
def check(path, suite_name, classname_ok):
    if not os.path.isfile(path):
        sys.exit(f"FAIL: no {path}")
    suite = ET.parse(path).getroot()
    cases = suite.findall("testcase")
    where = os.path.relpath(path, project)
    if suite.tag != "testsuite" or suite.get("name") != suite_name:
        sys.exit(f"FAIL: {where}: the suite is <{suite.tag} name={suite.get('name')!r}>, expected {suite_name!r}")
    counted = {"tests": len(cases)}
    for attribute, child in (("skipped", "skipped"), ("failures", "failure"), ("errors", "error")):
        counted[attribute] = sum(1 for c in cases if c.find(child) is not None)
    for attribute, count in counted.items():
        if suite.get(attribute) != str(count):
            sys.exit(f"FAIL: {where}: {attribute}={suite.get(attribute)!r} but the suite holds {count}")
    names = [c.get("name") for c in cases]
    bad = [n for n in names if not re.fullmatch(r"[A-Z]+-\d+ \S.*", n)]
    if bad or len(set(names)) != len(names):
        sys.exit(f"FAIL: {where}: test cases not named 'ID phrase', or not unique: {bad[:3]}")
    missing = ids - {n.split(" ", 1)[0] for n in names}
    if missing or len(cases) != len(ids):
        sys.exit(f"FAIL: {where}: {len(cases)} test cases for {len(ids)} requirements; missing {sorted(missing)}")
    odd = [c.get("classname") for c in cases if not classname_ok(c.get("classname"))]
    if odd:
        sys.exit(f"FAIL: {where}: unexpected class names {sorted(set(odd))[:3]}")
    return suite, cases
suite, cases = check(os.path.join(project, "target/surefire-reports/TEST-" + test_class + ".xml"), driver,
                     lambda name: re.fullmatch(r"[A-Z][A-Za-z ]+", name) is not None)
skipped = [(c.get("classname") + " " + c.get("name"), reason(c.find("skipped"))) for c in cases if c.find("skipped") is not None]
print(f"Surefire XML: suite '{suite.get('name')}' tests={suite.get('tests')} skipped={suite.get('skipped')} "
      f"failures={suite.get('failures')} errors={suite.get('errors')}: one test case per requirement ({len(ids)}), "
      f"{sum(float(c.get('time', '0')) for c in cases):.1f} s of tests")
for name, message in skipped:
    print(f"  skipped: {name}: {message}")
if int(suite.get("failures")) or int(suite.get("errors")):
    sys.exit("FAIL: kit tests failed")
own, _ = check(os.path.join(project, f"target/cinderblock-kit/{driver}/TEST-cinderblock-kit.{driver}.xml"),
               f"cinderblock-kit.{driver}", lambda name: name.startswith(f"cinderblock-kit.{driver}."))
print(f"Kit XML: suite '{own.get('name')}' tests={own.get('tests')} skipped={own.get('skipped')}: same structure")
PY
for f in tck-report.json tck-report.html; do
  [ -s "target/tck-report/$f" ] || { echo "FAIL: the standalone kit run wrote no target/tck-report/$f" >&2; exit 1; }
done
ls target/drivers/acme/*.jar >/dev/null || { echo "FAIL: no target/drivers/acme/ directory" >&2; exit 1; }

echo "== The standalone kit jar from the published repository: sign and verify the embedded report"
dependency_plugin=$(sed -n 's|.*<plugin.dependency.version>\(.*\)</plugin.dependency.version>.*|\1|p' "$root/pom.xml")
"${mvn_vendor[@]}" -q "org.apache.maven.plugins:maven-dependency-plugin:$dependency_plugin:copy" \
  -Dartifact="io.cinderblock:conformance-tck:$version:jar:standalone" -DoutputDirectory="$work/kit" -Dmdep.useBaseVersion=true \
  > "$work/kit-resolve.log" 2>&1 || { cat "$work/kit-resolve.log"; echo "FAIL: the standalone kit jar does not resolve" >&2; exit 1; }
kit_jar="$work/kit/conformance-tck-$version-standalone.jar"
embedded_report=target/cinderblock-kit/acme/tck-report.json
[ -s "$embedded_report" ] || { echo "FAIL: the embedded kit run wrote no $embedded_report" >&2; exit 1; }
rm -f "$work/acme-kit.pem" "$work/acme-kit.pub.pem"
java -jar "$kit_jar" keygen "$work/acme-kit" >/dev/null
java -jar "$kit_jar" sign "$embedded_report" --key "$work/acme-kit.pem" >/dev/null
java -jar "$kit_jar" verify "$embedded_report" --public-key "$work/acme-kit.pub.pem" --driver-jar target/classes \
  || { echo "FAIL: the signed embedded report does not verify" >&2; exit 1; }

echo "== The same project with Maven $maven39 (current 3.9), from Maven Central"
if [ ! -x "$work/apache-maven-$maven39/bin/mvn" ]; then
  url="https://repo.maven.apache.org/maven2/org/apache/maven/apache-maven/$maven39/apache-maven-$maven39-bin.tar.gz"
  curl -fsS --max-time 300 -o "$work/maven.tar.gz" "$url"
  echo "$(curl -fsS --max-time 60 "$url.sha512" | cut -c1-128)  $work/maven.tar.gz" | sha512sum -c --quiet -
  tar -xzf "$work/maven.tar.gz" -C "$work"
fi
rm -rf "$work/maven39-copy"
cp -r "$work/project/acme-cinderblock-driver" "$work/maven39-copy"
rm -rf "$work/maven39-copy/target"
if ! (cd "$work/maven39-copy" && "$work/apache-maven-$maven39/bin/mvn" -B -ntp -s "$work/settings.xml" verify \
      > "$work/maven39-build.log" 2>&1); then
  grep -E "Tests run:|ERROR" "$work/maven39-build.log" | head -n 40
  echo "FAIL: the generated project does not build with Maven $maven39; see $work/maven39-build.log" >&2; exit 1
fi
grep -E "Apache Maven|Conformance kit:|BUILD" "$work/maven39-build.log" | head -n 3 || true
built39=$(date +%s)

# A misconfigured copy must fail loudly, and say why.
# Usage: expect_failure NAME EXPECTED_MESSAGE [maven args...]; $edit, when set, runs in the copy first.
expect_failure() {
  local name=$1 expected=$2; shift 2
  rm -rf "$work/misconfigured"
  cp -r "$work/project/acme-cinderblock-driver" "$work/misconfigured"
  rm -rf "$work/misconfigured/target"
  if [ -n "${edit:-}" ]; then (cd "$work/misconfigured" && eval "$edit"); fi
  if (cd "$work/misconfigured" && "${mvn_vendor[@]}" verify "$@" > "$work/$name.log" 2>&1); then
    echo "FAIL: $name: the build succeeded although the kit did not run every requirement ($work/$name.log)" >&2
    exit 1
  fi
  if ! grep -q "$expected" "$work/$name.log"; then
    echo "FAIL: $name: the build failed without saying '$expected'; see $work/$name.log" >&2
    exit 1
  fi
  echo "ok: $name fails: $(grep -m1 -o "$expected.*" "$work/$name.log" | cut -c1-160)"
}
echo "== Misconfigured copies must fail"
expect_failure surefire-2.12.4 "the kit ran no test" -Dsurefire.version=2.12.4 -Dtck.standalone.skip=true
# An older Surefire 3 runs the kit but writes tests="0" on the suite: a CI server would show no test.
expect_failure surefire-3.5.4 "wrote wrong counts" -Dsurefire.version=3.5.4 -Dtck.standalone.skip=true
expect_failure tests-filtered "fewer than its $requirements requirements" -Dgroups=stats -Dtck.standalone.skip=true
# A fixture without device-fault hooks: FAULT-8 is skipped for a set-up reason, not a capability.
edit="sed -i '/deviceFault(DeviceFault.of/,/array::repair))/d' src/test/java/com/example/storage/acme/AcmeConformanceTest.java" \
  expect_failure set-up-skip "were skipped, but undeclared capabilities explain only" -Dtck.standalone.skip=true

echo "== Driver starter OK: generate $((generated - start)) s, first build + kit runs $((built - generated)) s," \
  "Maven $maven39 build (warm local repository) $((built39 - built)) s (work dir $work)"
}

main "$@"; exit
