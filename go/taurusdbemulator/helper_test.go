package taurusdbemulator_test

// The helper itself: an emulator of its own per test (Start), TLS, a control token, one
// connected to by URL, the errors of the control API, snapshots and the journal.

import (
	"errors"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3/model"

	"github.com/taurusdb-emulator/taurusdb-emulator/go/taurusdbemulator"
)

func TestOverTLSTheClientsTrustTheCAItMadeAndAControlTokenIsSent(t *testing.T) {
	e := taurusdbemulator.Start(t, taurusdbemulator.Options{
		Args: []string{"--tls", "--auth", "strict"}, ControlToken: "s3cret"})
	if e.URL[:8] != "https://" {
		t.Fatalf("not served over TLS: %s", e.URL)
	}
	p := e.NewProject(t)
	c, err := p.HuaweiClient()
	if err != nil {
		t.Fatal(err)
	}
	created, err := c.CreateGaussMySqlBackup(&model.CreateGaussMySqlBackupRequest{
		Body: &model.MysqlCreateBackupRequest{InstanceId: p.InstanceID, Name: "over-tls"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.TaurusDBClient(); err != nil {
		t.Fatalf("password log-in over TLS: %v", err)
	}
	if _, err := e.Complete(*created.Backup.Id); err != nil {
		t.Fatalf("a control call with the token: %v", err)
	}
	other, err := taurusdbemulator.Connect(e.URL, "", "")
	if err == nil {
		_, err = other.State("")
	}
	if err == nil {
		t.Fatal("an https:// emulator was reached without its CA, or the control API without its token")
	}
}

func TestAConnectedEmulatorIsUsedAsItIsAndErrorsAreTyped(t *testing.T) {
	started := taurusdbemulator.Start(t, taurusdbemulator.Options{Args: []string{"--clock", "manual"}})
	e, err := taurusdbemulator.Connect(started.URL, "", "")
	if err != nil {
		t.Fatal(err)
	}
	p := e.NewProject(t)
	if _, err := e.Complete("no-such-backup"); err == nil {
		t.Fatal("completing an unknown backup succeeded")
	} else {
		var typed *taurusdbemulator.Error
		if !errors.As(err, &typed) || typed.Status != 404 || typed.Code == "" || typed.Message == "" {
			t.Fatalf("not the API's error: %#v", err)
		}
	}
	snapshot, err := e.Snapshot(p.ProjectID)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Reset(p.ProjectID); err != nil {
		t.Fatal(err)
	}
	if err := e.LoadFixtures(snapshot); err != nil {
		t.Fatalf("a snapshot posted back: %v", err)
	}
	if _, err := e.Advance(60); err != nil {
		t.Fatal(err)
	}
	if _, err := e.SetLifecycle("reads", taurusdbemulator.Object{"reads": 2}); err != nil {
		t.Fatal(err)
	}
	journal, err := e.Requests()
	if err != nil || len(journal["requests"].([]any)) == 0 {
		t.Fatalf("the journal: %v %v", journal, err)
	}
	if err := e.Stop(); err != nil {
		t.Fatalf("a connected emulator is not stopped: %v", err)
	}
	if _, err := started.Health(); err != nil {
		t.Fatalf("the emulator stopped with a connection to it: %v", err)
	}
}

// Every field of a request fault reaches the emulator: an after-commit reset on one project's
// creates leaves its client without an answer and its backup made, while another project's
// creates go through.
func TestAnAfterCommitResetOnOneProjectLeavesTheBackupMade(t *testing.T) {
	e := taurusdbemulator.Start(t, taurusdbemulator.Options{Args: []string{"--seed", "7"}})
	struck, other := e.NewProject(t), e.NewProject(t)
	fault, err := e.Fault(taurusdbemulator.RequestFault{Operation: "create", Method: "post",
		ProjectID: struck.ProjectID, InstanceID: "", Phase: "after", Rate: 1, Count: 1,
		Connection: "reset"})
	if err != nil {
		t.Fatal(err)
	}
	if fault["phase"] != "after" || fault["connection"] != "reset" || fault["method"] != "POST" ||
		fault["project_id"] != struck.ProjectID || fault["rate"] != float64(1) {
		t.Fatalf("the fault as set: %v", fault)
	}
	create := func(p *taurusdbemulator.Project) error {
		c, err := p.HuaweiClient()
		if err != nil {
			return err
		}
		_, err = c.CreateGaussMySqlBackup(&model.CreateGaussMySqlBackupRequest{
			Body: &model.MysqlCreateBackupRequest{InstanceId: p.InstanceID, Name: "reset-after"}})
		return err
	}
	if err := create(other); err != nil {
		t.Fatalf("another project's create: %v", err)
	}
	if err := create(struck); err == nil {
		t.Fatal("a reset connection answered")
	}
	state, err := e.State(struck.ProjectID)
	if err != nil {
		t.Fatal(err)
	}
	backups := state["projects"].([]any)[0].(map[string]any)["backups"].([]any)
	if len(backups) != 1 {
		t.Fatalf("%d backups after the reset; want the one that committed", len(backups))
	}
}
