package io.cinderblock.driver.snmp;

import io.cinderblock.driver.snmp.SnmpUnreachableException.Fault;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import org.snmp4j.CommandResponderEvent;
import org.snmp4j.CommunityTarget;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.PDU;
import org.snmp4j.ScopedPDU;
import org.snmp4j.Snmp;
import org.snmp4j.Target;
import org.snmp4j.UserTarget;
import org.snmp4j.event.ResponseEvent;
import org.snmp4j.mp.CounterSupport;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.mp.PduHandle;
import org.snmp4j.mp.SnmpConstants;
import org.snmp4j.security.AuthenticationProtocol;
import org.snmp4j.security.PrivacyProtocol;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.SecurityModel;
import org.snmp4j.security.SecurityModels;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.USM;
import org.snmp4j.security.UsmUser;
import org.snmp4j.smi.Address;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.SMIConstants;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.Variable;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;
import org.snmp4j.util.DefaultPDUFactory;

/**
 * One SNMP session with one agent: GET, GETBULK table walks and SET, each turning every way an
 * agent can fail into a typed exception. Thread-safe (snmp4j's synchronous send is).
 *
 * <p>The session owns its own USM and security protocol set, so that enabling MD5, SHA-1 or DES for
 * an old agent does not weaken every other snmp4j user in the JVM.
 */
final class SnmpSession implements AutoCloseable {
    /** sysUpTime.0: every agent has it; the cheapest proof that the agent answers. */
    static final OID SYS_UP_TIME = new OID("1.3.6.1.2.1.1.3.0");
    /** A walk that yields more cells than this is an agent in a loop, not a table. */
    private static final int MAX_CELLS = 200_000;
    private static final OID USM_STATS = new OID("1.3.6.1.6.3.15.1.1");
    /**
     * usmStats counters that mean our credentials are wrong (unsupportedSecLevels, unknownUserNames,
     * wrongDigests, decryptionErrors); notInTimeWindows and unknownEngineIDs are part of normal
     * engine discovery, which snmp4j handles.
     */
    private static final Set<OID> CREDENTIAL_REPORTS = Set.of(new OID(USM_STATS).append(1), new OID(USM_STATS).append(3),
            new OID(USM_STATS).append(5), new OID(USM_STATS).append(6));

    private final SnmpSettings settings;
    private final Snmp snmp;
    private volatile UdpAddress address;
    /** The last USM report the agent sent, even one snmp4j ignored; see {@link #recordReports()}. */
    private volatile ReceivedReport lastReport;

    /** A report counter OID and when it arrived ({@link System#nanoTime()}). */
    private record ReceivedReport(OID counter, long receivedAt) {}

    private SnmpSession(SnmpSettings settings, Snmp snmp) {
        this.settings = settings;
        this.snmp = snmp;
    }

    /**
     * An agent reports a wrong digest or a decryption error unauthenticated (it cannot do better),
     * and snmp4j, following RFC 3412 section 7.2.11.b, ignores such reports: the request then
     * times out. We keep snmp4j's standard handling (no JVM-wide setting changes) and only note
     * the report, so that the timeout can be reported as what it is: a credentials problem.
     */
    private void recordReports() {
        Snmp.ReportHandler standard = snmp.getReportHandler();
        snmp.setReportHandler(new Snmp.ReportHandler() {
            @Override
            public <A extends Address> void processReport(PduHandle handle, CommandResponderEvent<A> event) {
                PDU report = event.getPDU();
                OID counter = report == null || report.size() == 0 ? null : report.get(0).getOid();
                if (counter != null && counter.size() > 1
                        && CREDENTIAL_REPORTS.contains(new OID(counter.getValue(), 0, counter.size() - 1))) {
                    lastReport = new ReceivedReport(counter, System.nanoTime());
                }
                standard.processReport(handle, event);
            }
        });
    }

