package clienttest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"
)

// The suite's module, at the version this project's go.mod requires.
const goMSSQLDB = "github.com/microsoft/go-mssqldb"

// expectedFailuresFile lists go-mssqldb tests that fail against the
// simulator on purpose. It may only shrink: a listed test that passes fails
// this harness until its line is removed.
const expectedFailuresFile = "testdata/gomssqldb_expected_failures.txt"

// perTestTimeout bounds one suite test. A test that runs into it is a hang,
// which no entry of the expected-failures list may excuse.
const perTestTimeout = 2 * time.Minute

// TestGoMSSQLDBSuite runs go-mssqldb's own tests (the module version in
// go.mod, from the module cache) with SQLSERVER_DSN pointing at a fresh
// simulator instance per test. Each top-level test runs in its own process:
// some of the suite's tests dereference a nil result after a failed query
// and would otherwise take the rest of the suite down with them.
func TestGoMSSQLDBSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("go-mssqldb's suite is long; it runs without -short")
	}
	dir := moduleSource(t)
	bin := buildSuite(t, dir)
	expected := readExpectedFailures(t)
	names := listSuite(t, dir, bin)

	var passed, failed, skipped []string
	for _, name := range names {
		res := runSuiteTest(t, dir, bin, name)
		exp, listed := expected[name]
		switch res.outcome {
		case outcomePass:
			passed = append(passed, name)
			if listed && exp.pattern != "*" {
				t.Errorf("%s passes now: remove it from %s", name, expectedFailuresFile)
			}
		case outcomeSkip:
			skipped = append(skipped, name)
		case outcomeHang:
			failed = append(failed, name)
			t.Errorf("%s hung (no result in %v): a refusal must be an error, never a hang\n%s", name, perTestTimeout, tail(res.output))
		default:
			failed = append(failed, name)
			switch {
			case !listed:
				t.Errorf("%s fails and is not in %s:\n%s", name, expectedFailuresFile, tail(res.output))
			case exp.pattern != "*" && !exp.matches(res.output):
				t.Errorf("%s fails, but not with the listed error %q:\n%s", name, exp.pattern, tail(res.output))
			}
		}
		delete(expected, name)
	}
	for name := range expected {
		t.Errorf("%s is in %s but not in the suite: remove it", name, expectedFailuresFile)
	}
	t.Logf("go-mssqldb suite against the simulator: %d tests, %d passed, %d failed (all expected), %d skipped",
		len(names), len(passed), len(failed), len(skipped))
	t.Logf("failed: %s", strings.Join(failed, " "))
	t.Logf("skipped: %s", strings.Join(skipped, " "))
}

