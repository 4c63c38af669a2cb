// Package taurusdbemulator runs taurusdb-emulator for Go tests: Start(t) starts one on a free
// port (or connects to one already running, given by URL) and stops it at cleanup;
// NewProject(t) gives each test a fresh project with credentials of its own, so tests run in
// parallel against one emulator; a project hands out ready clients (gophertelekomcloud's
// TaurusDB ServiceClient, huaweicloud-sdk-go-v3's GaussDB client); the control API (clock,
// lifecycle, job and backup commands, faults, snapshots, the journal) is a method each.
package taurusdbemulator

import (
	"bufio"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
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

// The line the emulator prints once it serves, followed by its address.
const listening = "taurusdb-emulator listening on "

// Options say which emulator to use. The zero value starts the binary found as Binary says
// with the built-in fixtures on a free port.
type Options struct {
	// The binary to start; else $TAURUSDB_EMULATOR_BIN, else taurusdb-emulator on PATH.
	Binary string
	// Options for the emulator besides --port (e.g. "--auth", "strict", "--clock", "manual").
	Args []string
	// An emulator already running there (a CI service) is used instead of starting one;
	// else $TAURUSDB_EMULATOR_URL, if set.
	URL string
	// The control API's token (--control-token), if it has one: given to a started emulator
	// by its environment, sent by every control call.
	ControlToken string
	// For an https:// URL: the PEM certificate to trust. A started emulator with --tls
	// writes its CA to a file this package trusts.
	CAFile string
	// How long a started emulator may take to print its address (default 10 s).
	StartTimeout time.Duration
}

// Emulator is a running emulator: one started here, or one connected to.
type Emulator struct {
	// URL is its base address, http(s)://HOST:PORT.
	URL string
	// Default is the built-in fixtures' project (when the emulator runs with them).
	Default Project

	controlToken string
	tls          *tls.Config
	http         *http.Client
	cmd          *exec.Cmd
	exited       chan error
	tempDir      string
}

// The built-in fixtures' project (fixtures/default.json of the emulator).
var builtin = Project{
	ProjectID:  "619d3e78f61b4be68bc5aa0b59edcf7b",
	InstanceID: "07033b125fd94a8a96896f8bcfee6ddain07",
	Token:      "taurusdb-emulator-token",
	AK:         "TAURUSDBEMULATORAK00",
	SK:         "taurusdb-emulator-sk",
	User:       "emulator",
	Password:   "emulator-password",
	Domain:     "OTC-EU-DE-emulator",
	Region:     "eu-de",
}

// Start gives the test an emulator as Launch does and stops it (one it started) when the
// test and its subtests end; a failure to start fails the test.
func Start(t testing.TB, options ...Options) *Emulator {
	t.Helper()
	var opts Options
	if len(options) > 0 {
		opts = options[0]
	}
	e, err := Launch(opts)
	if err != nil {
		t.Fatalf("taurusdb-emulator: %v", err)
	}
	t.Cleanup(func() {
		if err := e.Stop(); err != nil {
			t.Errorf("taurusdb-emulator: %v", err)
		}
	})
	return e
}

// Launch starts an emulator (or connects to the one opts.URL or $TAURUSDB_EMULATOR_URL
// names) and waits until it answers healthy. Stop it with Stop; TestMain can share one
// between every test of a package.
func Launch(opts Options) (*Emulator, error) {
	url := opts.URL
	if url == "" {
		url = os.Getenv("TAURUSDB_EMULATOR_URL")
	}
	if url != "" {
		return Connect(url, opts.ControlToken, opts.CAFile)
	}
	binary, err := findBinary(opts.Binary)
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "taurusdb-emulator-")
	if err != nil {
		return nil, err
	}
	args := append([]string{"--port", "0"}, opts.Args...)
	caFile := ""
	if has(opts.Args, "--tls") {
		caFile = filepath.Join(dir, "ca.pem")
		args = append(args, "--tls-ca-out", caFile)
	}
	cmd := exec.Command(binary, args...)
	cmd.Env = os.Environ()
	if opts.ControlToken != "" {
		// By the environment: a command line is every local user's to read.
		cmd.Env = append(cmd.Env, "TAURUSDB_EMULATOR_CONTROL_TOKEN="+opts.ControlToken)
	}
	// The emulator ends with the process that started it, however that ends.
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	e := &Emulator{cmd: cmd, exited: make(chan error, 1), tempDir: dir, controlToken: opts.ControlToken}
	go func() { e.exited <- cmd.Wait() }()
	lines := make(chan string, 1)
	go func() {
		reader := bufio.NewReader(stdout)
		line, _ := reader.ReadString('\n')
		lines <- line
		_, _ = io.Copy(io.Discard, reader)
	}()
	timeout := opts.StartTimeout
	if timeout == 0 {
		timeout = 10 * time.Second
	}
	select {
	case line := <-lines:
		if !strings.HasPrefix(line, listening) {
			_ = e.Stop()
			return nil, fmt.Errorf("the emulator did not start: %q %s", line, stderr.String())
		}
		e.URL = strings.TrimSpace(strings.TrimPrefix(line, listening))
	case <-time.After(timeout):
		_ = e.Stop()
		return nil, fmt.Errorf("the emulator printed no address within %s: %s", timeout, stderr.String())
	}
	if err := e.setUp(caFile); err != nil {
		_ = e.Stop()
		return nil, err
	}
	return e, nil
}

