package io.github.taurusdbemulator.junit;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * A running taurusdb-emulator: one started here ({@link #start}) or one already running
 * elsewhere ({@link #connect}), with the control API as methods and fresh projects on demand.
 * Thread-safe: parallel tests share one.
 */
public final class TaurusDBEmulator implements AutoCloseable {
    private static final String LISTENING = "taurusdb-emulator listening on ";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final String url;
    private final String controlToken;
    private final SSLContext ssl;
    private final X509TrustManager trust;
    private final HttpClient http;
    private final Process process;
    private final Path tempDir;

    private TaurusDBEmulator(String url, String controlToken, Path caFile, Process process, Path tempDir)
            throws Exception {
        this.url = url.replaceAll("/+$", "");
        this.controlToken = controlToken;
        this.process = process;
        this.tempDir = tempDir;
        if (caFile != null) {
            KeyStore roots = KeyStore.getInstance(KeyStore.getDefaultType());
            roots.load(null, null);
            try (InputStream pem = Files.newInputStream(caFile)) {
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
        health();
    }

    /**
     * Starts the binary ({@code binary}, else {@code $TAURUSDB_EMULATOR_BIN}, else
     * {@code taurusdb-emulator} on {@code PATH}) on a free port with these options, and waits
     * until it serves. With {@code --tls} the CA it makes is written to a file this object
     * and its clients trust; a control token goes by its environment.
     */
    public static TaurusDBEmulator start(String binary, List<String> args, String controlToken) throws Exception {
        String command = binary != null && !binary.isEmpty() ? binary : System.getenv("TAURUSDB_EMULATOR_BIN");
        if (command == null || command.isEmpty()) {
            command = "taurusdb-emulator";
        }
        Path dir = Files.createTempDirectory("taurusdb-emulator-");
        List<String> line = new ArrayList<>(List.of(command, "--port", "0"));
        line.addAll(args);
        Path ca = null;
        if (args.contains("--tls")) {
            ca = dir.resolve("ca.pem");
            line.addAll(List.of("--tls-ca-out", ca.toString()));
        }
        ProcessBuilder builder = new ProcessBuilder(line).redirectError(ProcessBuilder.Redirect.DISCARD);
        if (controlToken != null) {
            builder.environment().put("TAURUSDB_EMULATOR_CONTROL_TOKEN", controlToken);
        }
        Process process = builder.start();
        String first = firstLine(process.getInputStream());
        if (first == null || !first.startsWith(LISTENING)) {
            process.destroyForcibly();
            throw new IllegalStateException("the emulator did not start: " + first);
        }
        // Its standard output is drained, so that it never blocks on a full pipe.
        Thread drain = new Thread(() -> {
            try {
                process.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException ignored) {
                // the emulator ended
            }
        });
        drain.setDaemon(true);
        drain.start();
        return new TaurusDBEmulator(first.substring(LISTENING.length()).trim(), controlToken, ca, process, dir);
    }

    /** An emulator already running at {@code url} (not stopped by {@link #close}). */
    public static TaurusDBEmulator connect(String url, String controlToken, Path caFile) throws Exception {
        return new TaurusDBEmulator(url, controlToken, caFile, null, null);
    }

    private static String firstLine(InputStream stdout) throws Exception {
        BufferedReader reader = new BufferedReader(new InputStreamReader(stdout, StandardCharsets.UTF_8));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return reader.readLine();
            } catch (IOException e) {
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
    }

    /** The base URL, http(s)://HOST:PORT. */
    public String url() {
        return url;
    }

    /** Trusts the emulator's CA and nothing else; null over plain HTTP. */
    public SSLContext sslContext() {
        return ssl;
    }

    public X509TrustManager trustManager() {
        return trust;
    }

    /** Stops an emulator started here (SIGTERM, then SIGKILL after 10 s). */
    @Override
    public void close() throws Exception {
        if (process == null) {
            return;
        }
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        try (var files = Files.walk(tempDir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    // -- the control API ----------------------------------------------------------------------

    /** One control request ({@code body} null for none); its JSON answer as maps and lists. */
    public Object control(String method, String path, Object body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url + path)).timeout(Duration.ofMinutes(11));
        if (method.equals("GET")) {
            request.GET();
        } else {
            // A command without a body sends none: a body the emulator does not read would end
            // the kept-alive connection after the answer, and the next call on it would fail.
            HttpRequest.BodyPublisher publisher;
            try {
                publisher = body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body));
            } catch (IOException e) {
                throw new IllegalArgumentException(e);
            }
            request.header("Content-Type", "application/json").method(method, publisher);
        }
        if (controlToken != null) {
            request.header("X-Emulator-Token", controlToken);
        }
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        Object answer = null;
        try {
            answer = response.body().isEmpty() ? null : JSON.readValue(response.body(), Object.class);
        } catch (IOException ignored) {
            // not JSON: said below
        }
        if (response.statusCode() >= 300) {
            if (answer instanceof Map<?, ?> error && error.get("error_code") != null) {
                throw new TaurusDBEmulatorException(response.statusCode(),
                    String.valueOf(error.get("error_code")), String.valueOf(error.get("error_msg")));
            }
            throw new TaurusDBEmulatorException(response.statusCode(), "HTTP." + response.statusCode(), response.body());
        }
        return answer;
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> object(String method, String path, Object body) {
        return (Map<String, Object>) control(method, path, body);
    }

    private static String segment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8);
    }

    private static String project(String projectId) {
        return projectId == null ? "" : "?project_id=" + segment(projectId);
    }

    private static Map<String, Object> reason(String reason) {
        return reason == null ? Map.of() : Map.of("reason", reason);
    }

    public Map<String, Object> health() {
        return object("GET", "/_emulator/health", null);
    }

    /** Every project (or one, for a non-null id) as the API shows it. */
    public Map<String, Object> state(String projectId) {
        return object("GET", "/_emulator/state" + project(projectId), null);
    }

    public Map<String, Object> clock() {
        return object("GET", "/_emulator/clock", null);
    }

    /** Moves the clock forward and applies what falls due; the answer lists the transitions. */
    public Map<String, Object> advance(double seconds) {
        return object("POST", "/_emulator/clock/advance", Map.of("seconds", seconds));
    }

    /** {@code time}, {@code instant}, {@code manual} or {@code reads} (with {@code reads}, ...). */
    public Map<String, Object> setLifecycle(String mode, Map<String, Object> settings) {
        Map<String, Object> body = new LinkedHashMap<>(settings);
        body.put("mode", mode);
        return object("PUT", "/_emulator/lifecycle", body);
    }

    public Map<String, Object> complete(String backupId) {
        return object("POST", "/_emulator/backups/" + segment(backupId) + "/complete", null);
    }

    public Map<String, Object> fail(String backupId, String reason) {
        return object("POST", "/_emulator/backups/" + segment(backupId) + "/fail", reason(reason));
    }

    public Map<String, Object> hold(String backupId) {
        return object("POST", "/_emulator/backups/" + segment(backupId) + "/hold", null);
    }

    /** The backup once it has {@code status}, within {@code timeout} ("30s"); 408 after it. */
    public Map<String, Object> waitFor(String backupId, String status, String timeout) {
        return object("GET", "/_emulator/backups/" + segment(backupId) + "/wait?status=" + segment(status)
            + "&timeout=" + segment(timeout), null);
    }

    public Map<String, Object> completeJob(String jobId) {
        return object("POST", "/_emulator/jobs/" + segment(jobId) + "/complete", null);
    }

    public Map<String, Object> failJob(String jobId, String reason) {
        return object("POST", "/_emulator/jobs/" + segment(jobId) + "/fail", reason(reason));
    }

    public Map<String, Object> holdJob(String jobId) {
        return object("POST", "/_emulator/jobs/" + segment(jobId) + "/hold", null);
    }

    public Map<String, Object> waitForJob(String jobId, String status, String timeout) {
        return object("GET", "/_emulator/jobs/" + segment(jobId) + "/wait?status=" + segment(status)
            + "&timeout=" + segment(timeout), null);
    }

    /**
     * A request fault: the next {@code count} calls of {@code operation} ("create", "*", ...)
     * answer {@code status} with {@code errorCode} and {@code errorMsg}.
     */
    public Map<String, Object> fault(String operation, int count, int status, String errorCode, String errorMsg) {
        return fault(Fault.on(operation).count(count).error(status, errorCode, errorMsg));
    }

    /** Sets a request fault built with {@link Fault}; answers it as the emulator lists it. */
    public Map<String, Object> fault(Fault fault) {
        return object("POST", "/_emulator/faults/requests", fault.body);
    }

    /**
     * A request fault, built: {@code Fault.on("create").after().preset("server-error")}. It strikes
     * requests of its operation ("create", "*", ...), only those of a method, project and instance
     * (as their paths name them) when given: the next {@code count} (default 1; with a rate, every
     * one) or a {@code rate} of them (drawn from the emulator's seeded sequence), before the
     * operation runs or {@code after()} it commits; with a preset ("busy", "DBS.200019", ...,
     * "server-error", "throttled", "backend-unavailable", "backend-timeout") or an error, a
     * connection fault ("reset", "close", "stall", "trickle") or a delay.
     */
    public static final class Fault {
        private final Map<String, Object> body = new LinkedHashMap<>();

        private Fault(String operation) {
            body.put("operation", operation);
        }

        public static Fault on(String operation) {
            return new Fault(operation);
        }

        private Fault with(String key, Object value) {
            body.put(key, value);
            return this;
        }

        public Fault method(String method) { return with("method", method); }

        public Fault project(String projectId) { return with("project_id", projectId); }

        public Fault instance(String instanceId) { return with("instance_id", instanceId); }

        /** Strikes after the operation commits (the default: before it runs). */
        public Fault after() { return with("phase", "after"); }

        public Fault count(int count) { return with("count", count); }

        public Fault rate(double rate) { return with("rate", rate); }

        public Fault preset(String preset) { return with("preset", preset); }

        public Fault error(int status, String errorCode, String errorMsg) {
            return with("status", status).with("error_code", errorCode).with("error_msg", errorMsg);
        }

        /** "reset", "close", "stall" or "trickle". */
        public Fault connection(String connection) { return with("connection", connection); }

        /** A pause before the answer, e.g. "500ms". */
        public Fault delay(String delay) { return with("delay", delay); }

        /** The pause between a trickled answer's bytes, e.g. "5ms". */
        public Fault interval(String interval) { return with("interval", interval); }
    }

    /** The next {@code count} backups (or jobs of {@code operation}) of an instance (null: any) fail. */
    public Map<String, Object> failNext(int count, String operation, String instanceId, String reason) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("count", count);
        if (operation != null) {
            body.put("operation", operation);
        }
        if (instanceId != null) {
            body.put("instance_id", instanceId);
        }
        if (reason != null) {
            body.put("reason", reason);
        }
        return object("POST", "/_emulator/faults/backups", body);
    }

    public Map<String, Object> faults() {
        return object("GET", "/_emulator/faults", null);
    }

    public void clearFaults() {
        control("DELETE", "/_emulator/faults", null);
    }

    /** One project (or, for null, everything) back to the starting fixtures. */
    public void reset(String projectId) {
        control("POST", "/_emulator/reset" + project(projectId), null);
    }

    public Map<String, Object> snapshot(String projectId) {
        return object("GET", "/_emulator/snapshot" + project(projectId), null);
    }

    public void loadFixtures(Map<String, Object> fixtures) {
        control("POST", "/_emulator/fixtures", fixtures);
    }

    public Map<String, Object> requests() {
        return object("GET", "/_emulator/requests", null);
    }

    public void clearRequests() {
        control("DELETE", "/_emulator/requests", null);
    }

    public Map<String, Object> addLogs(String instanceId, List<Map<String, Object>> errorLogs,
            List<Map<String, Object>> slowLogs) {
        return object("POST", "/_emulator/instances/" + segment(instanceId) + "/logs",
            Map.of("error_logs", errorLogs, "slow_logs", slowLogs));
    }

    // -- projects of their own ----------------------------------------------------------------

    /**
     * A fresh project with random ids and credentials and one ACTIVE instance (of the built-in
     * instance's id, so code written for it keeps its id). Other projects never see it.
     */
    public TaurusDBProject newProject() {
        String id = hex(16);
        TaurusDBProject p = new TaurusDBProject(this, id, "07033b125fd94a8a96896f8bcfee6ddain07",
            "token-" + hex(16), ("AK" + hex(9)).toUpperCase(Locale.ROOT), hex(20), "user-" + id.substring(0, 12),
            "Pw-" + hex(12), "domain-" + id.substring(0, 12), "eu-de");
        loadFixtures(Map.of("projects", List.of(Map.of(
            "id", p.projectId(),
            "name", p.region(),
            "tokens", List.of(p.token()),
            "credentials", List.of(Map.of("ak", p.ak(), "sk", p.sk())),
            "users", List.of(Map.of("name", p.user(), "password", p.password(), "domain", p.domain())),
            "instances", List.of(Map.of("id", p.instanceId()))))));
        return p;
    }

    /** Removes a project made by {@link #newProject}, with all it holds. */
    public void removeProject(TaurusDBProject project) {
        reset(project.projectId());
    }

    private static String hex(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }
}
