package io.cinderblock.driver.snmp;

import io.cinderblock.sdk.testing.LocalPorts;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.PDU;
import org.snmp4j.Snmp;
import org.snmp4j.agent.CommandProcessor;
import org.snmp4j.agent.DefaultMOServer;
import org.snmp4j.agent.DuplicateRegistrationException;
import org.snmp4j.agent.mo.DefaultMOMutableRow2PC;
import org.snmp4j.agent.mo.DefaultMOMutableTableModel;
import org.snmp4j.agent.mo.DefaultMOTable;
import org.snmp4j.agent.mo.MOAccessImpl;
import org.snmp4j.agent.mo.MOColumn;
import org.snmp4j.agent.mo.MOMutableColumn;
import org.snmp4j.agent.mo.MOScalar;
import org.snmp4j.agent.mo.MOTableIndex;
import org.snmp4j.agent.mo.MOTableRow;
import org.snmp4j.agent.mo.MOTableRowFactory;
import org.snmp4j.agent.mo.MOTableSubIndex;
import org.snmp4j.agent.mo.snmp.CoexistenceInfo;
import org.snmp4j.agent.mo.snmp.CoexistenceInfoProvider;
import org.snmp4j.agent.mo.snmp.RowStatus;
import org.snmp4j.agent.request.SubRequest;
import org.snmp4j.agent.security.VACM;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.smi.Address;
import org.snmp4j.smi.Counter64;
import org.snmp4j.smi.Integer32;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.SMIConstants;
import org.snmp4j.smi.TimeTicks;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.UnsignedInteger32;
import org.snmp4j.smi.Variable;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * A <b>simulated</b> storage array: an in-JVM SNMP v2c agent built with snmp4j-agent that
 * implements the example array MIB of the {@code example-array} profile, so that provisioning
 * through RowStatus can be tested end to end. Not a real array.
 *
 * <p>Pools have a fixed total; their free capacity is the total minus the sizes of the volumes
 * placed in them, computed on every read. The volume table accepts createAndGo and destroy (snmp4j
 * -agent's {@link RowStatus}), and refuses names longer than {@link #NAME_LIMIT} characters with
 * {@code wrongLength}, as a real array may accept less than a profile allows. Access is granted to
 * the generated community only.
 */
final class SimulatedArrayAgent implements AutoCloseable {
    static final OID HEALTH = new OID("1.3.6.1.4.1.32473.1.1.0");
    static final OID POOL_ENTRY = new OID("1.3.6.1.4.1.32473.1.2.1");
    static final OID VOLUME_ENTRY = new OID("1.3.6.1.4.1.32473.1.3.1");
    /** The longest volume name the simulated array accepts (the profile allows 64). */
    static final int NAME_LIMIT = 48;

    private final Snmp snmp;
    private final int port;
    private final String community;
    private final MOScalar<Integer32> health;
    private final DefaultMOTable<DefaultMOMutableRow2PC, MOColumn<?>, DefaultMOMutableTableModel<DefaultMOMutableRow2PC>> volumes;

    private SimulatedArrayAgent(Snmp snmp, int port, String community, MOScalar<Integer32> health,
            DefaultMOTable<DefaultMOMutableRow2PC, MOColumn<?>, DefaultMOMutableTableModel<DefaultMOMutableRow2PC>> volumes) {
        this.snmp = snmp;
        this.port = port;
        this.community = community;
        this.health = health;
        this.volumes = volumes;
    }

    /**
     * Starts the simulated array with two pools, {@code gold} (100 GiB) and {@code silver} (20 GiB),
     * and no volume.
     */
    static SimulatedArrayAgent start() {
        String community = SnmpTestSupport.secret(16);
        DefaultMOServer server = new DefaultMOServer();
        MOScalar<Integer32> health = new MOScalar<>(HEALTH, MOAccessImpl.ACCESS_READ_ONLY, new Integer32(1));
        DefaultMOTable<DefaultMOMutableRow2PC, MOColumn<?>, DefaultMOMutableTableModel<DefaultMOMutableRow2PC>> volumes =
                volumeTable();
        DefaultMOTable<DefaultMOMutableRow2PC, MOColumn<?>, DefaultMOMutableTableModel<DefaultMOMutableRow2PC>> pools =
                poolTable(volumes);
        try {
            server.register(new MOScalar<>(SnmpSession.SYS_UP_TIME, MOAccessImpl.ACCESS_READ_ONLY, new TimeTicks(4242)),
                    null);
            server.register(health, null);
            server.register(pools, null);
            server.register(volumes, null);
        } catch (DuplicateRegistrationException e) {
            throw new IllegalStateException(e);
        }
        OctetString engineId = new OctetString(MPv3.createLocalEngineID());
        CommandProcessor processor = new CommandProcessor(engineId);
        processor.addMOServer(server);
        processor.setVacm(new CommunityOnlyVacm(community));
        processor.setCoexistenceProvider(new OneCommunity(community, engineId));
        int port = LocalPorts.freeUdpPort();
        try {
            MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
            dispatcher.addMessageProcessingModel(new MPv2c());
            DefaultUdpTransportMapping transport = new DefaultUdpTransportMapping(
                    new UdpAddress(InetAddress.getLoopbackAddress(), port));
            Snmp snmp = new Snmp(dispatcher, transport);
            snmp.addCommandResponder(processor);
            snmp.listen();
            return new SimulatedArrayAgent(snmp, port, community, health, volumes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static DefaultMOTable<DefaultMOMutableRow2PC, MOColumn<?>, DefaultMOMutableTableModel<DefaultMOMutableRow2PC>>
            volumeTable() {
        MOTableIndex index = new MOTableIndex(new MOTableSubIndex[] {new MOTableSubIndex(SMIConstants.SYNTAX_INTEGER)});
        MOMutableColumn<OctetString> name = new MOMutableColumn<>(3, SMIConstants.SYNTAX_OCTET_STRING,
                MOAccessImpl.ACCESS_READ_CREATE);
        name.addMOValueValidationListener(event -> {
            int length = ((OctetString) event.getNewValue()).length();
            if (length < 1 || length > NAME_LIMIT) {
                event.setValidationStatus(PDU.wrongLength);
            }
        });
        MOMutableColumn<UnsignedInteger32> size = new MOMutableColumn<>(4, SMIConstants.SYNTAX_GAUGE32,
                MOAccessImpl.ACCESS_READ_CREATE);
        MOMutableColumn<UnsignedInteger32> pool = new MOMutableColumn<>(5, SMIConstants.SYNTAX_GAUGE32,
                MOAccessImpl.ACCESS_READ_CREATE);
        MOColumn<?>[] columns = {new RowStatus<DefaultMOMutableRow2PC>(2), name, size, pool};
        DefaultMOMutableTableModel<DefaultMOMutableRow2PC> model = new DefaultMOMutableTableModel<>();
        model.setRowFactory(new RowFactory());
        return new DefaultMOTable<>(VOLUME_ENTRY, index, columns, model);
    }

    private static DefaultMOTable<DefaultMOMutableRow2PC, MOColumn<?>, DefaultMOMutableTableModel<DefaultMOMutableRow2PC>>
            poolTable(DefaultMOTable<DefaultMOMutableRow2PC, MOColumn<?>, DefaultMOMutableTableModel<DefaultMOMutableRow2PC>>
                    volumes) {
        MOTableIndex index = new MOTableIndex(new MOTableSubIndex[] {new MOTableSubIndex(SMIConstants.SYNTAX_INTEGER)});
        MOColumn<?>[] columns = {
            new MOColumn<OctetString>(2, SMIConstants.SYNTAX_OCTET_STRING, MOAccessImpl.ACCESS_READ_ONLY),
            new MOColumn<Counter64>(3, SMIConstants.SYNTAX_COUNTER64, MOAccessImpl.ACCESS_READ_ONLY),
            new FreeColumn(volumes),
        };
        DefaultMOMutableTableModel<DefaultMOMutableRow2PC> model = new DefaultMOMutableTableModel<>();
        model.setRowFactory(new RowFactory());
        DefaultMOTable<DefaultMOMutableRow2PC, MOColumn<?>, DefaultMOMutableTableModel<DefaultMOMutableRow2PC>> table =
                new DefaultMOTable<>(POOL_ENTRY, index, columns, model);
        // The free column's stored value is a placeholder: FreeColumn computes it on every read.
        table.addRow(new DefaultMOMutableRow2PC(new OID(new int[] {1}), new Variable[] {new OctetString("gold"),
                new Counter64(100 * 1024), new Counter64(0)}));
        table.addRow(new DefaultMOMutableRow2PC(new OID(new int[] {2}), new Variable[] {new OctetString("silver"),
                new Counter64(20 * 1024), new Counter64(0)}));
        return table;
    }

    /** poolFreeMiB: the pool's total minus the sizes of its volumes, as an array computes it. */
    private static final class FreeColumn extends MOColumn<Counter64> {
        private final DefaultMOTable<DefaultMOMutableRow2PC, MOColumn<?>, DefaultMOMutableTableModel<DefaultMOMutableRow2PC>>
                volumes;

        FreeColumn(DefaultMOTable<DefaultMOMutableRow2PC, MOColumn<?>, DefaultMOMutableTableModel<DefaultMOMutableRow2PC>>
                volumes) {
            super(4, SMIConstants.SYNTAX_COUNTER64, MOAccessImpl.ACCESS_READ_ONLY);
            this.volumes = volumes;
        }

        @Override
        public Counter64 getValue(MOTableRow row, int column, SubRequest<?> subRequest) {
            long poolIndex = row.getIndex().get(0);
            long total = row.getValue(1).toLong();
            long used = 0;
            synchronized (volumes.getModel()) {
                for (Iterator<DefaultMOMutableRow2PC> it = volumes.getModel().iterator(); it.hasNext(); ) {
                    DefaultMOMutableRow2PC volume = it.next();
                    Variable pool = volume.getValue(3);
                    Variable size = volume.getValue(2);
                    if (pool != null && size != null && pool.toLong() == poolIndex) {
                        used += size.toLong();
                    }
                }
            }
            return new Counter64(Math.max(0, total - used));
        }
    }

    /** Creates table rows for snmp4j-agent. */
    private static final class RowFactory implements MOTableRowFactory<DefaultMOMutableRow2PC> {
        @Override
        public DefaultMOMutableRow2PC createRow(OID index, Variable[] values) {
            return new DefaultMOMutableRow2PC(index, values);
        }

        @Override
        public void freeRow(DefaultMOMutableRow2PC row) {
            // nothing to release
        }
    }

    /** Maps the generated community to the default context; any other community is unknown (dropped). */
    private static final class OneCommunity implements CoexistenceInfoProvider {
        private final OctetString community;
        private final OctetString engineId;

        OneCommunity(String community, OctetString engineId) {
            this.community = new OctetString(community);
            this.engineId = engineId;
        }

        @Override
        public CoexistenceInfo[] getCoexistenceInfo(OctetString given) {
            return community.equals(given) ? new CoexistenceInfo[] {new CoexistenceInfo(community, engineId,
                    new OctetString())} : null;
        }

        @Override
        public OctetString getCommunity(OctetString securityName, OctetString contextEngineId, OctetString context) {
            return community;
        }

        @Override
        public boolean passesFilter(Address address, CoexistenceInfo info) {
            return true;
        }
    }

    /** Grants every view to the generated community and nothing to anyone else. */
    private static final class CommunityOnlyVacm implements VACM {
        private final String community;

        CommunityOnlyVacm(String community) {
            this.community = community;
        }

        @Override
        public int isAccessAllowed(OctetString context, OctetString securityName, int securityModel,
                int securityLevel, int viewType, OID oid) {
            return community.equals(securityName.toString()) ? VACM_OK : VACM_NOT_IN_VIEW;
        }

        @Override
        public int isAccessAllowed(OctetString viewName, OID oid) {
            return VACM_OK;
        }

        @Override
        public OctetString getViewName(OctetString context, OctetString securityName, int securityModel,
                int securityLevel, int viewType) {
            return community.equals(securityName.toString()) ? new OctetString("all") : null;
        }
    }

    /** Driver options (v2c) for the {@code example-array} profile against this simulated array. */
    Map<String, String> config() {
        Map<String, String> config = SnmpTestSupport.baseConfig(port, Profiles.EXAMPLE_ARRAY);
        config.put("snmp_version", "2c");
        config.put("snmp_community", community);
        return config;
    }

    /** Sets the array's health: 1 ok, 2 degraded, 3 failed (break and heal). */
    void setHealth(int value) {
        health.setValue(new Integer32(value));
    }

    /** The volume rows, by index: name and size in MiB, read from the agent's own model. */
    Map<Long, String> volumes() {
        Map<Long, String> rows = new LinkedHashMap<>();
        synchronized (volumes.getModel()) {
            for (Iterator<DefaultMOMutableRow2PC> it = volumes.getModel().iterator(); it.hasNext(); ) {
                DefaultMOMutableRow2PC row = it.next();
                rows.put((long) row.getIndex().get(0), row.getValue(1) + ":" + row.getValue(2).toLong() + "MiB:pool"
                        + row.getValue(3));
            }
        }
        return rows;
    }

    /** The names of the volumes on the array. */
    List<String> volumeNames() {
        List<String> names = new ArrayList<>();
        volumes().values().forEach(row -> names.add(row.substring(0, row.indexOf(':'))));
        return names;
    }

    @Override
    public void close() {
        try {
            snmp.close();
        } catch (IOException e) {
            // the socket is gone either way
        }
    }
}
