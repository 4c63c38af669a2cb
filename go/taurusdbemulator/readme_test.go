package taurusdbemulator_test

// The README's snippet of the Go helper, compiled and run here; tests/api/packaging.rs checks
// the README shows it as written here.

import (
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3/model"

	"github.com/taurusdb-emulator/taurusdb-emulator/go/taurusdbemulator"
)

// README: the Go helper
func TestNightlyBackup(t *testing.T) {
	e := taurusdbemulator.Start(t, taurusdbemulator.Options{Args: []string{"--auth", "strict"}})
	p := e.NewProject(t)       // its own project, instance, token, AK/SK, user; gone after the test
	c, err := p.HuaweiClient() // huaweicloud-sdk-go-v3 signing with p.AK/p.SK; p.TaurusDBClient() for gophertelekomcloud
	if err != nil {
		t.Fatal(err)
	}
	created, err := c.CreateGaussMySqlBackup(&model.CreateGaussMySqlBackupRequest{
		Body: &model.MysqlCreateBackupRequest{InstanceId: p.InstanceID, Name: "nightly"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Complete(*created.Backup.Id); err != nil { // or e.Advance(60), e.Hold(id), e.Wait(...)
		t.Fatal(err)
	}
}

// README: end
