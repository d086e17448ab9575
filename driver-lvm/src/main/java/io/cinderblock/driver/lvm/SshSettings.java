package io.cinderblock.driver.lvm;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * How to reach the LVM host over SSH.
 *
 * @param host address or name
 * @param port TCP port
 * @param user login name
 * @param privateKey the private key file (key authentication only)
 * @param passphrase the key's passphrase, if it has one; a secret
 * @param knownHosts the known-hosts file; present when {@code strictHostKeyChecking}
 * @param strictHostKeyChecking refuse unknown and changed host keys
 * @param connectTimeout bound on TCP connect plus the SSH handshake and authentication
 * @param readTimeout socket read timeout and keep-alive interval of an open session
 * @param sudo prefix commands with {@code sudo -n}
 */
record SshSettings(
        String host,
        int port,
        String user,
        Path privateKey,
        Optional<String> passphrase,
        Optional<Path> knownHosts,
        boolean strictHostKeyChecking,
        Duration connectTimeout,
        Duration readTimeout,
        boolean sudo) {

    SshSettings {
        requireNonNull(host, "host is null");
        requireNonNull(user, "user is null");
        requireNonNull(privateKey, "privateKey is null");
        requireNonNull(passphrase, "passphrase is null");
        requireNonNull(knownHosts, "knownHosts is null");
        requireNonNull(connectTimeout, "connectTimeout is null");
        requireNonNull(readTimeout, "readTimeout is null");
        if (strictHostKeyChecking && knownHosts.isEmpty()) {
            throw new IllegalArgumentException("strict host key checking needs a known-hosts file");
        }
    }

    /** {@code host:port}, as shown in messages. */
    String address() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    @Override
    public String toString() {
        // The record's generated toString would print the passphrase.
        return "SshSettings[" + user + "@" + address() + ", key=" + privateKey + ", strict=" + strictHostKeyChecking + "]";
    }
}
