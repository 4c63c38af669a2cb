package contract

import (
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3/model"
)

// The backup neighbours of the restore workflow through the Go SDK's strict types: a string
// where the API gives a string (the per-instance list's total_count and sizes), int64
// milliseconds for restorable times, int32 counts for batch deletes.
func TestHuaweiGoSDKRestoreNeighbours(t *testing.T) {
	e := start(t, false)
	c := huaweiClient(t, e, sk)

	created, err := createBackup(c, instanceID, "nightly")
	ok(t, err)
	backupID := *created.Backup.Id
	e.complete(backupID)

	limit := "100"
	backups, err := c.ShowInstanceBackups(&model.ShowInstanceBackupsRequest{InstanceId: instanceID, Limit: &limit})
	ok(t, err)
	if *backups.TotalCount != "1" || *(*backups.Backups)[0].Id != backupID || *(*backups.Backups)[0].SizeUnit != "KB" {
		t.Fatalf("instance backups: %v", backups)
	}

	times, err := c.ShowBackupRestoreTime(&model.ShowBackupRestoreTimeRequest{InstanceId: instanceID})
	ok(t, err)
	if len(*times.RestoreTimes) != 1 || *(*times.RestoreTimes)[0].StartTime > *(*times.RestoreTimes)[0].EndTime {
		t.Fatalf("restore times: %v", times)
	}

	incremental, err := c.ShowGaussMySqlIncrementalBackupList(&model.ShowGaussMySqlIncrementalBackupListRequest{InstanceId: instanceID})
	ok(t, err)
	if *incremental.TotalCount != 0 {
		t.Fatalf("no five minutes have passed, yet: %v", incremental)
	}

	kms, key := model.GetBackupEncryptRequestTypeEnum().KMS, "4f2d6a3e-1b7c-4e0a-9d51-0c8e2b7a6f19"
	on := &model.BackupEncryptRequest{EncryptionStatus: model.GetBackupEncryptRequestEncryptionStatusEnum().ON, Type: &kms, KmsKeyId: &key}
	_, err = c.ModifyBackupEncryptStatus(&model.ModifyBackupEncryptStatusRequest{InstanceId: instanceID, Body: on})
	ok(t, err)
	status, err := c.DescribeBackupEncryptStatus(&model.DescribeBackupEncryptStatusRequest{InstanceId: instanceID})
	ok(t, err)
	if status.EncryptionStatus.Value() != "on" {
		t.Fatalf("encryption: %v", status)
	}

	policy := &model.UpdateBackupOffsitePolicyInfo{OpenAutoBackup: true, DestinationProjectId: project, DestinationRegion: "eu-nl", KeepDays: 7}
	offsite, err := c.UpdateBackupOffsitePolicy(&model.UpdateBackupOffsitePolicyRequest{
		InstanceId: instanceID, Body: &model.UpdateBackupOffsitePolicyRequestBody{BackupPolicy: policy}})
	ok(t, err)
	if *offsite.Result != "SUCCESS" {
		t.Fatalf("offsite: %v", offsite)
	}

	unknown := "b1182ccdda034f2b9535f3dca5c47e71br07"
	deleted, err := c.BatchDeleteBackup(&model.BatchDeleteBackupRequest{Body: &model.BatchDeleteBackupRequestBody{BackupIds: []string{backupID, unknown}}})
	ok(t, err)
	if *deleted.SuccessCount != 1 || *deleted.FailedCount != 1 || *(*deleted.FailedResults)[0].BackupId != unknown {
		t.Fatalf("batch delete: %v", deleted)
	}
}

