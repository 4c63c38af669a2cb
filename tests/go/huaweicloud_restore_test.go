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
