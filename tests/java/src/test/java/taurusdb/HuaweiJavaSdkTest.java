package taurusdb;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.huaweicloud.sdk.core.auth.BasicCredentials;
import com.huaweicloud.sdk.core.exception.ClientRequestException;
import com.huaweicloud.sdk.core.http.HttpConfig;
import com.huaweicloud.sdk.gaussdb.v3.GaussDBClient;
import com.huaweicloud.sdk.gaussdb.v3.model.Backups;
import com.huaweicloud.sdk.gaussdb.v3.model.CreateGaussMySqlBackupRequest;
import com.huaweicloud.sdk.gaussdb.v3.model.CreateGaussMySqlBackupResponse;
import com.huaweicloud.sdk.gaussdb.v3.model.DeleteGaussMySqlBackupRequest;
import com.huaweicloud.sdk.gaussdb.v3.model.DeleteGaussMySqlBackupResponse;
import com.huaweicloud.sdk.gaussdb.v3.model.GetJobInfoDetail;
import com.huaweicloud.sdk.gaussdb.v3.model.ListGaussMySqlInstancesRequest;
import com.huaweicloud.sdk.gaussdb.v3.model.ListGaussMySqlInstancesResponse;
import com.huaweicloud.sdk.gaussdb.v3.model.MysqlCreateBackupRequest;
import com.huaweicloud.sdk.gaussdb.v3.model.ShowGaussMySqlBackupListRequest;
import com.huaweicloud.sdk.gaussdb.v3.model.ShowGaussMySqlBackupListResponse;
import com.huaweicloud.sdk.gaussdb.v3.model.ShowGaussMySqlJobInfoRequest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** huaweicloud-sdk-gaussdb with AK/SK signing: the backup workflow over HTTP, then HTTPS. */
class HuaweiJavaSdkTest {

    /** The SDK's documented set-up, with the emulator as endpoint (and its CA over HTTPS). */
    static GaussDBClient client(Emulator emulator, String secret) {
        HttpConfig config = HttpConfig.getDefaultHttpConfig();
        if (emulator.ssl != null) {
            config.withSSLSocketFactory(emulator.ssl.getSocketFactory()).withX509TrustManager(emulator.trust);
        }
        return GaussDBClient.newBuilder()
            .withCredential(new BasicCredentials().withAk(Emulator.AK).withSk(secret).withProjectId(Emulator.PROJECT))
            .withEndpoints(List.of(emulator.base))
            .withHttpConfig(config)
            .build();
    }

    static CreateGaussMySqlBackupResponse create(GaussDBClient client, String instance, String name) {
        MysqlCreateBackupRequest body = new MysqlCreateBackupRequest()
            .withInstanceId(instance).withName(name).withDescription("from Java");
        return client.createGaussMySqlBackup(new CreateGaussMySqlBackupRequest().withBody(body));
    }

    static ClientRequestException refused(Runnable call, int status, String code) {
        ClientRequestException e = assertThrows(ClientRequestException.class, call::run);
        assertEquals(status, e.getHttpStatusCode(), e.toString());
        assertEquals(code, e.getErrorCode(), e.toString());
        assertTrue(e.getRequestId().matches("[0-9a-f]{32}"), e.getRequestId());
        return e;
    }

    @ParameterizedTest(name = "tls={0}")
    @ValueSource(booleans = {false, true})
    void backupWorkflow(boolean tls, @TempDir Path dir) throws Exception {
        try (Emulator emulator = new Emulator(dir, tls)) {
            assertEquals(tls, emulator.base.startsWith("https://"), emulator.base);
            GaussDBClient client = client(emulator, Emulator.SK);

            ListGaussMySqlInstancesResponse instances = client.listGaussMySqlInstances(new ListGaussMySqlInstancesRequest());
            assertEquals(1, instances.getTotalCount());
            assertEquals(Emulator.INSTANCE, instances.getInstances().get(0).getId());

            ClientRequestException badName = refused(() -> create(client, Emulator.INSTANCE, "1st"), 400, "DBS.280277");
            assertEquals("Invalid object name.", badName.getErrorMsg());
            refused(() -> create(client, "99999999999999999999999999999999in07", "nightly"), 404, "DBS.200002");
            refused(() -> create(client(emulator, "wrongsecret"), Emulator.INSTANCE, "nightly"), 401, "APIGW.0301");

            CreateGaussMySqlBackupResponse created = create(client, Emulator.INSTANCE, "nightly");
            String id = created.getBackup().getId();
            assertEquals(201, created.getHttpStatusCode());
            assertEquals("BUILDING", created.getBackup().getStatus().getValue());
            assertTrue(id.matches("[0-9a-f]{32}br07"), id);
            ShowGaussMySqlJobInfoRequest job = new ShowGaussMySqlJobInfoRequest().withId(created.getJobId());
            assertEquals("Running", client.showGaussMySqlJobInfo(job).getJob().getStatus().getValue());
            ClientRequestException busy = refused(() -> create(client, Emulator.INSTANCE, "second"), 409, "DBS.201205");
            assertEquals("Backup is in progress, please wait.", busy.getErrorMsg());

            emulator.control("/_emulator/backups/" + id + "/complete");
            GetJobInfoDetail finished = client.showGaussMySqlJobInfo(job).getJob();
            assertEquals("Completed", finished.getStatus().getValue());
            assertNotNull(finished.getEnded());

            ShowGaussMySqlBackupListResponse listed = client.showGaussMySqlBackupList(
                new ShowGaussMySqlBackupListRequest().withInstanceId(Emulator.INSTANCE).withLimit("10").withOffset("0"));
            assertEquals(1L, listed.getTotalCount());
            Backups backup = listed.getBackups().get(0);
            assertEquals(List.of(id, "COMPLETED", "manual"), List.of(backup.getId(), backup.getStatus(), backup.getType()));
            assertTrue(backup.getSize() > 0, backup.toString());
            assertNotNull(backup.getTakeUpTime());

            DeleteGaussMySqlBackupResponse deleted = client.deleteGaussMySqlBackup(new DeleteGaussMySqlBackupRequest().withBackupId(id));
            assertEquals(List.of(id, "nightly"), List.of(deleted.getBackupId(), deleted.getBackupName()));
            assertEquals(0L, client.showGaussMySqlBackupList(new ShowGaussMySqlBackupListRequest().withBackupId(id)).getTotalCount());
        }
    }

    @Test
    void theReadmeSnippetCreatesABackupWithTheBuiltInFixtures(@TempDir Path dir) throws Exception {
        try (Emulator emulator = new Emulator(dir, false, false)) {
            CreateGaussMySqlBackupResponse created = create(ReadmeExample.client(emulator.base),
                "07033b125fd94a8a96896f8bcfee6ddain07", "from-java");
            assertEquals("BUILDING", created.getBackup().getStatus().getValue());
        }
    }
}
