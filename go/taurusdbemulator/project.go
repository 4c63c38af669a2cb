package taurusdbemulator

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strings"
	"testing"

	golangsdk "github.com/opentelekomcloud/gophertelekomcloud"
	"github.com/opentelekomcloud/gophertelekomcloud/openstack"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	gaussdb "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/gaussdb/v3"
)

// Project is a project of an emulator with the credentials that reach it: a token, an AK/SK
// pair, a user with a password in a domain, and one ACTIVE instance.
type Project struct {
	URL        string
	ProjectID  string
	InstanceID string
	Token      string
	AK         string
	SK         string
	User       string
	Password   string
	Domain     string
	Region     string

	emulator *Emulator
}

// NewProject gives the test a fresh project (CreateProject) and removes it with all it holds
// when the test ends. Other projects never see it, so tests calling it may run in parallel
// (t.Parallel, go test -p N) against one emulator.
func (e *Emulator) NewProject(t testing.TB) *Project {
	t.Helper()
	p, err := e.CreateProject("")
	if err != nil {
		t.Fatalf("taurusdb-emulator: a new project: %v", err)
	}
	t.Cleanup(func() {
		if err := e.RemoveProject(p); err != nil {
			t.Errorf("taurusdb-emulator: removing project %s: %v", p.ProjectID, err)
		}
	})
	return p
}

// CreateProject loads a project with random ids and credentials and one ACTIVE instance
// (instanceID, or the built-in instance's id when "", so code written for it keeps its id).
func (e *Emulator) CreateProject(instanceID string) (*Project, error) {
	id := randomHex(16)
	if instanceID == "" {
		instanceID = builtin.InstanceID
	}
	p := &Project{
		URL:        e.URL,
		ProjectID:  id,
		InstanceID: instanceID,
		Token:      "token-" + randomHex(16),
		AK:         strings.ToUpper("AK" + randomHex(9)),
		SK:         randomHex(20),
		User:       "user-" + id[:12],
		Password:   "Pw-" + randomHex(12),
		Domain:     "domain-" + id[:12],
		Region:     "eu-de",
		emulator:   e,
	}
	fixtures := Object{"projects": []Object{{
		"id":          p.ProjectID,
		"name":        p.Region,
		"tokens":      []string{p.Token},
		"credentials": []Object{{"ak": p.AK, "sk": p.SK}},
		"users":       []Object{{"name": p.User, "password": p.Password, "domain": p.Domain}},
		"instances":   []Object{{"id": p.InstanceID}},
	}}}
	if err := e.LoadFixtures(fixtures); err != nil {
		return nil, err
	}
	return p, nil
}

// RemoveProject removes a project made by CreateProject, with all it holds.
func (e *Emulator) RemoveProject(p *Project) error {
	return e.Reset(p.ProjectID)
}

// HuaweiClient is a huaweicloud-sdk-go-v3 GaussDB client signing with the project's AK/SK,
// pointed at the emulator (trusting its CA over HTTPS).
func (p *Project) HuaweiClient() (*gaussdb.GaussDBClient, error) {
	credentials, err := basic.NewCredentialsBuilder().
		WithAk(p.AK).WithSk(p.SK).WithProjectId(p.ProjectID).SafeBuild()
	if err != nil {
		return nil, err
	}
	client, err := gaussdb.GaussDBClientBuilder().
		WithEndpoints([]string{p.URL}).
		WithCredential(credentials).
		WithHttpConfig(config.DefaultHttpConfig().WithHttpTransport(p.emulator.Transport())).
		SafeBuild()
	if err != nil {
		return nil, err
	}
	return gaussdb.NewGaussDBClient(client), nil
}

// TaurusDBClient is gophertelekomcloud's TaurusDB v3 ServiceClient, logged in with the
// project's user and password at the emulator's IAM, whose catalog leads to the emulator, as
// the OTC Terraform provider logs in.
func (p *Project) TaurusDBClient() (*golangsdk.ServiceClient, error) {
	provider, err := openstack.NewClient(p.URL + "/v3")
	if err != nil {
		return nil, err
	}
	provider.HTTPClient = http.Client{Transport: p.emulator.Transport()}
	err = openstack.Authenticate(provider, golangsdk.AuthOptions{
		IdentityEndpoint: p.URL + "/v3",
		Username:         p.User,
		Password:         p.Password,
		DomainName:       p.Domain,
		TenantID:         p.ProjectID,
	})
	if err != nil {
		return nil, err
	}
	return openstack.NewTaurusDBV3(provider, golangsdk.EndpointOpts{Region: p.Region})
}

func randomHex(bytes int) string {
	b := make([]byte, bytes)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
