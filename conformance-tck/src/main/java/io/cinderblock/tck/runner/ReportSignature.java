package io.cinderblock.tck.runner;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Ed25519 signatures of {@code tck-report.json}, with the JDK's {@code java.security} only.
 *
 * <p>The signature is the report's last field, {@code "signature": {"algorithm": "Ed25519",
 * "public_key": BASE64, "value": BASE64}}; it signs the UTF-8 bytes of the report as written with
 * {@code "signature": null} in its place. Keys are PEM files: the private key PKCS#8 ({@code BEGIN
 * PRIVATE KEY}) followed in the same file by its public key X.509 ({@code BEGIN PUBLIC KEY}), as
 * {@code keygen} writes them or as {@code openssl genpkey -algorithm ed25519 -out k.pem && openssl
 * pkey -in k.pem -pubout >> k.pem} does.
 */
final class ReportSignature {
    private static final String ALGORITHM = "Ed25519";
    private static final Pattern PEM = Pattern.compile(
            "-----BEGIN (PRIVATE|PUBLIC) KEY-----\\s*([A-Za-z0-9+/=\\s]+?)\\s*-----END \\1 KEY-----");
    private static final Pattern SIGNED_TAIL = Pattern.compile(
            "\n  \"signature\": \\{\"algorithm\": \"Ed25519\", \"public_key\": \"([A-Za-z0-9+/=]+)\", "
                    + "\"value\": \"([A-Za-z0-9+/=]+)\"\\}\n\\}\n?$");
    private static final Pattern ARTIFACT = Pattern.compile(
            "\\{\"name\": \"((?:[^\"\\\\]|\\\\.)*)\", \"kind\": \"(jar|directory)\", \"sha256\": \"([0-9a-f]{64})\"\\}");

    private ReportSignature() {}

