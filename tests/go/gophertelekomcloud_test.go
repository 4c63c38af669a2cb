package contract

import (
	"errors"
	"net/http"
	"regexp"
	"testing"

	golangsdk "github.com/opentelekomcloud/gophertelekomcloud"
	"github.com/opentelekomcloud/gophertelekomcloud/openstack"
	"github.com/opentelekomcloud/gophertelekomcloud/openstack/taurus/v3/backup"
	"github.com/opentelekomcloud/gophertelekomcloud/openstack/taurus/v3/instance"
	"github.com/opentelekomcloud/gophertelekomcloud/openstack/taurus/v3/job"
)

// otcClient logs in as the OTC Terraform provider does: a password against the emulator's
// IAM, then the TaurusDB endpoint from the token's catalog.
func otcClient(t *testing.T, e *emulator) *golangsdk.ServiceClient {
	t.Helper()
	provider, err := openstack.NewClient(e.base + "/v3")
	ok(t, err)
	provider.HTTPClient = http.Client{Transport: e.transport()}
	err = openstack.Authenticate(provider, golangsdk.AuthOptions{
		IdentityEndpoint: e.base + "/v3",
		Username:         user,
		Password:         password,
		DomainName:       domain,
		TenantName:       region,
	})
	if err != nil {
		t.Fatalf("password log-in: %v", err)
	}
	client, err := openstack.NewTaurusDBV3(provider, golangsdk.EndpointOpts{Region: region})
	ok(t, err)
	if want := e.base + "/v3/" + project + "/"; client.ResourceBase != want {
		t.Fatalf("the SDK found TaurusDB at %s, not %s", client.ResourceBase, want)
	}
	return client
}

// apiError checks that err is the SDK's error type for that status, carrying the API's body.
func apiError[E error](t *testing.T, err error, status int) (string, string) {
	t.Helper()
	var typed E
	if !errors.As(err, &typed) {
		t.Fatalf("want %T, got %T: %v", typed, err, err)
	}
	var unexpected golangsdk.ErrUnexpectedResponseCode
	switch e := any(typed).(type) {
	case golangsdk.ErrDefault400:
		unexpected = e.ErrUnexpectedResponseCode
	case golangsdk.ErrDefault404:
		unexpected = e.ErrUnexpectedResponseCode
	case golangsdk.ErrDefault409:
		unexpected = e.ErrUnexpectedResponseCode
	}
	if unexpected.Actual != status {
		t.Fatalf("status %d, want %d", unexpected.Actual, status)
	}
	return errorBody(t, unexpected.Body)
}

func TestGophertelekomcloudBackupWorkflow(t *testing.T) {
	both(t, func(t *testing.T, e *emulator) {
		client := otcClient(t, e)

		found, err := instance.Get(client, instanceID)
		ok(t, err)
		if found.Id != instanceID || found.Status != "ACTIVE" || found.Port != "3306" {
			t.Fatalf("instance: %+v", found)
		}

		_, err = backup.Create(client, backup.CreateOpts{InstanceId: instanceID, Name: "1st"})
		code, msg := apiError[golangsdk.ErrDefault400](t, err, 400)
		if code != "DBS.280277" || msg != "Invalid object name." {
			t.Fatalf("bad name: %s %s", code, msg)
		}
		_, err = backup.Create(client, backup.CreateOpts{InstanceId: "99999999999999999999999999999999in07", Name: "nightly"})
		if code, _ := apiError[golangsdk.ErrDefault404](t, err, 404); code != "DBS.200002" {
			t.Fatalf("unknown instance: %s", code)
		}

		created, err := backup.Create(client, backup.CreateOpts{InstanceId: instanceID, Name: "nightly", Description: "from Go"})
		ok(t, err)
		if created.Backup.Status != "BUILDING" || created.Backup.Type != "manual" || created.JobId == "" ||
			!regexp.MustCompile(`^[0-9a-f]{32}br07$`).MatchString(created.Backup.Id) {
			t.Fatalf("created: %+v", created)
		}
		// The SDK's job waiter queries the job at once and gives up on any error.
		status, err := job.GetJobStatus(client, created.JobId)
		ok(t, err)
		if status.Job.Status != "Running" {
			t.Fatalf("job status %s", status.Job.Status)
		}

		_, err = backup.Create(client, backup.CreateOpts{InstanceId: instanceID, Name: "second"})
		code, msg = apiError[golangsdk.ErrDefault409](t, err, 409)
		if code != "DBS.201205" || msg != "Backup is in progress, please wait." {
			t.Fatalf("second backup: %s %s", code, msg)
		}

		e.complete(created.Backup.Id)
		if err := job.WaitForJobSuccess(client, 60, created.JobId); err != nil {
			t.Fatalf("the SDK's job waiter: %v", err)
		}

		byID, err := backup.List(client, backup.ListOpts{BackupId: created.Backup.Id})
		ok(t, err)
		if len(byID) != 1 {
			t.Fatalf("listed by id: %+v", byID)
		}
		listed := byID[0]
		if listed.Status != "COMPLETED" || listed.Name != "nightly" || listed.Description != "from Go" ||
			listed.InstanceId != instanceID || listed.Size <= 0 || listed.EndTime == "" ||
			listed.Datastore.Type != "gaussdb-mysql" {
			t.Fatalf("listed: %+v", listed)
		}
		byInstance, err := backup.List(client, backup.ListOpts{InstanceId: instanceID, Limit: "10", Offset: "0"})
		ok(t, err)
		if len(byInstance) != 1 || byInstance[0].Id != created.Backup.Id {
			t.Fatalf("listed by instance: %+v", byInstance)
		}

		deleted, err := backup.Delete(client, created.Backup.Id)
		ok(t, err)
		if deleted.BackupId != created.Backup.Id || deleted.BackupName != "nightly" {
			t.Fatalf("deleted: %+v", deleted)
		}
		left, err := backup.List(client, backup.ListOpts{BackupId: created.Backup.Id})
		ok(t, err)
		if len(left) != 0 {
			t.Fatalf("still listed after delete: %+v", left)
		}
	})
}