    /**
     * Opens a local UDP socket and the security machinery; sends nothing.
     *
     * @throws SnmpUnreachableException {@link Fault#TRANSPORT} if no local socket can be opened
     */
    static SnmpSession open(SnmpSettings settings) {
        MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
        dispatcher.addMessageProcessingModel(new MPv2c());
        if (settings.version() == SnmpSettings.Version.V3) {
            SecurityProtocols protocols = new SecurityProtocols(SecurityProtocols.SecurityProtocolSet.defaultSecurity);
            // Idempotent for the default protocols; what makes the legacy ones available when configured.
            AuthenticationProtocol auth = settings.authProtocol().create();
            protocols.addAuthenticationProtocol(auth);
            Optional<PrivacyProtocol> priv = settings.privProtocol().create();
            priv.ifPresent(protocols::addPrivacyProtocol);
            OID privId = priv.map(PrivacyProtocol::getID).orElse(null); // null: snmp4j's authNoPriv user
            byte[] engineId = MPv3.createLocalEngineID();
            USM usm = new USM(protocols, new OctetString(engineId), 0);
            usm.addUser(new UsmUser(new OctetString(settings.user().orElseThrow()), auth.getID(),
                    new OctetString(settings.authKey().orElseThrow()), privId,
                    settings.privKey().map(OctetString::new).orElse(null)));
            SecurityModels models = new SecurityModels();
            models.addSecurityModel(usm);
            dispatcher.addMessageProcessingModel(new MPv3(engineId, new DefaultPDUFactory(), protocols, models,
                    new CounterSupport()));
        }
        try {
            DefaultUdpTransportMapping transport = new DefaultUdpTransportMapping();
            Snmp snmp = new Snmp(dispatcher, transport);
            SnmpSession session = new SnmpSession(settings, snmp);
            session.recordReports();
            snmp.listen();
            return session;
        } catch (IOException e) {
            throw new SnmpUnreachableException(Fault.TRANSPORT, "Cannot open a local UDP socket for SNMP: "
                    + e.getMessage());
        }
    }

    /**
     * GETs {@code oids}; the answer has one binding per OID, in order. Exception values ({@code
     * noSuchObject}, ...) are returned as they are: the caller knows which OIDs it can do without.
     *
     * @param what what the caller is doing, for messages: {@code "reading the health scalar"}
     */
    List<VariableBinding> get(List<OID> oids, String what) {
        PDU pdu = newPdu(PDU.GET);
        oids.forEach(oid -> pdu.add(new VariableBinding(oid)));
        PDU response = send(pdu, settings.retries(), what);
        requireNoErrorStatus(response, what);
        List<? extends VariableBinding> bindings = response.getVariableBindings();
        if (bindings.size() != oids.size()) {
            throw new MalformedReplyException("Agent " + settings.endpoint() + " answered " + bindings.size()
                    + " values for " + oids.size() + " requested while " + what);
        }
        List<VariableBinding> result = new ArrayList<>();
        for (int i = 0; i < oids.size(); i++) {
            VariableBinding binding = bindings.get(i);
            if (!binding.getOid().equals(oids.get(i))) {
                throw new MalformedReplyException("Agent " + settings.endpoint() + " answered " + binding.getOid()
                        + " for " + oids.get(i) + " while " + what);
            }
            result.add(binding);
        }
        return result;
    }