// Connect uses an emulator already running at url (not stopped by Stop); for https://,
// caFile is the certificate to trust. It must answer healthy.
func Connect(url, controlToken, caFile string) (*Emulator, error) {
	e := &Emulator{URL: strings.TrimRight(url, "/"), controlToken: controlToken}
	if err := e.setUp(caFile); err != nil {
		return nil, err
	}
	return e, nil
}

func (e *Emulator) setUp(caFile string) error {
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return err
		}
		roots := x509.NewCertPool()
		if !roots.AppendCertsFromPEM(pem) {
			return fmt.Errorf("%s holds no certificate", caFile)
		}
		e.tls = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
	}
	e.http = &http.Client{Transport: e.Transport(), Timeout: 11 * time.Minute}
	e.Default = builtin
	e.Default.URL = e.URL
	e.Default.emulator = e
	_, err := e.Health()
	return err
}

// Transport is a fresh transport for an SDK: direct (whatever proxy the environment names),
// trusting the emulator's CA over HTTPS and nothing else; never skipping verification.
func (e *Emulator) Transport() *http.Transport {
	return &http.Transport{TLSClientConfig: e.tls, Proxy: nil}
}

// Stop stops an emulator started here (SIGTERM, then SIGKILL after 10 s) and removes its
// files; one only connected to is left running.
func (e *Emulator) Stop() error {
	if e.cmd == nil {
		return nil
	}
	defer os.RemoveAll(e.tempDir)
	select {
	case err := <-e.exited:
		e.exited <- err
		return nil
	default:
	}
	_ = e.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-e.exited:
		e.exited <- err
		var exit *exec.ExitError
		if err != nil && !errors.As(err, &exit) {
			return err
		}
		return nil
	case <-time.After(10 * time.Second):
		_ = e.cmd.Process.Kill()
		return errors.New("the emulator did not stop within 10 s of SIGTERM; killed")
	}
}

func findBinary(explicit string) (string, error) {
	for _, candidate := range []string{explicit, os.Getenv("TAURUSDB_EMULATOR_BIN")} {
		if candidate != "" {
			return candidate, nil
		}
	}
	found, err := exec.LookPath("taurusdb-emulator")
	if err != nil {
		return "", errors.New("no taurusdb-emulator binary: set Options.Binary or TAURUSDB_EMULATOR_BIN, or put it on PATH")
	}
	return found, nil
}

func has(args []string, flag string) bool {
	for _, a := range args {
		if a == flag || strings.HasPrefix(a, flag+"=") {
			return true
		}
	}
	return false
}
