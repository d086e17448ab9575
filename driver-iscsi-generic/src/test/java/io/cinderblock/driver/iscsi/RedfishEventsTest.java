package io.cinderblock.driver.iscsi;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cinderblock.driver.iscsi.RedfishEvents.Action;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** How event records map to actions: the schema's Event shape and SNIA's emulator's bare records. */
class RedfishEventsTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String STORAGE = "/redfish/v1/Storage/S1";
    private static final Set<String> CHASSIS = Set.of("/redfish/v1/Chassis/Enclosure1");

    private static JsonNode json(String text) throws Exception {
        return MAPPER.readTree(text);
    }

    private static Action action(String record) throws Exception {
        return RedfishEvents.classify(json(record), STORAGE, CHASSIS).action();
    }

    @Test
    @DisplayName("a schema Event: records from Events[], Context at the Event level")
    void schemaEvent() throws Exception {
        JsonNode body = json("{\"@odata.type\": \"#Event.v1_7_0.Event\", \"Context\": \"tok\", \"Events\": ["
                + "{\"EventType\": \"Alert\", \"MessageId\": \"ResourceEvent.1.3.ResourceStatusChangedCritical\","
                + " \"MessageSeverity\": \"Critical\", \"OriginOfCondition\": {\"@odata.id\": \"/redfish/v1/Storage/S1\"}},"
                + "{\"MessageId\": \"ResourceEvent.1.3.ResourceChanged\", \"OriginOfCondition\": "
                + "{\"@odata.id\": \"/redfish/v1/Storage/S1/StoragePools/GOLD\"}}]}");
        List<JsonNode> records = RedfishEvents.records(body);
        assertThat(records).hasSize(2);
        assertThat(RedfishEvents.context(body, records)).contains("tok");
        assertThat(RedfishEvents.classify(records.get(0), STORAGE, CHASSIS).action()).isEqualTo(Action.DOWN);
        assertThat(RedfishEvents.classify(records.get(0), STORAGE, CHASSIS).event())
                .isEqualTo("Redfish event ResourceEvent.1.3.ResourceStatusChangedCritical on /redfish/v1/Storage/S1");
        assertThat(RedfishEvents.classify(records.get(1), STORAGE, CHASSIS).action()).isEqualTo(Action.CHECK);
    }

    @Test
    @DisplayName("the emulator's bare record with a string OriginOfCondition ending in index.json, no Context")
    void emulatorRecord() throws Exception {
        JsonNode body = json("{\"MessageId\": \"ResourceEvent.1.4.2.ResourceStateChanged\", \"Message\": "
                + "\"The state of resource 'redfish/v1/Storage/S1/index.json' has changed to UnavailableOffline.\", "
                + "\"MessageSeverity\": \"OK\", \"OriginOfCondition\": \"redfish/v1/Storage/S1/index.json\"}");
        List<JsonNode> records = RedfishEvents.records(body);
        assertThat(records).hasSize(1);
        assertThat(RedfishEvents.context(body, records)).isEmpty();
        assertThat(RedfishEvents.classify(records.get(0), STORAGE, CHASSIS).action()).isEqualTo(Action.DOWN);
    }

    @Test
    @DisplayName("DOWN at once: storage removed, Critical, a State other than Enabled (MessageArgs or text)")
    void downAtOnce() throws Exception {
        String origin = ", \"OriginOfCondition\": {\"@odata.id\": \"/redfish/v1/Storage/S1/\"}}";
        assertThat(action("{\"EventType\": \"ResourceRemoved\"" + origin)).isEqualTo(Action.DOWN);
        assertThat(action("{\"MessageId\": \"ResourceEvent.1.0.ResourceRemoved\"" + origin)).isEqualTo(Action.DOWN);
        assertThat(action("{\"MessageId\": \"Alert.1.0.Whatever\", \"Severity\": \"Critical\"" + origin))
                .isEqualTo(Action.DOWN);
        assertThat(action("{\"MessageId\": \"ResourceEvent.1.3.ResourceStateChanged\", \"MessageArgs\": "
                + "[\"/redfish/v1/Storage/S1\", \"Disabled\"]" + origin)).isEqualTo(Action.DOWN);
        assertThat(action("{\"MessageId\": \"ResourceEvent.1.3.ResourceStateChanged\", \"MessageArgs\": "
                + "[\"/redfish/v1/Storage/S1\", \"Enabled\"]" + origin)).isEqualTo(Action.RECOVERY_CHECK);
        assertThat(action("{\"MessageId\": \"ResourceEvent.1.3.ResourceStatusChangedOK\"" + origin))
                .isEqualTo(Action.RECOVERY_CHECK);
        assertThat(action("{\"MessageId\": \"ResourceEvent.1.3.ResourceStatusChangedWarning\", "
                + "\"MessageSeverity\": \"Warning\"" + origin)).isEqualTo(Action.RECOVERY_CHECK);
    }

    @Test
    @DisplayName("pools, volumes and the enclosure are re-read, not DOWN at once (the probe judges them); others ignored")
    void checkOrIgnore() throws Exception {
        assertThat(action("{\"MessageId\": \"ResourceEvent.1.3.ResourceStatusChangedCritical\", \"MessageSeverity\": "
                + "\"Critical\", \"OriginOfCondition\": {\"@odata.id\": \"/redfish/v1/Storage/S1/StoragePools/GOLD\"}}"))
                .isEqualTo(Action.CHECK);
        assertThat(action("{\"EventType\": \"ResourceRemoved\", \"OriginOfCondition\": "
                + "{\"@odata.id\": \"https://array:443/redfish/v1/Chassis/Enclosure1\"}}")).isEqualTo(Action.CHECK);
        assertThat(action("{\"MessageId\": \"ResourceEvent.1.3.ResourceStatusChangedCritical\", \"OriginOfCondition\": "
                + "{\"@odata.id\": \"/redfish/v1/Storage/S10\"}}")).isEqualTo(Action.IGNORE);
        assertThat(action("{\"MessageId\": \"ResourceEvent.1.3.ResourceStatusChangedCritical\", \"OriginOfCondition\": "
                + "{\"@odata.id\": \"/redfish/v1/Systems/1\"}}")).isEqualTo(Action.IGNORE);
        assertThat(action("{\"MessageId\": \"Base.1.0.Something\"}")).isEqualTo(Action.CHECK);
    }

    @Test
    @DisplayName("paths: one spelling for absolute URLs, missing or trailing slashes, index.json, fragments")
    void normalize() {
        assertThat(RedfishEvents.normalize("redfish/v1/Storage/S1/index.json")).isEqualTo(STORAGE);
        assertThat(RedfishEvents.normalize("https://10.0.0.5/redfish/v1/Storage/S1/")).isEqualTo(STORAGE);
        assertThat(RedfishEvents.normalize("/redfish/v1/Storage/S1#/Status")).isEqualTo(STORAGE);
    }

    @Test
    @DisplayName("a body that is neither an Event nor a record has no records")
    void noRecords() throws Exception {
        assertThat(RedfishEvents.records(json("{\"hello\": 1}"))).isEmpty();
        assertThat(RedfishEvents.records(json("[1, 2]"))).isEmpty();
    }
}
