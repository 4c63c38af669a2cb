package contract

// What gophertelekomcloud (the OTC Terraform provider's SDK, unchanged) does when a request
// fault strikes a backup create: which errors it retries (a 502 or 504 once after 500 ms, a 429
// after its back-off), which reach the caller, and how many backups exist afterwards. If a
// release changes its retries, these tests say so by failing.

import (
	"errors"
	"net/url"
	"testing"
	"time"

	golangsdk "github.com/opentelekomcloud/gophertelekomcloud"
	"github.com/opentelekomcloud/gophertelekomcloud/openstack/taurus/v3/backup"
)

// struck sets a fault on backup creates, creates one with the SDK and answers the error, the
// creates the emulator got and the backups that exist.
func struck(t *testing.T, e *emulator, client *golangsdk.ServiceClient, fault map[string]any) (error, int, int) {
	t.Helper()
	fault["operation"] = "create"
	e.control("POST", "/_emulator/faults/requests", fault)
	_, err := backup.Create(client, backup.CreateOpts{InstanceId: instanceID, Name: "struck-backup"})
	creates := 0
	for _, r := range e.control("GET", "/_emulator/requests", nil)["requests"].([]any) {
		if r.(map[string]any)["operation"] == "create" {
			creates++
		}
	}
	state := e.control("GET", "/_emulator/state?project_id="+project, nil)
	made := len(state["projects"].([]any)[0].(map[string]any)["backups"].([]any))
	return err, creates, made
}

func TestGophertelekomcloudUnderAfterCommitFaults(t *testing.T) {
	t.Run("500: not retried, the backup is made", func(t *testing.T) {
		t.Parallel()
		e := start(t, false)
		err, creates, made := struck(t, e, otcClient(t, e),
			map[string]any{"phase": "after", "preset": "server-error"})
		var failed golangsdk.ErrDefault500
		if !errors.As(err, &failed) || creates != 1 || made != 1 {
			t.Fatalf("%T %v; %d creates, %d backups", err, err, creates, made)
		}
		if code, _ := errorBody(t, failed.Body); code != "DBS.108000" {
			t.Fatalf("code %s", code)
		}
	})
	t.Run("502: retried blindly once, the retry meets the backup it made", func(t *testing.T) {
		t.Parallel()
		e := start(t, false)
		err, creates, made := struck(t, e, otcClient(t, e),
			map[string]any{"phase": "after", "preset": "backend-unavailable"})
		var busy golangsdk.ErrDefault409
		if !errors.As(err, &busy) || creates != 2 || made != 1 {
			t.Fatalf("%T %v; %d creates, %d backups", err, err, creates, made)
		}
		if code, _ := errorBody(t, busy.Body); code != "DBS.201205" {
			t.Fatalf("the retry's answer: %s", code)
		}
	})
	t.Run("reset: not retried, the backup is made", func(t *testing.T) {
		t.Parallel()
		e := start(t, false)
		err, creates, made := struck(t, e, otcClient(t, e),
			map[string]any{"phase": "after", "connection": "reset"})
		var broken *url.Error
		if !errors.As(err, &broken) || creates != 1 || made != 1 {
			t.Fatalf("%T %v; %d creates, %d backups", err, err, creates, made)
		}
	})
}

func TestGophertelekomcloudUnderFaultsBeforeTheOperation(t *testing.T) {
	t.Run("504: retried once after 500 ms, which succeeds", func(t *testing.T) {
		t.Parallel()
		e := start(t, false)
		err, creates, made := struck(t, e, otcClient(t, e), map[string]any{"preset": "backend-timeout"})
		if err != nil || creates != 2 || made != 1 {
			t.Fatalf("%T %v; %d creates, %d backups", err, err, creates, made)
		}
	})
	t.Run("409 busy: never retried", func(t *testing.T) {
		t.Parallel()
		e := start(t, false)
		err, creates, made := struck(t, e, otcClient(t, e), map[string]any{"preset": "busy"})
		var busy golangsdk.ErrDefault409
		if !errors.As(err, &busy) || creates != 1 || made != 0 {
			t.Fatalf("%T %v; %d creates, %d backups", err, err, creates, made)
		}
	})
	t.Run("429: retried after the back-off, as often as the client has retries left", func(t *testing.T) {
		t.Parallel()
		e := start(t, false)
		client := otcClient(t, e)
		// The back-off is 60 s unless set; the retries are the provider client's, counted
		// down for its whole life (one here), never per request.
		backoff, retries := 10*time.Millisecond, 1
		client.ProviderClient.BackoffRetryTimeout = &backoff
		client.ProviderClient.MaxBackoffRetries = &retries
		err, creates, made := struck(t, e, client, map[string]any{"preset": "throttled"})
		if err != nil || creates != 2 || made != 1 {
			t.Fatalf("%T %v; %d creates, %d backups", err, err, creates, made)
		}
		e.complete(e.control("GET", "/_emulator/state", nil)["projects"].([]any)[0].(map[string]any)["backups"].([]any)[0].(map[string]any)["id"].(string))
		err, creates, made = struck(t, e, client, map[string]any{"preset": "throttled"})
		var throttled golangsdk.ErrDefault429
		if !errors.As(err, &throttled) || creates != 3 || made != 1 {
			t.Fatalf("the second throttle: %T %v; %d creates, %d backups", err, err, creates, made)
		}
		if code, msg := errorBody(t, throttled.Body); code != "APIGW.0308" ||
			msg != "The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 minute" {
			t.Fatalf("%s %s", code, msg)
		}
	})
}
