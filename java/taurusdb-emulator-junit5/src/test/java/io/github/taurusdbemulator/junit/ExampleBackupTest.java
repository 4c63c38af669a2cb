package io.github.taurusdbemulator.junit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.huaweicloud.sdk.gaussdb.v3.GaussDBClient;
import com.huaweicloud.sdk.gaussdb.v3.model.CreateGaussMySqlBackupRequest;
import com.huaweicloud.sdk.gaussdb.v3.model.MysqlCreateBackupRequest;
import com.huaweicloud.sdk.gaussdb.v3.model.ShowGaussMySqlBackupListRequest;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The example suite: realistic tests of code that backs an instance up, each on a project of
 * its own, all against the run's one emulator. scripts/test runs it serially and in parallel.
 */
@ExtendWith(TaurusDBEmulatorExtension.class)
class ExampleBackupTest {

    static String backUp(GaussDBClient client, TaurusDBProject project, String name) {
        return client.createGaussMySqlBackup(new CreateGaussMySqlBackupRequest()
                .withBody(new MysqlCreateBackupRequest().withInstanceId(project.instanceId()).withName(name)))
            .getBackup().getId();
    }

    static String status(GaussDBClient client, String backupId) {
        return client.showGaussMySqlBackupList(new ShowGaussMySqlBackupListRequest().withBackupId(backupId))
            .getBackups().get(0).getStatus();
    }

    @Test
    void aBackupCompletes(TaurusDBEmulator emulator, TaurusDBProject project, GaussDBClient client) {
        String id = backUp(client, project, "nightly");
        assertEquals("BUILDING", status(client, id));
        emulator.complete(id);
        assertEquals("COMPLETED", status(client, id));
    }

    @Test
    void aHeldBackupTimesTheCallerOut(TaurusDBEmulator emulator, TaurusDBProject project, GaussDBClient client) {
        String id = backUp(client, project, "held");
        emulator.hold(id);
        TaurusDBEmulatorException timedOut =
            assertThrows(TaurusDBEmulatorException.class, () -> emulator.waitFor(id, "COMPLETED", "1s"));
        assertEquals(408, timedOut.status());
        assertEquals("EMULATOR.WAIT_TIMEOUT", timedOut.errorCode());
        assertEquals("BUILDING", status(client, id));
    }

    @RepeatedTest(4)
    void projectsStayApart(TaurusDBEmulator emulator, TaurusDBProject project, GaussDBClient client) {
        Set<String> mine = new HashSet<>();
        for (int i = 0; i < 3; i++) {
            String id = backUp(client, project, "backup-" + i);
            emulator.complete(id);
            mine.add(id);
        }
        Set<String> listed = new HashSet<>();
        client.showGaussMySqlBackupList(new ShowGaussMySqlBackupListRequest())
            .getBackups().forEach(b -> listed.add(b.getId()));
        assertEquals(mine, listed, "the project lists its own backups, and only those");
    }
}
