package contract

import (
	"errors"
	"regexp"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	gaussdb "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3/model"
)

// huaweiClient is the SDK's documented set-up with AK/SK signing and the emulator as endpoint.
func huaweiClient(t *testing.T, e *emulator, secret string) *gaussdb.GaussDBClient {
	t.Helper()
	credentials, err := basic.NewCredentialsBuilder().WithAk(ak).WithSk(secret).WithProjectId(project).SafeBuild()
	ok(t, err)
	httpConfig := config.DefaultHttpConfig().WithHttpTransport(e.transport())
	hc, err := gaussdb.GaussDBClientBuilder().
		WithEndpoints([]string{e.base}).
		WithCredential(credentials).
		WithHttpConfig(httpConfig).
		SafeBuild()
	ok(t, err)
	return gaussdb.NewGaussDBClient(hc)
}

func createBackup(c *gaussdb.GaussDBClient, instance, name string) (*model.CreateGaussMySqlBackupResponse, error) {
	description := "from Go"
	return c.CreateGaussMySqlBackup(&model.CreateGaussMySqlBackupRequest{
		Body: &model.MysqlCreateBackupRequest{InstanceId: instance, Name: name, Description: &description},
	})
}

// serviceError checks err is the SDK's ServiceResponseError with this status and code.
func serviceError(t *testing.T, err error, status int, code string) *sdkerr.ServiceResponseError {
	t.Helper()
	var typed *sdkerr.ServiceResponseError
	if !errors.As(err, &typed) {
		t.Fatalf("want *sdkerr.ServiceResponseError, got %T: %v", err, err)
	}
	if typed.StatusCode != status || typed.ErrorCode != code {
		t.Fatalf("got %d %s (%s), want %d %s", typed.StatusCode, typed.ErrorCode, typed.ErrorMessage, status, code)
	}
	if !regexp.MustCompile(`^[0-9a-f]{32}$`).MatchString(typed.RequestId) {
		t.Fatalf("request id %q", typed.RequestId)
	}
	return typed
}

func TestHuaweiGoSDKBackupWorkflow(t *testing.T) {
	both(t, func(t *testing.T, e *emulator) {
		c := huaweiClient(t, e, sk)

		instances, err := c.ListGaussMySqlInstances(&model.ListGaussMySqlInstancesRequest{})
		ok(t, err)
		if *instances.TotalCount != 1 || (*instances.Instances)[0].Id != instanceID {
			t.Fatalf("instances: %v", instances)
		}

		_, err = createBackup(c, instanceID, "1st")
		if msg := serviceError(t, err, 400, "DBS.280277").ErrorMessage; msg != "Invalid object name." {
			t.Fatalf("bad name message %q", msg)
		}
		_, err = createBackup(c, "99999999999999999999999999999999in07", "nightly")
		serviceError(t, err, 404, "DBS.200002")
		_, err = createBackup(huaweiClient(t, e, "wrongsecret"), instanceID, "nightly")
		serviceError(t, err, 401, "APIGW.0301")

		created, err := createBackup(c, instanceID, "nightly")
		ok(t, err)
		backupID := *created.Backup.Id
		if created.HttpStatusCode != 201 || created.Backup.Status.Value() != "BUILDING" ||
			!regexp.MustCompile(`^[0-9a-f]{32}br07$`).MatchString(backupID) {
			t.Fatalf("created: %v", created)
		}
		jobRequest := &model.ShowGaussMySqlJobInfoRequest{Id: *created.JobId}
		running, err := c.ShowGaussMySqlJobInfo(jobRequest)
		ok(t, err)
		if status := running.Job.Status.Value(); status != "Running" {
			t.Fatalf("job status %s", status)
		}
		_, err = createBackup(c, instanceID, "second")
		if msg := serviceError(t, err, 409, "DBS.201205").ErrorMessage; msg != "Backup is in progress, please wait." {
			t.Fatalf("second backup message %q", msg)
		}

		e.complete(backupID)
		shown, err := c.ShowGaussMySqlJobInfo(jobRequest)
		ok(t, err)
		finished := shown.Job
		if finished.Status.Value() != "Completed" || finished.Ended == nil {
			t.Fatalf("job: %v", finished)
		}

		limit, offset := "10", "0"
		instance := instanceID
		listed, err := c.ShowGaussMySqlBackupList(&model.ShowGaussMySqlBackupListRequest{InstanceId: &instance, Limit: &limit, Offset: &offset})
		ok(t, err)
		if *listed.TotalCount != 1 {
			t.Fatalf("listed: %v", listed)
		}
		b := (*listed.Backups)[0]
		if *b.Id != backupID || *b.Status != "COMPLETED" || *b.Type != "manual" || *b.Size <= 0 || b.TakeUpTime == nil {
			t.Fatalf("listed backup: %v", b)
		}

		deleted, err := c.DeleteGaussMySqlBackup(&model.DeleteGaussMySqlBackupRequest{BackupId: backupID})
		ok(t, err)
		if *deleted.BackupId != backupID || *deleted.BackupName != "nightly" {
			t.Fatalf("deleted: %v", deleted)
		}
		left, err := c.ShowGaussMySqlBackupList(&model.ShowGaussMySqlBackupListRequest{BackupId: &backupID})
		ok(t, err)
		if *left.TotalCount != 0 {
			t.Fatalf("still listed after delete: %v", left)
		}
	})
}
