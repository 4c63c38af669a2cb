package taurusdb;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The built emulator (TAURUSDB_EMULATOR_BIN) on a port the OS picks, in strict auth, with
 * backups that finish only when a test says so (--lifecycle manual).
 */
final class Emulator implements AutoCloseable {
    static final String PROJECT = "0123456789abcdef0123456789abcdef";
    static final String INSTANCE = PROJECT + "in07";
    static final String AK = "TESTAK0000000000";
    static final String SK = "testsecret";

    private static final String FIXTURES = """
        {"projects": [{"id": "%s", "name": "eu-de",
          "credentials": [{"ak": "%s", "sk": "%s"}],
          "instances": [{"id": "%s", "name": "taurusdb-instance01"}]}]}
        """.formatted(PROJECT, AK, SK, INSTANCE);

    final String base;
    /** Trusts the emulator's CA and nothing else; null over plain HTTP. */
    final SSLContext ssl;
    final X509TrustManager trust;
    private final Process process;
    private final HttpClient http;

    /** With the test fixtures above. */
    Emulator(Path dir, boolean tls) throws Exception {
        this(dir, tls, true);
    }

    /** With the test fixtures above, or the built-in ones. */
    Emulator(Path dir, boolean tls, boolean testFixtures) throws Exception {
        String binary = System.getenv("TAURUSDB_EMULATOR_BIN");
        if (binary == null || binary.isEmpty()) {
            throw new IllegalStateException("TAURUSDB_EMULATOR_BIN is not set: scripts/test sets it");
        }
        Path fixtures = dir.resolve("fixtures.json");
        Files.writeString(fixtures, FIXTURES);
        Path ca = dir.resolve("ca.pem");
        List<String> command = new ArrayList<>(List.of(binary, "--port", "0",
            "--auth", "strict", "--lifecycle", "manual", "--automated-backups", "false"));
        if (testFixtures) {
            command.addAll(List.of("--fixtures", fixtures.toString()));
        }
        if (tls) {
            command.addAll(List.of("--tls", "--tls-ca-out", ca.toString()));
        }
        process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String line = firstLine(process.getInputStream());
        String prefix = "taurusdb-emulator listening on ";
        if (line == null || !line.startsWith(prefix)) {
            process.destroyForcibly();
            throw new IllegalStateException("the emulator did not start: " + line);
        }
        base = line.substring(prefix.length()).trim();
        if (tls) {
            KeyStore roots = KeyStore.getInstance(KeyStore.getDefaultType());
            roots.load(null, null);
            try (InputStream pem = Files.newInputStream(ca)) {
                roots.setCertificateEntry("emulator", CertificateFactory.getInstance("X.509").generateCertificate(pem));
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(roots);
            trust = (X509TrustManager) factory.getTrustManagers()[0];
            ssl = SSLContext.getInstance("TLS");
            ssl.init(null, factory.getTrustManagers(), null);
        } else {
            trust = null;
            ssl = null;
        }
        HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10));
        http = (ssl == null ? builder : builder.sslContext(ssl)).build();
    }

    private static String firstLine(InputStream stdout) throws Exception {
        BufferedReader reader = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return reader.readLine();
            } catch (Exception e) {
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
    }

    /** POSTs a control command with an empty JSON body and returns the answer's body. */
    String control(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base + path))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{}"))
            .build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(path + ": " + response.statusCode() + " " + response.body());
        }
        return response.body();
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
