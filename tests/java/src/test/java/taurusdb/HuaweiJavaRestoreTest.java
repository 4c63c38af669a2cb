package taurusdb;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.huaweicloud.sdk.gaussdb.v3.GaussDBClient;
import com.huaweicloud.sdk.gaussdb.v3.model.CreateGaussMySqlInstanceRequest;
import com.huaweicloud.sdk.gaussdb.v3.model.CreateGaussMySqlInstanceResponse;
import com.huaweicloud.sdk.gaussdb.v3.model.GetJobInfoDetail;
import com.huaweicloud.sdk.gaussdb.v3.model.MysqlDatastoreInReq;
import com.huaweicloud.sdk.gaussdb.v3.model.MysqlInstanceRequest;
import com.huaweicloud.sdk.gaussdb.v3.model.MysqlRestorePoint;
import com.huaweicloud.sdk.gaussdb.v3.model.RestoreOldInstanceRequest;
import com.huaweicloud.sdk.gaussdb.v3.model.RestoreOldInstanceResponse;
import com.huaweicloud.sdk.gaussdb.v3.model.RestoreRequest;
import com.huaweicloud.sdk.gaussdb.v3.model.ShowGaussMySqlInstanceInfoRequest;
import com.huaweicloud.sdk.gaussdb.v3.model.ShowGaussMySqlJobInfoRequest;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The restore side with huaweicloud-sdk-gaussdb: an instance created, a backup restored onto it, one restored new. */
class HuaweiJavaRestoreTest {

    static MysqlInstanceRequest instance(String name) {
        return new MysqlInstanceRequest()
            .withRegion("eu-de").withName(name).withMode("Cluster").withFlavorRef("gaussdb.mysql.xlarge.x86.4")
            .withDatastore(new MysqlDatastoreInReq().withType("gaussdb-mysql").withVersion("8.0"))
            .withVpcId("3cedfc54-b105-4652-a4e0-847b11576b58").withSubnetId("c1cfa53c-65d3-431e-8552-326bf310c7ad")
            .withPassword("Test@12345678").withAvailabilityZoneMode("single").withSlaveCount(1);
    }

    static GetJobInfoDetail job(GaussDBClient client, String id) {
        return client.showGaussMySqlJobInfo(new ShowGaussMySqlJobInfoRequest().withId(id)).getJob();
    }

    static String status(GaussDBClient client, String id) {
        return client.showGaussMySqlInstanceInfo(new ShowGaussMySqlInstanceInfoRequest().withInstanceId(id))
            .getInstance().getStatus();
    }

    @Test
    void aBackupIsRestoredOntoACreatedInstanceAndToANewOne(@TempDir Path dir) throws Exception {
        try (Emulator emulator = new Emulator(dir, false)) {
            GaussDBClient client = HuaweiJavaSdkTest.client(emulator, Emulator.SK);

            CreateGaussMySqlInstanceResponse created = client.createGaussMySqlInstance(
                new CreateGaussMySqlInstanceRequest().withBody(instance("restore-target")));
            String target = created.getInstance().getId();
            // No volume asked for: the storage grows as needed, and the size reads 0.
            assertEquals(List.of("BUILD", "3306", 0), List.of(
                created.getInstance().getStatus(), created.getInstance().getPort(), created.getInstance().getVolume().getSize()));
            assertEquals("CreateGaussDBforMySQLInstance", job(client, created.getJobId()).getName());
            emulator.control("/_emulator/jobs/" + created.getJobId() + "/complete");
            assertEquals("ACTIVE", status(client, target));

            String backup = HuaweiJavaSdkTest.create(client, Emulator.INSTANCE, "to-restore").getBackup().getId();
            emulator.control("/_emulator/backups/" + backup + "/complete");
            RestoreOldInstanceResponse restore = client.restoreOldInstance(new RestoreOldInstanceRequest().withBody(
                new RestoreRequest().withSourceInstanceId(Emulator.INSTANCE).withTargetInstanceId(target)
                    .withType("backup").withBackupId(backup)));
            assertEquals(200, restore.getHttpStatusCode());
            assertEquals("RESTORING", status(client, target));
            HuaweiJavaSdkTest.refused(() -> client.restoreOldInstance(new RestoreOldInstanceRequest().withBody(
                new RestoreRequest().withSourceInstanceId(Emulator.INSTANCE).withTargetInstanceId(target)
                    .withType("backup").withBackupId(backup))), 409, "DBS.200011");
            emulator.control("/_emulator/jobs/" + restore.getJobId() + "/complete");
            GetJobInfoDetail restored = job(client, restore.getJobId());
            assertEquals(List.of("Completed", "RestoreGaussDBforMySQLInstance", target),
                List.of(restored.getStatus().getValue(), restored.getName(), restored.getInstance().getId()));
            assertEquals("ACTIVE", status(client, target));

            CreateGaussMySqlInstanceResponse fresh = client.createGaussMySqlInstance(new CreateGaussMySqlInstanceRequest()
                .withBody(instance("restored-01").withRestorePoint(
                    new MysqlRestorePoint().withSourceInstanceId(Emulator.INSTANCE).withBackupId(backup))));
            assertEquals("RestoreGaussDBforMySQLNewInstance", job(client, fresh.getJobId()).getName());
        }
    }
}
