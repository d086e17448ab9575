package io.cinderblock.tck.runner;

import io.cinderblock.sdk.spi.SpiVersion;
import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The versions printed in every report: the kit's, and the SDK's it runs on. */
final class Versions {
    private Versions() {}

    static String tck() {
        return property(Versions.class, "/META-INF/cinderblock-tck.properties", "tck.version");
    }

    /** The commit the kit was built from (40 hex digits), or {@code unknown} outside a git checkout. */
    static String commit() {
        // Written at build time by `git rev-parse HEAD` (see the pom); anything else there means no checkout.
        try (InputStream in = Versions.class.getResourceAsStream("/META-INF/cinderblock-tck-commit.txt")) {
            String commit = in == null ? "" : new String(in.readNBytes(200), java.nio.charset.StandardCharsets.UTF_8)
                    .strip();
            return commit.matches("[0-9a-f]{40}") ? commit : "unknown";
        } catch (IOException e) {
            return "unknown";
        }
    }

    static String sdk() {
        return property(SpiVersion.class, "/META-INF/maven/io.cinderblock/sdk-api/pom.properties", "version");
    }

    static String spi() {
        return SpiVersion.CURRENT.toString();
    }

    private static String property(Class<?> anchor, String resource, String key) {
        try (InputStream in = anchor.getResourceAsStream(resource)) {
            if (in == null) {
                return "unknown";
            }
            Properties properties = new Properties();
            properties.load(in);
            return properties.getProperty(key, "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }
}
