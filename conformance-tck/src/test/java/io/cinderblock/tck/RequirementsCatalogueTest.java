package io.cinderblock.tck;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** REQUIREMENTS.md, the {@link Requirements} catalogue and the kit's test tags name the same ids. */
class RequirementsCatalogueTest {
    private static final Pattern DOC_ROW = Pattern.compile("^\\| ([A-Z]+-\\d+) \\| (driver|SDK) \\|", Pattern.MULTILINE);

    private static Set<String> catalogue() {
        return Requirements.ALL.stream().map(Requirement::id).collect(Collectors.toCollection(TreeSet::new));
    }

    @Test
    void documentListsExactlyTheCatalogue() throws IOException {
        String doc = Files.readString(Path.of("REQUIREMENTS.md"));
        Set<String> documented = new TreeSet<>();
        Matcher m = DOC_ROW.matcher(doc);
        while (m.find()) {
            assertThat(documented.add(m.group(1))).as("%s documented once", m.group(1)).isTrue();
            Requirements.byId(m.group(1)).ifPresent(r -> assertThat(m.group(2)).as("who enforces %s", r.id())
                    .isEqualTo(r.sdkEnforced() ? "SDK" : "driver"));
        }
        assertThat(documented).isEqualTo(catalogue());
        for (String group : Requirements.GROUPS) {
            assertThat(doc).contains("## " + group);
        }
    }

    @Test
    void everyRequirementHasATestAndEveryTestNamesARequirement() {
        Set<String> tagged = new TreeSet<>();
        List<String> untagged = new ArrayList<>();
        for (Class<?> group : VolumeDriverConformanceKit.class.getDeclaredClasses()) {
            Tag groupTag = group.getAnnotation(Tag.class);
            if (groupTag == null) {
                continue;
            }
            assertThat(Requirements.GROUPS).as("group tag of %s", group.getSimpleName()).contains(groupTag.value());
            for (Method method : group.getDeclaredMethods()) {
                if (!method.isAnnotationPresent(Test.class)) {
                    continue;
                }
                List<String> ids = List.of(method.getAnnotationsByType(Tag.class)).stream().map(Tag::value)
                        .filter(Requirements::isRequirementId).collect(Collectors.toList());
                if (ids.isEmpty()) {
                    untagged.add(group.getSimpleName() + "." + method.getName());
                }
                for (String id : ids) {
                    assertThat(Requirements.byId(id).orElseThrow().group()).as("group of %s tested in %s", id,
                            group.getSimpleName()).isEqualTo(groupTag.value());
                }
                tagged.addAll(ids);
            }
        }
        assertThat(untagged).as("tests without a requirement id").isEmpty();
        assertThat(tagged).as("requirements with a test").isEqualTo(catalogue());
    }
}