    /** A key file that cannot be used; the runner turns it into a usage error. */
    static final class KeyException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        KeyException(String message) {
            super(message);
        }
    }

    /** Writes a new key pair: {@code privateFile} (private and public key) and {@code publicFile} (public key only). */
    static void keygen(Path privateFile, Path publicFile) throws IOException, GeneralSecurityException {
        if (Files.exists(privateFile)) {
            throw new KeyException(privateFile + " exists; keygen never overwrites a key");
        }
        KeyPair pair = KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        String publicPem = pem("PUBLIC", pair.getPublic().getEncoded());
        Files.writeString(privateFile, pem("PRIVATE", pair.getPrivate().getEncoded()) + publicPem,
                StandardCharsets.US_ASCII);
        try {
            Files.setPosixFilePermissions(privateFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the vendor protects the file as that system does
        }
        Files.writeString(publicFile, publicPem, StandardCharsets.US_ASCII);
    }

    /** Signs an unsigned report text (as {@link JsonReport#render} writes it). */
    static String sign(String unsignedReport, Path keyFile) throws IOException {
        if (!unsignedReport.endsWith(JsonReport.UNSIGNED)) {
            throw new KeyException("the report is already signed or is not a tck-report.json");
        }
        Map<String, byte[]> blocks = pemBlocks(keyFile);
        if (!blocks.containsKey("PRIVATE")) {
            throw new KeyException(keyFile + " holds no PEM 'PRIVATE KEY' block (an Ed25519 PKCS#8 key)");
        }
        if (!blocks.containsKey("PUBLIC")) {
            throw new KeyException(keyFile + " holds no PEM 'PUBLIC KEY' block after its private key; add it with"
                    + " 'openssl pkey -in KEY -pubout >> KEY' (the report carries the public key)");
        }
        try {
            KeyFactory keys = KeyFactory.getInstance(ALGORITHM);
            PrivateKey privateKey = keys.generatePrivate(new PKCS8EncodedKeySpec(blocks.get("PRIVATE")));
            PublicKey publicKey = keys.generatePublic(new X509EncodedKeySpec(blocks.get("PUBLIC")));
            byte[] payload = unsignedReport.getBytes(StandardCharsets.UTF_8);
            Signature signer = Signature.getInstance(ALGORITHM);
            signer.initSign(privateKey);
            signer.update(payload);
            byte[] value = signer.sign();
            if (!verifies(publicKey, payload, value)) {
                throw new KeyException("the public key in " + keyFile + " does not belong to its private key");
            }
            String head = unsignedReport.substring(0, unsignedReport.length() - JsonReport.UNSIGNED.length());
            return head + "  \"signature\": {\"algorithm\": \"Ed25519\", \"public_key\": \""
                    + Base64.getEncoder().encodeToString(publicKey.getEncoded()) + "\", \"value\": \""
                    + Base64.getEncoder().encodeToString(value) + "\"}\n}\n";
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new KeyException(keyFile + " is not an Ed25519 key pair in PEM: " + e.getMessage());
        }
    }

    /**
     * Checks a report: its signature (against {@code publicKeyFile} if given, else the key it carries)
     * and the digests of {@code jars} against the jars it records.
     *
     * @return what does not match, one line each; empty when the report verifies. {@code notes}
     *     receives what was checked.
     */
    static List<String> verify(String report, Optional<Path> publicKeyFile, List<Path> jars, List<String> notes)
            throws IOException {
        List<String> problems = new ArrayList<>();
        Matcher tail = SIGNED_TAIL.matcher(report);
        if (!tail.find()) {
            problems.add(report.endsWith(JsonReport.UNSIGNED)
                    ? "the report is not signed (run the kit with --sign KEY, or sign it with the 'sign' command)"
                    : "the report has no Ed25519 signature as its last field (not a signed tck-report.json,"
                            + " or its signature was edited)");
            return problems;
        }
        byte[] embedded = Base64.getDecoder().decode(tail.group(1));
        byte[] value = Base64.getDecoder().decode(tail.group(2));
        String unsigned = report.substring(0, tail.start()) + "\n" + JsonReport.UNSIGNED;
        byte[] payload = unsigned.getBytes(StandardCharsets.UTF_8);
        try {
            KeyFactory keys = KeyFactory.getInstance(ALGORITHM);
            PublicKey reportKey = keys.generatePublic(new X509EncodedKeySpec(embedded));
            if (publicKeyFile.isPresent()) {
                Map<String, byte[]> blocks = pemBlocks(publicKeyFile.get());
                byte[] expected = blocks.get("PUBLIC");
                if (expected == null) {
                    throw new KeyException(publicKeyFile.get() + " holds no PEM 'PUBLIC KEY' block");
                }
                PublicKey trusted = keys.generatePublic(new X509EncodedKeySpec(expected));
                if (!MessageDigest.isEqual(expected, embedded)) {
                    problems.add("the report was signed with another key (fingerprint " + fingerprint(embedded)
                            + ") than " + publicKeyFile.get() + " (fingerprint " + fingerprint(expected) + ")");
                }
                if (!verifies(trusted, payload, value)) {
                    problems.add("the signature does not verify with the public key in " + publicKeyFile.get());
                } else {
                    notes.add("signature verified with " + publicKeyFile.get() + " (fingerprint "
                            + fingerprint(expected) + ")");
                }
            } else if (verifies(reportKey, payload, value)) {
                notes.add("signature verified with the public key the report carries (fingerprint "
                        + fingerprint(embedded) + "); pass --public-key with the vendor's published key to check"
                        + " who signed it");
            }
            if (!verifies(reportKey, payload, value)) {
                problems.add("the signature does not match the report's content: the report was changed after it"
                        + " was signed");
            }
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            problems.add("the report's public key or signature is malformed: " + e.getMessage());
        }
        Map<String, String> recorded = new LinkedHashMap<>();
        Matcher artifact = ARTIFACT.matcher(report);
        while (artifact.find()) {
            recorded.put(artifact.group(1), artifact.group(3));
        }
        for (Path jar : jars) {
            if (!Files.exists(jar)) {
                throw new KeyException("--driver-jar " + jar + " does not exist");
            }
            DriverArtifact actual = DriverArtifact.of(jar);
            String expected = recorded.get(actual.name());
            if (expected != null && expected.equals(actual.sha256())) {
                notes.add(jar + ": SHA-256 " + actual.sha256() + " matches the report");
            } else if (expected != null) {
                problems.add(jar + " has SHA-256 " + actual.sha256() + " but the report records " + expected
                        + " for " + actual.name() + ": not the jar that was certified");
            } else if (recorded.containsValue(actual.sha256())) {
                notes.add(jar + ": SHA-256 " + actual.sha256() + " matches a jar of the report under another name");
            } else {
                problems.add(jar + " (SHA-256 " + actual.sha256() + ") is not among the jars the report records: "
                        + recorded.keySet());
            }
        }
        if (jars.isEmpty()) {
            notes.add("jar digests not checked (no --driver-jar); the report records " + recorded.keySet());
        }
        return problems;
    }

    private static boolean verifies(PublicKey key, byte[] payload, byte[] value) throws GeneralSecurityException {
        Signature verifier = Signature.getInstance(ALGORITHM);
        verifier.initVerify(key);
        verifier.update(payload);
        try {
            return verifier.verify(value);
        } catch (java.security.SignatureException e) {
            return false;
        }
    }

    /** The first 16 bytes of the SHA-256 of a public key's X.509 encoding, in hex. */
    static String fingerprint(byte[] encodedPublicKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(encodedPublicKey);
            return HexFormat.ofDelimiter(":").formatHex(digest, 0, 16);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static Map<String, byte[]> pemBlocks(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new KeyException("key file " + file + " does not exist");
        }
        Map<String, byte[]> blocks = new LinkedHashMap<>();
        Matcher m = PEM.matcher(Files.readString(file, StandardCharsets.US_ASCII));
        while (m.find()) {
            try {
                blocks.putIfAbsent(m.group(1), Base64.getMimeDecoder().decode(m.group(2)));
            } catch (IllegalArgumentException e) {
                throw new KeyException(file + ": the PEM " + m.group(1) + " KEY block is not Base64");
            }
        }
        return blocks;
    }

    private static String pem(String kind, byte[] der) {
        return "-----BEGIN " + kind + " KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der) + "\n-----END " + kind + " KEY-----\n";
    }
}
