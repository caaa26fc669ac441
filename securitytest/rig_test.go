package securitytest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"sync"
	"testing"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/internal/testbin"
	"github.com/pchatdr/harness/sim/world"
	"github.com/pchatdr/harness/topologies"
)

var (
	buildMu sync.Mutex
	bins    = map[string]string{}
	binDir  string
)

// binary builds a command of the module once per test binary.
func binary(t *testing.T, pkg string) string {
	t.Helper()
	buildMu.Lock()
	defer buildMu.Unlock()
	if b, ok := bins[pkg]; ok {
		return b
	}
	if binDir == "" {
		d, err := os.MkdirTemp("", "securitytest-bin-")
		if err != nil {
			t.Fatal(err)
		}
		binDir = d
	}
	b, err := testbin.Build(binDir, pkg)
	if err != nil {
		t.Fatalf("%s: %v", pkg, err)
	}
	bins[pkg] = b[0]
	return b[0]
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// preFailback starts a world from the embedded topology (edited first when
// edit is set) and brings it to the state an operator fails back from.
func preFailback(t *testing.T, edit func(*topology.Topology)) *world.World {
	t.Helper()
	ctx := context.Background()
	top, err := topologies.Load("embedded.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(top)
		if err := top.Validate(); err != nil {
			t.Fatalf("edited topology: %v", err)
		}
	}
	w, err := world.Start(ctx, world.Options{Topology: top, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	if err := w.FailOver(ctx, world.Scene{MessagesBefore: 20, MessagesDuring: 10, Shortcut: true}); err != nil {
		t.Fatal(err)
	}
	if err := w.RebuildPrimary(ctx); err != nil {
		t.Fatal(err)
	}
	return w
}

// secrets resolves every secret the world generated.
func secrets(t *testing.T, top *topology.Topology) []string {
	t.Helper()
	out, err := Secrets(top)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// engineRun is one `failback` process's outputs.
type engineRun struct {
	code           int
	stdout, stderr bytes.Buffer
}

func runEngine(t *testing.T, dir string, args ...string) *engineRun {
	t.Helper()
	c := exec.Command(binary(t, "cmd/failback"), args...)
	c.Dir = dir
	r := &engineRun{}
	c.Stdout, c.Stderr = &r.stdout, &r.stderr
	err := c.Run()
	r.code = c.ProcessState.ExitCode()
	if err != nil && r.code < 0 {
		t.Fatalf("failback %v: %v", args, err)
	}
	return r
}

func (r *engineRun) String() string {
	return fmt.Sprintf("exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.stdout.String(), r.stderr.String())
}

// runIn runs a built command in dir.
func runIn(t *testing.T, dir, bin string, args ...string) *engineRun {
	t.Helper()
	c := exec.Command(bin, args...)
	c.Dir = dir
	r := &engineRun{}
	c.Stdout, c.Stderr = &r.stdout, &r.stderr
	err := c.Run()
	r.code = c.ProcessState.ExitCode()
	if err != nil && r.code < 0 {
		t.Fatalf("%s %v: %v", bin, args, err)
	}
	return r
}