// moduleSource copies the go-mssqldb module source (module cache) into a
// writable temporary folder; the suite writes next to its sources.
func moduleSource(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", goMSSQLDB)
	out, err := cmd.Output()
	var mod struct{ Dir, Version, Error string }
	if jerr := json.Unmarshal(out, &mod); err != nil || jerr != nil || mod.Dir == "" {
		t.Skipf("go-mssqldb module source unavailable (go mod download -json %s: %v %s): the suite does not run", goMSSQLDB, err, mod.Error)
	}
	t.Logf("go-mssqldb %s from %s", mod.Version, mod.Dir)
	dst := filepath.Join(t.TempDir(), "go-mssqldb")
	err = filepath.WalkDir(mod.Dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(mod.Dir, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatalf("copy go-mssqldb source: %v", err)
	}
	return dst
}

// buildSuite compiles the suite once. Where its own dependencies cannot be
// fetched (no module proxy), the test skips and says so.
func buildSuite(t *testing.T, dir string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	bin := filepath.Join(t.TempDir(), "gomssqldb.test")
	cmd := exec.CommandContext(ctx, "go", "test", "-c", "-trimpath", "-o", bin, ".")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	out, err := cmd.CombinedOutput()
	if err != nil {
		if bytes.Contains(out, []byte("dial tcp")) || bytes.Contains(out, []byte("403 Forbidden")) ||
			bytes.Contains(out, []byte("404 Not Found")) || bytes.Contains(out, []byte("no such host")) {
			t.Skipf("go-mssqldb's test dependencies cannot be fetched; the suite does not run:\n%s", out)
		}
		t.Fatalf("build go-mssqldb's tests: %v\n%s", err, out)
	}
	return bin
}

func listSuite(t *testing.T, dir, bin string) []string {
	t.Helper()
	cmd := exec.Command(bin, "-test.list", ".")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("list go-mssqldb's tests: %v", err)
	}
	var names []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if n := strings.TrimSpace(sc.Text()); strings.HasPrefix(n, "Test") {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

type outcome int

const (
	outcomePass outcome = iota
	outcomeFail
	outcomeSkip
	outcomeHang
)

type suiteResult struct {
	outcome outcome
	output  string
}

// runSuiteTest runs one top-level test against a fresh instance.
func runSuiteTest(t *testing.T, dir, bin, name string) suiteResult {
	t.Helper()
	srv, serr := New()
	if serr != nil {
		t.Fatal(serr)
	}
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), perTestTimeout+30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "-test.run", "^"+regexp.QuoteMeta(name)+"$", "-test.count", "1",
		"-test.v", "-test.timeout", perTestTimeout.String())
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "SQLSERVER_DSN="+srv.DSN("sa", Password, "master"))
	out, err := cmd.CombinedOutput()
	res := suiteResult{output: string(out)}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil || strings.Contains(res.output, "panic: test timed out"):
		res.outcome = outcomeHang
	case err == nil && strings.Contains(res.output, "--- SKIP: "+name+" "):
		res.outcome = outcomeSkip
	case err == nil:
		res.outcome = outcomePass
	case errors.As(err, &exit):
		res.outcome = outcomeFail
	default:
		t.Fatalf("run %s: %v", name, err)
	}
	return res
}

type expectedFailure struct {
	pattern, reason string
}

var sqlErrPattern = regexp.MustCompile(`^(\d+) (.+)$`)

// matches reports whether a failing test's output shows the listed error.
// "NNN message" is SQL Server error NNN: the driver's trace writes it as
// "ERROR NNN message", its error value as "message (NNN)". Anything else is
// plain text the output must contain.
func (e expectedFailure) matches(output string) bool {
	m := sqlErrPattern.FindStringSubmatch(e.pattern)
	if m == nil {
		return strings.Contains(output, e.pattern)
	}
	return strings.Contains(output, "ERROR "+m[1]+" "+m[2]) || strings.Contains(output, m[2]+" ("+m[1]+")")
}

// readExpectedFailures reads "Test<TAB>error<TAB>why" lines. The error
// ("NNN message" for SQL Server error NNN, or plain text) must appear in the
// failing test's output (the real error the simulator refuses with); "*" marks a test whose outcome depends on the
// machine (DNS, Azure), not on the simulator.
func readExpectedFailures(t *testing.T) map[string]expectedFailure {
	t.Helper()
	data, err := os.ReadFile(expectedFailuresFile)
	if err != nil {
		t.Fatalf("read expected failures: %v", err)
	}
	m := map[string]expectedFailure{}
	for i, line := range strings.Split(string(data), "\n") {
		if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 || f[0] == "" || f[1] == "" || strings.TrimSpace(f[2]) == "" {
			t.Fatalf("%s:%d: want three tab-separated fields (test, error text, why), got %q", expectedFailuresFile, i+1, line)
		}
		if _, dup := m[f[0]]; dup {
			t.Fatalf("%s:%d: %s listed twice", expectedFailuresFile, i+1, f[0])
		}
		m[f[0]] = expectedFailure{pattern: f[1], reason: f[2]}
	}
	return m
}

// tail keeps the end of a test's output, where its failure is, without
// the driver's own trace lines (the suite logs every token it reads).
func tail(s string) string {
	var keep []string
	for _, l := range strings.Split(s, "\n") {
		if !strings.Contains(l, "tds_test.go:423:") && !strings.HasPrefix(l, "=== ") {
			keep = append(keep, l)
		}
	}
	s = strings.Join(keep, "\n")
	const max = 1500
	if len(s) <= max {
		return s
	}
	return fmt.Sprintf("...%s", s[len(s)-max:])
}