    /**
     * Walks {@code columns} of the table under {@code entry} with GETBULK, all columns in the same
     * requests. Returns the rows by index (the OID suffix after {@code entry.column}), each with the
     * columns the agent had for it; a sparse row simply lacks a column.
     *
     * @param what the table, for messages: {@code "pool table 1.3.6..."}
     * @throws MalformedReplyException the agent answered out of order, without end or with an error
     */
    SortedMap<OID, Map<Integer, Variable>> walk(OID entry, List<Integer> columns, String what) {
        String action = "walking " + what;
        int count = columns.size();
        OID[] prefixes = new OID[count];
        OID[] cursors = new OID[count];
        boolean[] done = new boolean[count];
        for (int i = 0; i < count; i++) {
            prefixes[i] = new OID(entry).append(columns.get(i));
            cursors[i] = prefixes[i];
        }
        SortedMap<OID, Map<Integer, Variable>> rows = new TreeMap<>();
        int cells = 0;
        while (true) {
            List<Integer> active = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                if (!done[i]) {
                    active.add(i);
                }
            }
            if (active.isEmpty()) {
                return rows;
            }
            PDU pdu = newPdu(PDU.GETBULK);
            pdu.setNonRepeaters(0);
            pdu.setMaxRepetitions(settings.maxRepetitions());
            active.forEach(i -> pdu.add(new VariableBinding(cursors[i])));
            PDU response = send(pdu, settings.retries(), action);
            requireNoErrorStatus(response, action);
            List<? extends VariableBinding> bindings = response.getVariableBindings();
            boolean progressed = false;
            for (int k = 0; k < bindings.size(); k++) {
                int i = active.get(k % active.size());
                if (done[i]) {
                    continue;
                }
                VariableBinding binding = bindings.get(k);
                OID oid = binding.getOid();
                Variable value = binding.getVariable();
                if (value.getSyntax() == SMIConstants.EXCEPTION_END_OF_MIB_VIEW || !oid.startsWith(prefixes[i])
                        || oid.size() == prefixes[i].size()) {
                    done[i] = true;
                    continue;
                }
                if (oid.compareTo(cursors[i]) <= 0) {
                    throw new MalformedReplyException("Agent " + settings.endpoint() + " answered " + oid + " after "
                            + cursors[i] + " while " + action + " (OIDs must increase; the agent loops)");
                }
                if (value.isException()) {
                    throw new MalformedReplyException("Agent " + settings.endpoint() + " answered "
                            + value.getSyntaxString() + " for " + oid + " while " + action);
                }
                OID index = new OID(oid.getValue(), prefixes[i].size(), oid.size() - prefixes[i].size());
                rows.computeIfAbsent(index, x -> new LinkedHashMap<>()).put(columns.get(i), value);
                cursors[i] = oid;
                progressed = true;
                if (++cells > MAX_CELLS) {
                    throw new MalformedReplyException("Agent " + settings.endpoint() + " returned more than "
                            + MAX_CELLS + " values while " + action + " (a table without end)");
                }
            }
            if (!progressed && active.stream().anyMatch(i -> !done[i])) {
                throw new MalformedReplyException("Agent " + settings.endpoint() + " answered a GETBULK with no usable "
                        + "value (" + bindings.size() + " bindings) while " + action);
            }
        }
    }

    /**
     * SETs {@code bindings} in one request. Not retried: a SET that was applied but whose answer
     * was lost must not be applied twice.
     *
     * @param what what the caller is doing, for messages: {@code "creating volume 'v1'"}
     * @return the agent's answer; the caller explains a non-zero error status, which depends on the operation
     */
    PDU set(List<VariableBinding> bindings, String what) {
        PDU pdu = newPdu(PDU.SET);
        bindings.forEach(pdu::add);
        PDU response = send(pdu, 0, what);
        if (response.getErrorStatus() == PDU.authorizationError) {
            throw new SnmpUnreachableException(Fault.AUTHENTICATION, "Agent " + settings.endpoint()
                    + " refused access (authorizationError) while " + what + ": check the user's write view");
        }
        return response;
    }

    private PDU newPdu(int type) {
        PDU pdu = settings.version() == SnmpSettings.Version.V3 ? new ScopedPDU() : new PDU();
        pdu.setType(type);
        return pdu;
    }

    private PDU send(PDU pdu, int retries, String what) {
        Target<UdpAddress> target = target(securityLevel(), retries);
        long sentAt = System.nanoTime();
        ResponseEvent<UdpAddress> event;
        try {
            event = snmp.send(pdu, target);
        } catch (IOException e) {
            throw new SnmpUnreachableException(Fault.TRANSPORT, "Cannot send to agent " + settings.endpoint()
                    + " while " + what + ": " + e.getMessage());
        }
        PDU response = event == null ? null : event.getResponse();
        if (response == null) {
            if (event != null && event.getError() != null) {
                // snmp4j refuses locally what USM cannot do (unknown engine, unsupported protocol).
                throw new SnmpUnreachableException(Fault.AUTHENTICATION, "SNMP v3 security failed for agent "
                        + settings.endpoint() + " while " + what + ": " + event.getError().getMessage());
            }
            ReceivedReport report = lastReport;
            if (report != null && report.receivedAt() - sentAt >= 0) {
                throw report(report.counter(), what);
            }
            throw timeout(what);
        }
        if (response.getType() == PDU.REPORT) {
            throw report(response.size() > 0 ? response.get(0).getOid() : new OID(), what);
        }
        return response;
    }

    private SnmpUnreachableException timeout(String what) {
        String waited = "no answer from agent " + settings.endpoint() + " within " + settings.timeout().toMillis()
                + " ms x " + (settings.retries() + 1) + " tries while " + what;
        if (securityLevel() == SecurityLevel.AUTH_PRIV && answersWithoutPrivacy()) {
            return new SnmpUnreachableException(Fault.PRIVACY, "SNMP v3 privacy failure: " + waited
                    + ", but it answers authenticated unencrypted requests: check " + SnmpSettings.PRIV_PROTOCOL
                    + " and " + SnmpSettings.PRIV_KEY);
        }
        return new SnmpUnreachableException(Fault.TIMEOUT, "SNMP timeout: " + waited
                + (settings.version() == SnmpSettings.Version.V2C ? " (a wrong community also goes unanswered)" : ""));
    }

    /**
     * Agents such as net-snmp drop a request they cannot decrypt without a report, which looks like
     * a timeout. One unencrypted, authenticated GET tells the two apart: an agent that answers it
     * (even with an access error) is alive and has our auth key, so the privacy settings are wrong.
     */
    private boolean answersWithoutPrivacy() {
        PDU pdu = newPdu(PDU.GET);
        pdu.add(new VariableBinding(SYS_UP_TIME));
        try {
            ResponseEvent<UdpAddress> event = snmp.send(pdu, target(SecurityLevel.AUTH_NOPRIV, 0));
            PDU response = event == null ? null : event.getResponse();
            return response != null && response.getType() != PDU.REPORT;
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private SnmpUnreachableException report(OID counter, String what) {
        String prefix = "Agent " + settings.endpoint() + " sent a USM report while " + what + ": ";
        if (counter.startsWith(USM_STATS) && counter.size() > USM_STATS.size()) {
            switch (counter.get(USM_STATS.size())) {
                case 1:
                    return new SnmpUnreachableException(Fault.PRIVACY, prefix + "unsupported security level "
                            + "(usmStatsUnsupportedSecLevels): the user has no privacy key on the agent, or needs one");
                case 2:
                    return new SnmpUnreachableException(Fault.AUTHENTICATION, prefix
                            + "not in time window (usmStatsNotInTimeWindows)");
                case 3:
                    return new SnmpUnreachableException(Fault.AUTHENTICATION, prefix + "unknown user '"
                            + settings.user().orElse("") + "' (usmStatsUnknownUserNames)");
                case 4:
                    return new SnmpUnreachableException(Fault.AUTHENTICATION, prefix
                            + "unknown engine ID (usmStatsUnknownEngineIDs)");
                case 5:
                    return new SnmpUnreachableException(Fault.AUTHENTICATION, prefix + "wrong digest "
                            + "(usmStatsWrongDigests): check " + SnmpSettings.AUTH_PROTOCOL + " and "
                            + SnmpSettings.AUTH_KEY);
                case 6:
                    return new SnmpUnreachableException(Fault.PRIVACY, prefix + "decryption error "
                            + "(usmStatsDecryptionErrors): check " + SnmpSettings.PRIV_PROTOCOL + " and "
                            + SnmpSettings.PRIV_KEY);
                default:
                    break;
            }
        }
        return new SnmpUnreachableException(Fault.AUTHENTICATION, prefix + counter);
    }

    private void requireNoErrorStatus(PDU response, String what) {
        int status = response.getErrorStatus();
        if (status == PDU.noError) {
            return;
        }
        if (status == PDU.authorizationError || status == PDU.noAccess) {
            throw new SnmpUnreachableException(Fault.AUTHENTICATION, "Agent " + settings.endpoint()
                    + " refused access (" + response.getErrorStatusText() + ") while " + what
                    + ": check the user's or community's view");
        }
        throw new MalformedReplyException("Agent " + settings.endpoint() + " answered error status "
                + response.getErrorStatusText() + " (" + status + ") at index " + response.getErrorIndex()
                + " while " + what);
    }

    private int securityLevel() {
        if (settings.version() == SnmpSettings.Version.V2C) {
            return SecurityLevel.NOAUTH_NOPRIV;
        }
        return settings.privProtocol() == PrivProtocol.NONE ? SecurityLevel.AUTH_NOPRIV : SecurityLevel.AUTH_PRIV;
    }

    private Target<UdpAddress> target(int securityLevel, int retries) {
        Target<UdpAddress> target;
        if (settings.version() == SnmpSettings.Version.V2C) {
            CommunityTarget<UdpAddress> community = new CommunityTarget<>();
            community.setCommunity(new OctetString(settings.community().orElseThrow()));
            community.setVersion(SnmpConstants.version2c);
            target = community;
        } else {
            UserTarget<UdpAddress> user = new UserTarget<>();
            user.setSecurityName(new OctetString(settings.user().orElseThrow()));
            user.setSecurityModel(SecurityModel.SECURITY_MODEL_USM);
            user.setSecurityLevel(securityLevel);
            user.setVersion(SnmpConstants.version3);
            target = user;
        }
        target.setAddress(address());
        target.setTimeout(settings.timeout().toMillis());
        target.setRetries(retries);
        return target;
    }

    private UdpAddress address() {
        UdpAddress known = address;
        if (known != null) {
            return known;
        }
        try {
            // Resolved on first use, not at open: a backend must open while its DNS is down.
            known = new UdpAddress(InetAddress.getByName(settings.host()), settings.port());
        } catch (UnknownHostException e) {
            throw new SnmpUnreachableException(Fault.TRANSPORT, "Cannot resolve " + SnmpSettings.HOST + " '"
                    + settings.host() + "'");
        }
        address = known;
        return known;
    }

    /** Closes the socket; idempotent. */
    @Override
    public void close() {
        try {
            snmp.close();
        } catch (IOException e) {
            // Nothing useful to do: the socket is gone either way.
        }
    }
}
