package io.cinderblock.driver.snmp;

import static java.util.Objects.requireNonNull;

import io.cinderblock.sdk.error.InvalidConfigException;
import io.cinderblock.sdk.spi.DriverConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import org.snmp4j.CommandResponder;
import org.snmp4j.CommandResponderEvent;
import org.snmp4j.MessageDispatcherImpl;
import org.snmp4j.PDU;
import org.snmp4j.Snmp;
import org.snmp4j.mp.CounterSupport;
import org.snmp4j.mp.MPv2c;
import org.snmp4j.mp.MPv3;
import org.snmp4j.mp.StatusInformation;
import org.snmp4j.security.AuthenticationProtocol;
import org.snmp4j.security.PrivacyProtocol;
import org.snmp4j.security.SecurityLevel;
import org.snmp4j.security.SecurityModel;
import org.snmp4j.security.SecurityModels;
import org.snmp4j.security.SecurityProtocols;
import org.snmp4j.security.USM;
import org.snmp4j.security.UsmUser;
import org.snmp4j.smi.Address;
import org.snmp4j.smi.IpAddress;
import org.snmp4j.smi.OID;
import org.snmp4j.smi.OctetString;
import org.snmp4j.smi.UdpAddress;
import org.snmp4j.smi.VariableBinding;
import org.snmp4j.transport.DefaultUdpTransportMapping;
import org.snmp4j.util.DefaultPDUFactory;

/**
 * Listens for the agent's SNMP notifications (v2c/v3 traps and informs) on a UDP port and hands
 * each authenticated one that comes from the agent's own address to a handler, with its {@code
 * snmpTrapOID.0}. Informs are acknowledged. Everything else (another sender, a wrong community,
 * a v3 message below the configured security level or for another user) is dropped and counted:
 * a notification is a hint to look at the device, so a forged one must not turn a backend DOWN.
 *
 * <p>v3 notifications are authenticated with the backend's own USM user. Traps carry the
 * sender's engine ID; the user is kept unlocalised so that snmp4j localises its keys for whichever
 * engine the agent has (informs use this receiver's engine ID, found by discovery).
 */
final class NotificationReceiver implements AutoCloseable {
    static final String PORT = "snmp_notification_port";
    static final String ADDRESS = "snmp_notification_address";
    /** snmpTrapOID.0: the varbind that names a v2c/v3 notification. */
    static final OID SNMP_TRAP_OID = new OID("1.3.6.1.6.3.1.1.4.1.0");

    private final Snmp snmp;
    private final UdpAddress listening;
    private final AtomicLong dropped = new AtomicLong();

    private NotificationReceiver(Snmp snmp, UdpAddress listening) {
        this.snmp = snmp;
        this.listening = listening;
    }

    /**
     * Where to listen, from the backend's configuration; empty when {@value #PORT} is 0 (the
     * default: no notifications, polling only).
     *
     * @throws InvalidConfigException naming {@value #ADDRESS} when it is not an address of this host
     */
    static Optional<UdpAddress> listenAddress(DriverConfig config) {
        int port = (int) config.integer(PORT, 0, 65535);
        if (port == 0) {
            return Optional.empty();
        }
        String host = config.string(ADDRESS).strip();
        try {
            return Optional.of(new UdpAddress(InetAddress.getByName(host), port));
        } catch (UnknownHostException e) {
            throw new InvalidConfigException(ADDRESS, "Option '" + ADDRESS + "' is not an address: '" + host + "'");
        }
    }

    /**
     * Binds the port and starts listening.
     *
     * @param handler called on snmp4j's listener thread with the notification OID and a short
     *     description of the notification (its sender and varbinds, never a credential)
     * @throws IOException when the port cannot be bound
     */
    static NotificationReceiver start(SnmpSettings settings, UdpAddress address, BiConsumer<OID, String> handler)
            throws IOException {
        requireNonNull(handler, "handler is null");
        Set<InetAddress> agentAddresses = Set.of(InetAddress.getAllByName(settings.host()));
        MessageDispatcherImpl dispatcher = new MessageDispatcherImpl();
        dispatcher.addMessageProcessingModel(new MPv2c());
        if (settings.version() == SnmpSettings.Version.V3) {
            SecurityProtocols protocols = new SecurityProtocols(SecurityProtocols.SecurityProtocolSet.defaultSecurity);
            AuthenticationProtocol auth = settings.authProtocol().create();
            protocols.addAuthenticationProtocol(auth);
            Optional<PrivacyProtocol> priv = settings.privProtocol().create();
            priv.ifPresent(protocols::addPrivacyProtocol);
            byte[] engineId = MPv3.createLocalEngineID();
            USM usm = new USM(protocols, new OctetString(engineId), 0);
            usm.addUser(new UsmUser(new OctetString(settings.user().orElseThrow()), auth.getID(),
                    new OctetString(settings.authKey().orElseThrow()), priv.map(PrivacyProtocol::getID).orElse(null),
                    settings.privKey().map(OctetString::new).orElse(null)));
            SecurityModels models = new SecurityModels();
            models.addSecurityModel(usm);
            dispatcher.addMessageProcessingModel(new MPv3(engineId, new DefaultPDUFactory(), protocols, models,
                    new CounterSupport()));
        }
        DefaultUdpTransportMapping transport = new DefaultUdpTransportMapping(address, false); // no SO_REUSEADDR: a port in use must fail
        Snmp snmp = new Snmp(dispatcher, transport);
        NotificationReceiver receiver = new NotificationReceiver(snmp, address);
        snmp.addCommandResponder(new Responder(receiver, settings, agentAddresses, handler));
        try {
            snmp.listen();
        } catch (IOException e) {
            snmp.close();
            throw e;
        }
        return receiver;
    }

