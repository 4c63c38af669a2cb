package contract

// gophertelekomcloud's own TaurusDB acceptance tests (acceptance/openstack/taurus/v3 of the
// module version go.mod pins), run as their authors wrote them: from the module's source,
// with only their `t.Skip("too long to run in ci")` lines left out through `go test -overlay`,
// against an emulator in strict auth with its built-in fixtures and lifecycle, through the
// environment they read (OS_*). The module cache is read-only and `go test` refuses overlays
// of files beneath it, so the module's source is copied first, unchanged.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// acceptanceTests are all twelve of the module's TaurusDB acceptance tests.
var acceptanceTests = []string{
	"TestTaurusBackupLifecycle",
	"TestTaurusInstanceLifecycle",
	"TestTaurusReadReplicaLifecycle",
	"TestTaurusListDatastores",
	"TestTaurusListFlavors",
	"TestTaurusTemplatesList",
	"TestTaurusInstanceTemplatesList",
	"TestTaurusProxyLifecycle",
	"TestTaurusSqlFilterLifecycle",
	"TestTaurusInstanceLogs",
	"TestProjectQuotasList",
	"TestQuotasLifecycle",
}

const gtModule = "github.com/opentelekomcloud/gophertelekomcloud"

var skipLine = regexp.MustCompile(`^\s*t\.Skip\(`)

var (
	sourceOnce sync.Once
	sourceDir  string
	overlay    string
	sourceErr  error
)

// acceptanceSource copies the pinned module's source to a writable place once, and writes an
// overlay that replaces each acceptance test file of the TaurusDB package by a copy without
// its t.Skip lines (and nothing else changed).
func acceptanceSource(t *testing.T) (string, string) {
	t.Helper()
	sourceOnce.Do(func() {
		out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", gtModule).Output()
		if err != nil {
			sourceErr = err
			return
		}
		cache := strings.TrimSpace(string(out))
		root, err := os.MkdirTemp("", "gophertelekomcloud-")
		if err != nil {
			sourceErr = err
			return
		}
		sourceDir = filepath.Join(root, "module")
		if out, err := exec.Command("cp", "-r", cache, sourceDir).CombinedOutput(); err != nil {
			sourceErr = fmt.Errorf("copying %s: %v %s", cache, err, out)
			return
		}
		if err := exec.Command("chmod", "-R", "u+w", sourceDir).Run(); err != nil {
			sourceErr = err
			return
		}
		pkg := filepath.Join(sourceDir, "acceptance", "openstack", "taurus", "v3")
		files, _ := filepath.Glob(filepath.Join(pkg, "*_test.go"))
		replace := map[string]string{}
		for _, file := range files {
			text, err := os.ReadFile(file)
			if err != nil {
				sourceErr = err
				return
			}
			var kept []string
			for _, line := range strings.Split(string(text), "\n") {
				if !skipLine.MatchString(line) {
					kept = append(kept, line)
				}
			}
			copyPath := filepath.Join(root, "overlay", filepath.Base(file))
			_ = os.MkdirAll(filepath.Dir(copyPath), 0o755)
			if err := os.WriteFile(copyPath, []byte(strings.Join(kept, "\n")), 0o644); err != nil {
				sourceErr = err
				return
			}
			replace[file] = copyPath
		}
		data, _ := json.Marshal(map[string]any{"Replace": replace})
		overlay = filepath.Join(root, "overlay.json")
		sourceErr = os.WriteFile(overlay, data, 0o644)
	})
	if sourceErr != nil {
		t.Fatalf("preparing gophertelekomcloud's source: %v", sourceErr)
	}
	return sourceDir, overlay
}

// clientEnv is what `taurusdb-emulator env --url base` exports (the built-in fixtures), as
// NAME=value pairs.
func clientEnv(t *testing.T, base string) []string {
	t.Helper()
	cmd := exec.Command(binary(t), "env", "--url", base, "--format", "sh")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TAURUSDB_EMULATOR_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("taurusdb-emulator env: %v", err)
	}
	var vars []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		name, quoted, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if !ok || !strings.HasPrefix(quoted, "'") || !strings.HasSuffix(quoted, "'") || strings.Count(quoted, "'") != 2 {
			t.Fatalf("not a plain export line: %q", line)
		}
		vars = append(vars, name+"="+strings.Trim(quoted, "'"))
	}
	return vars
}

// TestGophertelekomcloudAcceptance runs each acceptance test in a `go test` of its own,
// against an emulator of its own, all at once: the library sleeps 15 s after every job poll,
// so run one after another they would take minutes (and `t.Parallel` would run only as many
// as the machine has cores).
func TestGophertelekomcloudAcceptance(t *testing.T) {
	dir, overlayFile := acceptanceSource(t)
	outputs := make([][]byte, len(acceptanceTests))
	errs := make([]error, len(acceptanceTests))
	var wg sync.WaitGroup
	for i, name := range acceptanceTests {
		e := launch(t, false, "--port", "0", "--auth", "strict")
		cmd := exec.Command("go", "test", "-count=1", "-overlay", overlayFile, "-timeout", "15m",
			"-run", "^"+name+"$", "-v", "./acceptance/openstack/taurus/v3")
		cmd.Dir = dir
		// The environment they read (OS_*: the emulator's IAM, the built-in user and project,
		// the built-in network), as `taurusdb-emulator env` prints it.
		cmd.Env = append(append(os.Environ(), clientEnv(t, e.base)...), "NO_PROXY=127.0.0.1")
		wg.Add(1)
		go func() {
			defer wg.Done()
			outputs[i], errs[i] = cmd.CombinedOutput()
		}()
	}
	wg.Wait()
	for i, name := range acceptanceTests {
		t.Run(name, func(t *testing.T) {
			out := string(outputs[i])
			passed := false
			scanner := bufio.NewScanner(strings.NewReader(out))
			for scanner.Scan() {
				if strings.HasPrefix(scanner.Text(), "--- PASS: "+name+" ") {
					passed = true
				}
			}
			if errs[i] != nil || !passed {
				t.Fatalf("%s did not pass against the emulator (%v):\n%s", name, errs[i], out)
			}
			t.Logf("%s", lastLines(out, 3))
		})
	}
}

// lastLines is the end of a test's output: its verdict and timing.
func lastLines(text string, n int) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
