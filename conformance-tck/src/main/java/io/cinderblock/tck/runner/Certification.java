package io.cinderblock.tck.runner;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The runner's certification commands: {@code verify REPORT [--public-key PEM] [--driver-jar JAR...]},
 * {@code sign REPORT --key KEY}, {@code keygen NAME}.
 */
final class Certification {
    private Certification() {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        try {
            switch (args[0]) {
                case "verify":
                    return verify(args, out, err);
                case "sign":
                    return sign(args, out);
                default:
                    return keygen(args, out);
            }
        } catch (TckMain.UsageException | ReportSignature.KeyException e) {
            err.println("error: " + e.getMessage());
            return TckMain.EXIT_USAGE;
        } catch (IOException | GeneralSecurityException e) {
            err.println("error: " + e);
            return TckMain.EXIT_USAGE;
        }
    }

    private static int verify(String[] args, PrintStream out, PrintStream err) throws IOException {
        Path report = null;
        Optional<Path> publicKey = Optional.empty();
        List<Path> jars = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            switch (args[i]) {
                case "--public-key":
                    publicKey = Optional.of(Path.of(value(args, ++i, "--public-key")));
                    break;
                case "--driver-jar":
                    jars.add(Path.of(value(args, ++i, "--driver-jar")));
                    break;
                default:
                    if (args[i].startsWith("--") || report != null) {
                        throw new TckMain.UsageException("Unknown argument '" + args[i] + "' of verify; usage: verify"
                                + " REPORT [--public-key PEM] [--driver-jar JAR ...]");
                    }
                    report = Path.of(args[i]);
            }
        }
        if (report == null) {
            throw new TckMain.UsageException("verify needs the report: verify REPORT [--public-key PEM] [--driver-jar JAR ...]");
        }
        if (!Files.isRegularFile(report)) {
            throw new TckMain.UsageException("Report " + report + " does not exist");
        }
        List<String> notes = new ArrayList<>();
        List<String> problems = ReportSignature.verify(Files.readString(report, StandardCharsets.UTF_8), publicKey,
                jars, notes);
        notes.forEach(n -> out.println("ok: " + n));
        if (!problems.isEmpty()) {
            problems.forEach(p -> err.println("MISMATCH: " + p));
            err.println(report + " does NOT verify");
            return TckMain.EXIT_FAILED;
        }
        out.println(report + " verifies");
        return TckMain.EXIT_PASSED;
    }

    private static int sign(String[] args, PrintStream out) throws IOException {
        if (args.length != 4 || !args[2].equals("--key")) {
            throw new TckMain.UsageException("usage: sign REPORT --key KEY");
        }
        Path report = Path.of(args[1]);
        if (!Files.isRegularFile(report)) {
            throw new TckMain.UsageException("Report " + report + " does not exist");
        }
        String signed = ReportSignature.sign(Files.readString(report, StandardCharsets.UTF_8), Path.of(args[3]));
        Files.writeString(report, signed, StandardCharsets.UTF_8);
        out.println("signed " + report);
        return TckMain.EXIT_PASSED;
    }

    private static int keygen(String[] args, PrintStream out) throws IOException, GeneralSecurityException {
        if (args.length != 2 || args[1].startsWith("--")) {
            throw new TckMain.UsageException("usage: keygen NAME (writes NAME.pem, keep it private, and NAME.pub.pem, publish it)");
        }
        Path privateKey = Path.of(args[1] + ".pem");
        Path publicKey = Path.of(args[1] + ".pub.pem");
        ReportSignature.keygen(privateKey, publicKey);
        out.println("wrote " + privateKey + " (private: sign with --sign " + privateKey + ") and " + publicKey
                + " (publish it: verify --public-key " + publicKey + ")");
        return TckMain.EXIT_PASSED;
    }

    private static String value(String[] args, int index, String flag) {
        if (index >= args.length || args[index].startsWith("--")) {
            throw new TckMain.UsageException(flag + " needs a value");
        }
        return args[index];
    }
}