    /** The address this receiver listens on (with the port the system chose, if 0 was asked for). */
    UdpAddress listening() {
        return listening;
    }

    /** Notifications dropped so far: wrong sender, community, user or security level, or not a notification. */
    long dropped() {
        return dropped.get();
    }

    @Override
    public void close() {
        try {
            snmp.close();
        } catch (IOException e) {
            // Closing a UDP socket fails only if it is closed already.
        }
    }

    private static final class Responder implements CommandResponder {
        private final NotificationReceiver receiver;
        private final SnmpSettings settings;
        private final Set<InetAddress> agentAddresses;
        private final BiConsumer<OID, String> handler;

        Responder(NotificationReceiver receiver, SnmpSettings settings, Set<InetAddress> agentAddresses,
                BiConsumer<OID, String> handler) {
            this.receiver = receiver;
            this.settings = settings;
            this.agentAddresses = agentAddresses;
            this.handler = handler;
        }

        @Override
        public <A extends Address> void processPdu(CommandResponderEvent<A> event) {
            PDU pdu = event.getPDU();
            if (pdu == null || (pdu.getType() != PDU.TRAP && pdu.getType() != PDU.INFORM) || !fromAgent(event)
                    || !authenticated(event)) {
                receiver.dropped.incrementAndGet();
                return;
            }
            event.setProcessed(true);
            if (pdu.getType() == PDU.INFORM) {
                acknowledge(event, pdu);
            }
            OID notification = null;
            StringBuilder description = new StringBuilder();
            for (VariableBinding binding : pdu.getVariableBindings()) {
                if (SNMP_TRAP_OID.equals(binding.getOid()) && binding.getVariable() instanceof OID) {
                    notification = (OID) binding.getVariable();
                } else if (description.length() < 200) {
                    description.append(description.length() == 0 ? "" : ", ").append(binding);
                }
            }
            if (notification == null) {
                receiver.dropped.incrementAndGet();
                return;
            }
            handler.accept(notification, description.length() > 200 ? description.substring(0, 200) + "..."
                    : description.toString());
        }

        private boolean fromAgent(CommandResponderEvent<?> event) {
            return event.getPeerAddress() instanceof IpAddress
                    && agentAddresses.contains(((IpAddress) event.getPeerAddress()).getInetAddress());
        }

        private boolean authenticated(CommandResponderEvent<?> event) {
            if (settings.version() == SnmpSettings.Version.V2C) {
                // A v1 trap has no snmpTrapOID; v2c only, with the backend's community (compared in constant time).
                return event.getMessageProcessingModel() == org.snmp4j.mp.MessageProcessingModel.MPv2c
                        && MessageDigest.isEqual(event.getSecurityName(),
                                settings.community().orElse("").getBytes(StandardCharsets.UTF_8));
            }
            int required = settings.privKey().isPresent() ? SecurityLevel.AUTH_PRIV : SecurityLevel.AUTH_NOPRIV;
            return event.getSecurityModel() == SecurityModel.SECURITY_MODEL_USM
                    && event.getSecurityLevel() >= required
                    && new OctetString(event.getSecurityName()).toString().equals(settings.user().orElse(""));
        }

        private static void acknowledge(CommandResponderEvent<?> event, PDU inform) {
            PDU response = (PDU) inform.clone();
            response.setType(PDU.RESPONSE);
            response.setErrorStatus(PDU.noError);
            response.setErrorIndex(0);
            try {
                event.getMessageDispatcher().returnResponsePdu(event.getMessageProcessingModel(),
                        event.getSecurityModel(), event.getSecurityName(), event.getSecurityLevel(), response,
                        event.getMaxSizeResponsePDU(), event.getStateReference(), new StatusInformation());
            } catch (org.snmp4j.MessageException e) {
                // The agent resends an unacknowledged inform; nothing else to do.
            }
        }
    }
}
