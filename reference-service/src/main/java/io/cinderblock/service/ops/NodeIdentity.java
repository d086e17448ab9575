package io.cinderblock.service.ops;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;
import java.util.Properties;

/**
 * What a process is, for operators: the machine it runs on, its role ({@code all}, {@code agent} or
 * {@code api}) and the service's version. Agents store theirs with their host claim, so every API
 * node's status page can say which node serves a backend.
 *
 * @param node the machine's host name
 * @param role {@code all}, {@code agent} or {@code api}
 * @param version the service's version
 */
public record NodeIdentity(String node, String role, String version) {
    /** Where Maven puts the artifact's version in the jar (kept by the shaded jar and the distribution). */
    private static final String POM_PROPERTIES = "/META-INF/maven/io.cinderblock/reference-service/pom.properties";
    /** Run from a classes directory (tests, an IDE), no jar carries a version. */
    static final String UNPACKAGED = "unpackaged build";

    public NodeIdentity {
        requireNonNull(node, "node is null");
        requireNonNull(role, "role is null");
        requireNonNull(version, "version is null");
    }

    /** This process in {@code role}. */
    public static NodeIdentity local(String role) {
        return new NodeIdentity(localNode(), role, serviceVersion());
    }

    /** The machine's host name, or {@code unknown} when it cannot be resolved. */
    public static String localNode() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "unknown";
        }
    }

    /**
     * The service's version: the jar's Maven properties, else its manifest's
     * {@code Implementation-Version}, else {@value #UNPACKAGED}.
     */
    public static String serviceVersion() {
        try (InputStream in = NodeIdentity.class.getResourceAsStream(POM_PROPERTIES)) {
            if (in != null) {
                Properties properties = new Properties();
                properties.load(in);
                String value = properties.getProperty("version");
                if (value != null && !value.isBlank()) {
                    return value.strip();
                }
            }
        } catch (IOException e) {
            // fall through to the manifest
        }
        return Optional.ofNullable(NodeIdentity.class.getPackage().getImplementationVersion()).orElse(UNPACKAGED);
    }
}
