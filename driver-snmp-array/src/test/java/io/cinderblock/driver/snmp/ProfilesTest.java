package io.cinderblock.driver.snmp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.cinderblock.sdk.error.InvalidConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@DisplayName("profiles: the shipped ones parse, a bad one fails at open naming the key")
class ProfilesTest {
    private static final String MINIMAL = String.join("\n",
            "pool.table = 1.3.6.1.4.1.32473.1.2.1",
            "pool.name.column = 2",
            "pool.total.column = 3",
            "pool.free.column = 4",
            "pool.unit = mib");

    @Test
    @DisplayName("host-resources: hrStorageTable fixed disks, per-row allocation unit, 32-bit, hrDeviceStatus health")
    void hostResources() {
        Profile profile = Profiles.shipped(Profiles.HOST_RESOURCES);
        assertThat(profile.pools().entry().toDottedString()).isEqualTo("1.3.6.1.2.1.25.2.3.1");
        assertThat(profile.pools().unit().column()).hasValue(4);
        assertThat(profile.pools().counterBits()).isEqualTo(32);
        assertThat(profile.pools().selectValues()).containsExactly("1.3.6.1.2.1.25.2.1.4");
        assertThat(profile.health().orElseThrow().failed()).containsExactly(5L);
        assertThat(profile.volumes()).isEmpty();
    }

    @Test
    @DisplayName("ucd-disk: 64-bit high/low columns in KiB; example-array: writable volume table")
    void ucdDiskAndArray() {
        Profile ucd = Profiles.shipped(Profiles.UCD_DISK);
        assertThat(ucd.pools().total().highColumn()).hasValue(12);
        assertThat(ucd.pools().unit().bytes()).isEqualTo(1024);
        Profile array = Profiles.shipped(Profiles.EXAMPLE_ARRAY);
        assertThat(array.volumes().orElseThrow().rowStatusColumn()).isEqualTo(2);
        assertThat(array.health().orElseThrow().scalar()).isPresent();
        assertThat(array.notifications().down()).extracting(Object::toString).containsExactly("1.3.6.1.4.1.32473.0.2");
        assertThat(ucd.notifications().down()).extracting(Object::toString).containsExactly("1.3.6.1.4.1.8072.4.0.2");
        assertThat(ucd.notifications().check()).extracting(Object::toString).contains("1.3.6.1.6.3.1.1.5.1");
        assertThat(Profiles.parse("mine", SnmpSettings.PROFILE_FILE, MINIMAL).notifications().any()).isFalse();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "pool.unit = kb|'pool.unit' is not a unit: 'kb'",
        "pool.unit = column:x|'pool.unit' must be a column number",
        "pool.total.column =|'pool.total.column' is missing",
        "pool.used.column = 6|set exactly one of 'pool.used.column' and 'pool.free.column'",
        "pool.tota.column = 3|unknown key 'pool.tota.column'",
        "pool.table = 1.3.six|'pool.table' is not a numeric OID",
        "pool.select.column = 2|'pool.select.values' is missing",
        "health.oid = 1.3.6.1.4.1.32473.1.1.0|'health.ok' is missing",
        "volume.table = 1.3.6.1.4.1.32473.1.3.1|'volume.rowstatus.column' is missing",
        "volume.name.column = 3|'volume.table' is missing",
        "pool.counter.bits = 16|'pool.counter.bits' must be 32 or 64",
        "notification.down = linkDown|'notification.down' holds 'linkDown', which is not a numeric notification OID",
        "notification.check = 1.3.6.1.6.3.1.1.5.1, 1.3|'notification.check' holds '1.3'",
        "notification.down = 1.3.6.1.6.3.1.1.5.3\\nnotification.check = 1.3.6.1.6.3.1.1.5.3|in both 'notification.down' and 'notification.check'",
    })
    @DisplayName("a bad profile fails with a message naming the profile and the key")
    void badProfiles(String line, String message) {
        assertThatThrownBy(() -> Profiles.parse("mine", SnmpSettings.PROFILE_FILE, MINIMAL + "\n" + line.replace("\\n", "\n")))
                .isInstanceOfSatisfying(InvalidConfigException.class,
                        e -> assertThat(e.option()).isEqualTo(SnmpSettings.PROFILE_FILE))
                .hasMessageStartingWith("Profile 'mine': ").hasMessageContaining(message);
    }

    @Test
    @DisplayName("a profile file of one's own is read through snmp_profile_file, named after the file")
    void profileFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("my-array.properties");
        Files.writeString(file, MINIMAL);
        Map<String, String> options = SnmpTestSupport.baseConfig(161, Profiles.HOST_RESOURCES);
        options.remove("snmp_profile");
        options.put("snmp_version", "2c");
        options.put("snmp_community", "c");
        options.put("snmp_profile_file", file.toString());
        Profile profile = Profiles.load(SnmpTestSupport.validate(options));
        assertThat(profile.name()).isEqualTo("my-array");
        assertThat(profile.pools().free()).isPresent();

        options.put("snmp_profile", Profiles.UCD_DISK);
        assertThatThrownBy(() -> Profiles.load(SnmpTestSupport.validate(options)))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("both set");
        options.remove("snmp_profile");
        options.put("snmp_profile_file", dir.resolve("missing.properties").toString());
        assertThatThrownBy(() -> Profiles.load(SnmpTestSupport.validate(options)))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("Cannot read profile file");
    }

    @Test
    @DisplayName("an unknown shipped profile names the option and lists the shipped ones")
    void unknownProfile() {
        Map<String, String> options = SnmpTestSupport.baseConfig(161, "netapp");
        options.put("snmp_version", "2c");
        options.put("snmp_community", "c");
        assertThatThrownBy(() -> Profiles.load(SnmpTestSupport.validate(options)))
                .isInstanceOfSatisfying(InvalidConfigException.class,
                        e -> assertThat(e.option()).isEqualTo("snmp_profile"))
                .hasMessageContaining("'netapp'").hasMessageContaining("host-resources, ucd-disk, example-array");
    }
}
