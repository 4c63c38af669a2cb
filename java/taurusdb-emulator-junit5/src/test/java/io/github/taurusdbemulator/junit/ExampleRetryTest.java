package io.github.taurusdbemulator.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.huaweicloud.sdk.core.exception.ClientRequestException;
import com.huaweicloud.sdk.core.exception.ServerResponseException;
import com.huaweicloud.sdk.gaussdb.v3.GaussDBClient;
import io.github.taurusdbemulator.junit.TaurusDBEmulator.Fault;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Request faults scoped to the test's project strike no other test's requests: these run in
 * parallel with the rest of the suite.
 */
@ExtendWith(TaurusDBEmulatorExtension.class)
class ExampleRetryTest {
    /** The code under test: a backup, retried once when the instance is busy (DBS.200019). */
    static String backUpRetrying(GaussDBClient client, TaurusDBProject project) {
        try {
            return ExampleBackupTest.backUp(client, project, "retried");
        } catch (ClientRequestException e) {
            if (!"DBS.200019".equals(e.getErrorCode())) {
                throw e;
            }
            return ExampleBackupTest.backUp(client, project, "retried");
        }
    }

    @Test
    void a409IsRetriedOnce(TaurusDBEmulator emulator, TaurusDBProject project, GaussDBClient client) {
        Map<String, Object> fault = emulator.fault(Fault.on("create").project(project.projectId()).preset("busy"));
        String id = backUpRetrying(client, project);
        assertEquals("BUILDING", ExampleBackupTest.status(client, id));
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> faults = (List<Map<String, Object>>) emulator.faults().get("requests");
        Map<String, Object> listed = faults.stream().filter(f -> f.get("id").equals(fault.get("id"))).findFirst().orElseThrow();
        assertEquals(1, listed.get("hits"));
    }

    @Test
    void anAfterCommit500LeavesTheBackupMade(TaurusDBEmulator emulator, TaurusDBProject project, GaussDBClient client) {
        emulator.fault(Fault.on("create").project(project.projectId()).after().preset("server-error"));
        ServerResponseException failed = assertThrows(ServerResponseException.class,
            () -> ExampleBackupTest.backUp(client, project, "committed"));
        assertEquals("DBS.108000", failed.getErrorCode());
        @SuppressWarnings("unchecked")
        List<Object> backups = (List<Object>) ((List<Map<String, Object>>) emulator.state(project.projectId())
            .get("projects")).get(0).get("backups");
        assertEquals(1, backups.size(), "the create committed before the 500");
    }
}
