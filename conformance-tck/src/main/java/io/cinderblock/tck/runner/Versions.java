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
