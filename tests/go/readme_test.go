package contract

// The README's Go snippets (section "Go"), compiled here and run against an emulator with the
// built-in fixtures; tests/api/packaging.rs checks the README shows them as written here.

import (
	"regexp"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	gaussdb "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3/model"
	golangsdk "github.com/opentelekomcloud/gophertelekomcloud"
	"github.com/opentelekomcloud/gophertelekomcloud/openstack"
	"github.com/opentelekomcloud/gophertelekomcloud/openstack/taurus/v3/backup"
)

// README: gophertelekomcloud
func taurusDBClient(endpoint string) (*golangsdk.ServiceClient, error) {
	provider, err := openstack.AuthenticatedClient(golangsdk.AuthOptions{
		IdentityEndpoint: endpoint + "/v3", // the emulator's IAM; its catalog leads to TaurusDB
		Username:         "emulator",
		Password:         "emulator-password",
		DomainName:       "OTC-EU-DE-emulator",
		TenantName:       "eu-de",
	})
	if err != nil {
		return nil, err
	}
	return openstack.NewTaurusDBV3(provider, golangsdk.EndpointOpts{Region: "eu-de"})
}

// README: huaweicloud-sdk-go-v3
func gaussDBClient(endpoint string) (*gaussdb.GaussDBClient, error) {
	credentials, err := basic.NewCredentialsBuilder().
		WithAk("TAURUSDBEMULATORAK00").
		WithSk("taurusdb-emulator-sk").
		WithProjectId("619d3e78f61b4be68bc5aa0b59edcf7b").
		SafeBuild()
	if err != nil {
		return nil, err
	}
	client, err := gaussdb.GaussDBClientBuilder().
		WithEndpoints([]string{endpoint}).
		WithCredential(credentials).
		SafeBuild()
	if err != nil {
		return nil, err
	}
	return gaussdb.NewGaussDBClient(client), nil
}

// README: end

const builtInInstance = "07033b125fd94a8a96896f8bcfee6ddain07"

func TestTheReadmeSnippetsCreateBackupsWithTheBuiltInFixtures(t *testing.T) {
	e := startWith(t, false)
	otc, err := taurusDBClient(e.base)
	ok(t, err)
	created, err := backup.Create(otc, backup.CreateOpts{InstanceId: builtInInstance, Name: "from-gopher"})
	ok(t, err)
	e.complete(created.Backup.Id)

	huawei, err := gaussDBClient(e.base)
	ok(t, err)
	body := &model.MysqlCreateBackupRequest{InstanceId: builtInInstance, Name: "from-huawei"}
	second, err := huawei.CreateGaussMySqlBackup(&model.CreateGaussMySqlBackupRequest{Body: body})
	ok(t, err)
	if !regexp.MustCompile(`^[0-9a-f]{32}br07$`).MatchString(*second.Backup.Id) {
		t.Fatalf("created: %v", second)
	}
}
