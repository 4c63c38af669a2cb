package io.github.taurusdbemulator.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.huaweicloud.sdk.gaussdb.v3.GaussDBClient;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The extension itself: a class's own emulator over TLS with a control token, typed errors. */
class TaurusDBEmulatorTest {
    @RegisterExtension
    static final TaurusDBEmulatorExtension EMULATOR =
        TaurusDBEmulatorExtension.withArgs("--tls", "--auth", "strict", "--clock", "manual").withControlToken("s3cret");

    @Test
    void overTlsTheClientTrustsTheCaAndControlCallsCarryTheToken(
            TaurusDBEmulator emulator, TaurusDBProject project, GaussDBClient client) throws Exception {
        assertTrue(emulator.url().startsWith("https://"), emulator.url());
        String id = ExampleBackupTest.backUp(client, project, "over-tls");
        assertEquals("COMPLETED", emulator.complete(id).get("status"), "a control call with the token");
        assertEquals("COMPLETED", ExampleBackupTest.status(client, id));
        assertThrows(Exception.class, () -> TaurusDBEmulator.connect(emulator.url(), "s3cret", null),
            "an https:// emulator reached without its CA");
    }

    @Test
    void errorsAreTypedAndSnapshotsGoBackAndForth(TaurusDBEmulator emulator, TaurusDBProject project) {
        TaurusDBEmulatorException unknown =
            assertThrows(TaurusDBEmulatorException.class, () -> emulator.complete("no-such-backup"));
        assertEquals(404, unknown.status());
        assertNotNull(unknown.errorMsg());
        Map<String, Object> snapshot = emulator.snapshot(project.projectId());
        emulator.reset(project.projectId());
        emulator.loadFixtures(snapshot);
        emulator.advance(60);
        emulator.setLifecycle("reads", Map.of("reads", 2));
        Map<String, Object> added = emulator.addLogs(project.instanceId(),
            List.of(Map.of("content", "disk nearly full", "level", "WARNING")), List.of());
        assertEquals(1, added.get("error_logs"));
        assertTrue(!((List<?>) emulator.requests().get("requests")).isEmpty());
    }
}
