// Package contract drives the built emulator with the official Go clients, unchanged:
// gophertelekomcloud (what the OTC Terraform provider is built on) and Huawei's
// huaweicloud-sdk-go-v3. scripts/test runs it with TAURUSDB_EMULATOR_BIN set.
package contract

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The made-up identities the Python contract tests use too (tests/sdk/conftest.py).
const (
	project    = "0123456789abcdef0123456789abcdef"
	region     = "eu-de"
	instanceID = project + "in07"
	ak         = "TESTAK0000000000"
	sk         = "testsecret"
	user       = "testuser"
	password   = "testpass"
	domain     = "OTC00000000001000000000"
)

var fixtures = map[string]any{
	"projects": []any{map[string]any{
		"id":          project,
		"name":        region,
		"credentials": []any{map[string]any{"ak": ak, "sk": sk}},
		"users":       []any{map[string]any{"name": user, "password": password, "domain": domain}},
		"instances":   []any{map[string]any{"id": instanceID, "name": "taurusdb-instance01"}},
	}},
}

// emulator is one running emulator process, in strict auth, with backups that finish only
// when the test says so (lifecycle manual), so every state is reached without waiting.
type emulator struct {
	t    *testing.T
	base string
	// http trusts the emulator's CA when it serves HTTPS, and nothing more.
	http *http.Client
	// tls is the client configuration every SDK is given: nil over plain HTTP.
	tls *tls.Config
}

func binary(t *testing.T) string {
	path := os.Getenv("TAURUSDB_EMULATOR_BIN")
	if path == "" {
		t.Fatal("TAURUSDB_EMULATOR_BIN is not set: scripts/test sets it to the built emulator")
	}
	return path
}

// start runs the emulator on a port the OS picks with the fixtures above; withTLS serves
// HTTPS with the CA it makes, written to a file the clients then trust.
func start(t *testing.T, withTLS bool) *emulator {
	t.Helper()
	data, _ := json.Marshal(fixtures)
	fixturesFile := filepath.Join(t.TempDir(), "fixtures.json")
	if err := os.WriteFile(fixturesFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return startWith(t, withTLS, "--fixtures", fixturesFile)
}

// startWith runs the emulator with these arguments besides the common ones.
func startWith(t *testing.T, withTLS bool, extra ...string) *emulator {
	t.Helper()
	args := append([]string{"--port", "0", "--auth", "strict", "--lifecycle", "manual",
		"--automated-backups", "false"}, extra...)
	return launch(t, withTLS, args...)
}

// launch runs the emulator with exactly these arguments (and, withTLS, the CA it makes
// written to a file the clients then trust).
func launch(t *testing.T, withTLS bool, args ...string) *emulator {
	t.Helper()
	caFile := filepath.Join(t.TempDir(), "ca.pem")
	if withTLS {
		args = append(args, "--tls", "--tls-ca-out", caFile)
	}
	cmd := exec.Command(binary(t), args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-done
		}
	})
	lines := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, stdout)
	}()
	var line string
	select {
	case line = <-lines:
	case <-time.After(10 * time.Second):
		t.Fatalf("the emulator printed no startup line within 10 s: %s", stderr.String())
	}
	const prefix = "taurusdb-emulator listening on "
	if !strings.HasPrefix(line, prefix) {
		t.Fatalf("unexpected startup line %q: %s", line, stderr.String())
	}
	e := &emulator{t: t, base: strings.TrimSpace(strings.TrimPrefix(line, prefix)), http: &http.Client{Timeout: 10 * time.Second}}
	if withTLS {
		if !strings.HasPrefix(e.base, "https://") {
			t.Fatalf("--tls serves %s", e.base)
		}
		pem, err := os.ReadFile(caFile)
		if err != nil {
			t.Fatal(err)
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			t.Fatalf("%s holds no certificate", caFile)
		}
		e.tls = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
		e.http.Transport = &http.Transport{TLSClientConfig: e.tls}
	}
	return e
}

// transport is a fresh transport for an SDK: direct (whatever proxy the machine names) and
// trusting only the emulator's CA over HTTPS.
func (e *emulator) transport() *http.Transport {
	return &http.Transport{TLSClientConfig: e.tls, Proxy: nil}
}

// control calls the control API and decodes its JSON answer.
func (e *emulator) control(method, path string, body any) map[string]any {
	e.t.Helper()
	var reader io.Reader
	if body != nil {
		data, _ := json.Marshal(body)
		reader = bytes.NewReader(data)
	}
	request, err := http.NewRequest(method, e.base+path, reader)
	if err != nil {
		e.t.Fatal(err)
	}
	if body != nil {
		request.Header.Set("Content-Type", "application/json")
	}
	response, err := e.http.Do(request)
	if err != nil {
		e.t.Fatal(err)
	}
	defer response.Body.Close()
	var decoded map[string]any
	if err := json.NewDecoder(response.Body).Decode(&decoded); err != nil || response.StatusCode >= 300 {
		e.t.Fatalf("%s %s: %d %v %v", method, path, response.StatusCode, decoded, err)
	}
	return decoded
}

// complete finishes a BUILDING backup now, as the control API's complete command does.
func (e *emulator) complete(backupID string) {
	e.t.Helper()
	e.control("POST", "/_emulator/backups/"+backupID+"/complete", map[string]any{})
}

// errorBody decodes an error body and checks it is the API's, whole: exactly
// {"error_code", "error_msg"} (and the request id the emulator adds).
func errorBody(t *testing.T, raw []byte) (string, string) {
	t.Helper()
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		t.Fatalf("the error body is not JSON: %q", raw)
	}
	code, _ := body["error_code"].(string)
	msg, _ := body["error_msg"].(string)
	for key := range body {
		if key != "error_code" && key != "error_msg" && key != "request_id" {
			t.Errorf("the error body has an unexpected field %q: %s", key, raw)
		}
	}
	return code, msg
}

func both(t *testing.T, run func(t *testing.T, e *emulator)) {
	for _, withTLS := range []bool{false, true} {
		name := "http"
		if withTLS {
			name = "https"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			run(t, start(t, withTLS))
		})
	}
}

// ok fails the test on an error, naming its type (the SDKs' error types are the contract).
func ok(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%T: %v", err, err)
	}
}
