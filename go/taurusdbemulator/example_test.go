package taurusdbemulator_test

// The example suite: realistic tests of code that backs a TaurusDB instance up, each on a
// project of its own, all against one emulator shared by the package (TestMain), strict auth
// and a manual lifecycle (a backup finishes when the test says so). scripts/test runs it
// serially (-parallel 1) and in parallel (-parallel 8).

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3/model"
	"github.com/opentelekomcloud/gophertelekomcloud/openstack/taurus/v3/backup"

	"github.com/taurusdb-emulator/taurusdb-emulator/go/taurusdbemulator"
)

var shared *taurusdbemulator.Emulator

func TestMain(m *testing.M) {
	var err error
	shared, err = taurusdbemulator.Launch(taurusdbemulator.Options{
		Args: []string{"--auth", "strict", "--lifecycle", "manual", "--automated-backups", "false"},
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	if err := shared.Stop(); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	os.Exit(code)
}

// backUp is the code under test: a manual backup, retried once when the instance is busy
// with another operation (DBS.200019), as a careful client does.
func backUp(p *taurusdbemulator.Project, name string) (string, error) {
	c, err := p.HuaweiClient()
	if err != nil {
		return "", err
	}
	request := &model.CreateGaussMySqlBackupRequest{
		Body: &model.MysqlCreateBackupRequest{InstanceId: p.InstanceID, Name: name}}
	for attempt := 0; ; attempt++ {
		created, err := c.CreateGaussMySqlBackup(request)
		var busy *sdkerr.ServiceResponseError
		if attempt == 0 && errors.As(err, &busy) && busy.ErrorCode == "DBS.200019" {
			continue
		}
		if err != nil {
			return "", err
		}
		return *created.Backup.Id, nil
	}
}

func status(t *testing.T, p *taurusdbemulator.Project, backupID string) string {
	t.Helper()
	c, err := p.HuaweiClient()
	if err != nil {
		t.Fatal(err)
	}
	listed, err := c.ShowGaussMySqlBackupList(&model.ShowGaussMySqlBackupListRequest{BackupId: &backupID})
	if err != nil {
		t.Fatal(err)
	}
	return *(*listed.Backups)[0].Status
}

func TestABackupCompletes(t *testing.T) {
	t.Parallel()
	p := shared.NewProject(t)
	id, err := backUp(p, "nightly")
	if err != nil {
		t.Fatal(err)
	}
	if got := status(t, p, id); got != "BUILDING" {
		t.Fatalf("a new backup reads %s", got)
	}
	if _, err := shared.Complete(id); err != nil {
		t.Fatal(err)
	}
	if got := status(t, p, id); got != "COMPLETED" {
		t.Fatalf("a completed backup reads %s", got)
	}
}

func TestAHeldBackupTimesTheCallerOut(t *testing.T) {
	t.Parallel()
	p := shared.NewProject(t)
	id, err := backUp(p, "held")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := shared.Hold(id); err != nil {
		t.Fatal(err)
	}
	_, err = shared.Wait(id, "COMPLETED", "1s")
	var timedOut *taurusdbemulator.Error
	if !errors.As(err, &timedOut) || timedOut.Status != 408 || timedOut.Code != "EMULATOR.WAIT_TIMEOUT" {
		t.Fatalf("waiting on a held backup: %v", err)
	}
	if got := status(t, p, id); got != "BUILDING" {
		t.Fatalf("a held backup reads %s", got)
	}
}

// A fault scoped to the test's project strikes no other test's requests: it runs in
// parallel with them.
func TestA409IsRetriedOnce(t *testing.T) {
	t.Parallel()
	p := shared.NewProject(t)
	fault, err := shared.Fault(taurusdbemulator.RequestFault{Operation: "create", ProjectID: p.ProjectID,
		Preset: "busy"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backUp(p, "after-409"); err != nil {
		t.Fatalf("the retry did not save the backup: %v", err)
	}
	faults, err := shared.Faults()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range faults["requests"].([]any) {
		if f := f.(map[string]any); f["id"] == fault["id"] && f["hits"] != float64(1) {
			t.Fatalf("the fault was hit %v times", f["hits"])
		}
	}
}

func TestProjectsAreIsolatedUnderParallelTests(t *testing.T) {
	t.Parallel()
	for i := range 4 {
		t.Run(fmt.Sprintf("project-%d", i), func(t *testing.T) {
			t.Parallel()
			p := shared.NewProject(t)
			// One backup at a time per instance: each completes before the next starts.
			ids := map[string]bool{}
			for j := range 3 {
				id, err := backUp(p, fmt.Sprintf("backup-%d", j))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := shared.Complete(id); err != nil {
					t.Fatal(err)
				}
				ids[id] = true
			}
			// gophertelekomcloud, logged in as the project's user, sees its backups only.
			client, err := p.TaurusDBClient()
			if err != nil {
				t.Fatal(err)
			}
			listed, err := backup.List(client, backup.ListOpts{})
			if err != nil {
				t.Fatal(err)
			}
			if len(listed) != 3 {
				t.Fatalf("the project lists %d backups, not its 3", len(listed))
			}
			for _, b := range listed {
				if !ids[b.Id] {
					t.Fatalf("a backup of another project: %s", b.Id)
				}
			}
		})
	}
}
