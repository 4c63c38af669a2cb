package io.github.taurusdbemulator.junit;

import com.huaweicloud.sdk.gaussdb.v3.GaussDBClient;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives JUnit 5 tests a taurusdb-emulator. With {@code @ExtendWith(TaurusDBEmulatorExtension.class)}
 * one emulator serves the whole run (started at first use with the built-in fixtures, or the one
 * {@code $TAURUSDB_EMULATOR_URL} names, stopped when the run ends; its options are the
 * configuration parameter {@code taurusdb-emulator.args}, e.g. in
 * {@code junit-platform.properties}); a
 * {@code @RegisterExtension static} instance built with {@link #withArgs} starts one of its
 * own for its class. Test and lifecycle methods take, as parameters, the
 * {@link TaurusDBEmulator}, a {@link TaurusDBProject} of their own (fresh for each test, removed
 * after it, so tests run in parallel) and that project's Huawei {@link GaussDBClient}.
 */
public final class TaurusDBEmulatorExtension implements ParameterResolver {
    private static final ExtensionContext.Namespace NAMESPACE =
        ExtensionContext.Namespace.create(TaurusDBEmulatorExtension.class);

    private final List<String> args;
    private final String controlToken;
    private final boolean perClass;

    /** The run-wide emulator, in its default configuration. */
    public TaurusDBEmulatorExtension() {
        this(List.of(), null, false);
    }

    private TaurusDBEmulatorExtension(List<String> args, String controlToken, boolean perClass) {
        this.args = List.copyOf(args);
        this.controlToken = controlToken;
        this.perClass = perClass;
    }

    /** An emulator of the class's own, started with these options (e.g. "--auth", "strict"). */
    public static TaurusDBEmulatorExtension withArgs(String... args) {
        return new TaurusDBEmulatorExtension(List.of(args), null, true);
    }

    /** The same, with {@code --control-token} (given by the environment) sent on every control call. */
    public TaurusDBEmulatorExtension withControlToken(String token) {
        return new TaurusDBEmulatorExtension(args, token, perClass);
    }

    /** The emulator for this context: the class's own, or the run's. */
    public TaurusDBEmulator emulator(ExtensionContext context) {
        ExtensionContext owner = perClass ? classContext(context) : context.getRoot();
        String key = perClass ? "class" : "run";
        return owner.getStore(NAMESPACE)
            .getOrComputeIfAbsent(key, k -> new Running(launch(context)), Running.class)
            .emulator;
    }

    private static ExtensionContext classContext(ExtensionContext context) {
        ExtensionContext c = context;
        while (c.getTestMethod().isPresent() && c.getParent().isPresent()) {
            c = c.getParent().get();
        }
        return c;
    }

    private TaurusDBEmulator launch(ExtensionContext context) {
        List<String> options = args;
        if (!perClass) {
            options = context.getConfigurationParameter("taurusdb-emulator.args")
                .map(line -> List.of(line.trim().split("\\s+")))
                .filter(list -> !list.get(0).isEmpty())
                .orElse(args);
        }
        try {
            String url = System.getenv("TAURUSDB_EMULATOR_URL");
            if (!perClass && url != null && !url.isEmpty()) {
                String ca = System.getenv("TAURUSDB_EMULATOR_CA");
                return TaurusDBEmulator.connect(url, controlToken, ca == null || ca.isEmpty() ? null : Path.of(ca));
            }
            return TaurusDBEmulator.start(null, options, controlToken);
        } catch (Exception e) {
            throw new IllegalStateException("taurusdb-emulator: " + e.getMessage(), e);
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == TaurusDBEmulator.class || type == TaurusDBProject.class || type == GaussDBClient.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        TaurusDBEmulator emulator = emulator(context);
        if (type == TaurusDBEmulator.class) {
            return emulator;
        }
        if (context.getTestMethod().isEmpty()) {
            throw new ParameterResolutionException(type.getSimpleName() + " is given to test methods only");
        }
        // One project per test, shared by its parameters, removed when the test ends.
        TaurusDBProject project = context.getStore(NAMESPACE)
            .getOrComputeIfAbsent("project", k -> new Owned(emulator, emulator.newProject()), Owned.class)
            .project;
        return type == TaurusDBProject.class ? project : project.gaussDBClient();
    }

    /** An emulator the store stops when its context ends. */
    private record Running(TaurusDBEmulator emulator)
            implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() throws Exception {
            emulator.close();
        }
    }

    /** A test's project, removed when the test ends. */
    private record Owned(TaurusDBEmulator emulator, TaurusDBProject project)
            implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() {
            emulator.removeProject(project);
        }
    }
}
