package io.github.taurusdbemulator.junit;

// The README's snippet of the JUnit 5 extension, compiled and run here; tests/api/packaging.rs
// checks the README shows it as written here.

import com.huaweicloud.sdk.gaussdb.v3.GaussDBClient;
import com.huaweicloud.sdk.gaussdb.v3.model.CreateGaussMySqlBackupRequest;
import com.huaweicloud.sdk.gaussdb.v3.model.MysqlCreateBackupRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

// README: the JUnit 5 extension
@ExtendWith(TaurusDBEmulatorExtension.class)
class NightlyBackupTest {
    @Test
    void completes(TaurusDBEmulator emulator, TaurusDBProject project, GaussDBClient client) {
        String id = client.createGaussMySqlBackup(new CreateGaussMySqlBackupRequest().withBody(
            new MysqlCreateBackupRequest().withInstanceId(project.instanceId()).withName("nightly")))
            .getBackup().getId();
        emulator.complete(id); // or advance(60), hold(id), waitFor(id, "COMPLETED", "30s"), ...
    }
}
// README: end
