// Package testbin gives tests the module's commands as binaries they can
// start. make test builds them once, into the folder named by $HARNESS_TEST_BIN,
// before the test processes that use them start (the engine binary was
// built by crashtest, lab and securitytest, each in its own process, each
// a link of its own on the clock of its tests' timeout); a test run without
// it (go test ./crashtest) builds them itself.
package testbin

import (
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
)

// Env names the folder holding the prebuilt commands, one file per
// command named for its folder (cmd/failback: failback).
const Env = "HARNESS_TEST_BIN"

const module = "github.com/pchatdr/harness/"

// Build returns the binaries of the commands cmds (folders of the module,
// "cmd/failback"), in the same order: the prebuilt ones when $HARNESS_TEST_BIN
// holds them all, else built into dir by one go build.
func Build(dir string, cmds ...string) ([]string, error) {
	if pre := os.Getenv(Env); pre != "" {
		if bins, ok := prebuilt(pre, cmds); ok {
			return bins, nil
		}
	}
	args := []string{"build", "-o", dir + string(filepath.Separator)}
	bins := make([]string, len(cmds))
	for i, c := range cmds {
		args = append(args, module+c)
		bins[i] = filepath.Join(dir, path.Base(c))
	}
	if out, err := exec.Command("go", args...).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %w\n%s", err, out)
	}
	return bins, nil
}

// prebuilt returns the commands' binaries in dir when every one is there.
func prebuilt(dir string, cmds []string) ([]string, bool) {
	bins := make([]string, len(cmds))
	for i, c := range cmds {
		b := filepath.Join(dir, path.Base(c))
		if fi, err := os.Stat(b); err != nil || fi.IsDir() {
			return nil, false
		}
		bins[i] = b
	}
	return bins, true
}