// The restore itself through the Go SDK: an instance created (its strict response types:
// port a string, volume size a number), a backup restored onto it, and an instance restored
// from a point in time, each job read through ShowGaussMySqlJobInfo while it runs and after.
func TestHuaweiGoSDKRestores(t *testing.T) {
	e := start(t, false)
	c := huaweiClient(t, e, sk)

	request := func(name string, point *model.MysqlRestorePoint) *model.CreateGaussMySqlInstanceRequest {
		zone := "UTC+08:00"
		return &model.CreateGaussMySqlInstanceRequest{Body: &model.MysqlInstanceRequest{
			Region: region, Name: name, Mode: "Cluster", FlavorRef: "gaussdb.mysql.xlarge.x86.4",
			Datastore: &model.MysqlDatastoreInReq{Type: "gaussdb-mysql", Version: "8.0"},
			VpcId:     "3cedfc54-b105-4652-a4e0-847b11576b58", SubnetId: "c1cfa53c-65d3-431e-8552-326bf310c7ad",
			Password: "Test@12345678", AvailabilityZoneMode: "single", SlaveCount: 1, TimeZone: &zone,
			RestorePoint: point,
		}}
	}
	jobOf := func(id string) *model.GetJobInfoDetail {
		job, err := c.ShowGaussMySqlJobInfo(&model.ShowGaussMySqlJobInfoRequest{Id: id})
		ok(t, err)
		return job.Job
	}
	statusOf := func(id string) string {
		shown, err := c.ShowGaussMySqlInstanceInfo(&model.ShowGaussMySqlInstanceInfoRequest{InstanceId: id})
		ok(t, err)
		return *shown.Instance.Status
	}
	completeJob := func(id string) {
		e.control("POST", "/_emulator/jobs/"+id+"/complete", map[string]any{})
	}

	created, err := c.CreateGaussMySqlInstance(request("restore-target", nil))
	ok(t, err)
	target := created.Instance.Id
	// No volume asked for: the storage grows as needed, and the size reads 0.
	if *created.Instance.Status != "BUILD" || *created.Instance.Port != "3306" || created.Instance.Volume.Size != 0 {
		t.Fatalf("created: %v", created)
	}
	if job := jobOf(*created.JobId); job.Name != "CreateGaussDBforMySQLInstance" || job.Status.Value() != "Running" {
		t.Fatalf("creation job: %v", job)
	}
	completeJob(*created.JobId)
	if status := statusOf(target); status != "ACTIVE" {
		t.Fatalf("after its creation: %s", status)
	}

	backup, err := createBackup(c, instanceID, "to-restore")
	ok(t, err)
	e.complete(*backup.Backup.Id)
	restored, err := c.RestoreOldInstance(&model.RestoreOldInstanceRequest{Body: &model.RestoreRequest{
		SourceInstanceId: instanceID, TargetInstanceId: target, Type: "backup", BackupId: backup.Backup.Id}})
	ok(t, err)
	if status := statusOf(target); status != "RESTORING" {
		t.Fatalf("while restoring: %s", status)
	}
	_, err = c.RestoreOldInstance(&model.RestoreOldInstanceRequest{Body: &model.RestoreRequest{
		SourceInstanceId: instanceID, TargetInstanceId: target, Type: "backup", BackupId: backup.Backup.Id}})
	serviceError(t, err, 409, "DBS.200011")
	completeJob(*restored.JobId)
	if job := jobOf(*restored.JobId); job.Status.Value() != "Completed" || job.Instance.Id != target {
		t.Fatalf("restore job: %v", job)
	}

	times, err := c.ShowBackupRestoreTime(&model.ShowBackupRestoreTimeRequest{InstanceId: instanceID})
	ok(t, err)
	kind := "timestamp"
	point := &model.MysqlRestorePoint{SourceInstanceId: instanceID, Type: &kind, RestoreTime: (*times.RestoreTimes)[0].StartTime}
	fromTime, err := c.CreateGaussMySqlInstance(request("restored-01", point))
	ok(t, err)
	if job := jobOf(*fromTime.JobId); job.Name != "RestoreGaussDBforMySQLNewInstance" {
		t.Fatalf("restore to a new instance: %v", job)
	}
}
