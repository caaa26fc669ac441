// Command racepkgs prints the packages, among those named on its command
// line (go list patterns), whose tests can meet a data race: the package
// itself, its tests or a package of this module they reach starts a
// goroutine or shares memory on purpose (sync, sync/atomic, t.Parallel).
// make test runs those under the race detector and the rest plain.
//
// Why: the guide asks for `go test -race` on the packages with
// concurrency. A pure package (the T-SQL parser, the collations, the codecs)
// has no goroutine of its own and none in what its tests call; under -race it
// only paid for an instrumented link and 2-10x slower tests, with no race the
// detector could see. Its code still runs under the detector wherever a
// concurrent package uses it. The rule is computed, not listed, so a package
// that gains a goroutine moves into the race run by itself.
//
// Usage: go run ./scripts/racepkgs [-plain] PATTERN...
// -plain prints the other packages instead (those with no concurrency).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// concurrency matches what lets memory be shared between goroutines: a go
// statement, the sync and sync/atomic packages, a parallel test.
var concurrency = regexp.MustCompile(`(?m)^\s*go\s+[\w(]|\bgo func\b|"sync"|"sync/atomic"|\bt\.Parallel\(\)`)

type pkg struct {
	ImportPath   string
	Dir          string
	Module       *struct{ Path string }
	GoFiles      []string
	CgoFiles     []string
	TestGoFiles  []string
	XTestGoFiles []string
	Deps         []string
	ForTest      string
}

func main() {
	plain := flag.Bool("plain", false, "print the packages without concurrency instead")
	flag.Parse()
	if err := run(os.Stdout, *plain, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "racepkgs:", err)
		os.Exit(1)
	}
}

func run(w io.Writer, plain bool, patterns []string) error {
	if len(patterns) == 0 {
		return errors.New("no package patterns: name the packages to sort (./sim/... for example)")
	}
	wanted, err := list(patterns, false)
	if err != nil {
		return err
	}
	all, err := list(patterns, true)
	if err != nil {
		return err
	}
	if wanted[0].Module == nil {
		return fmt.Errorf("%s is in no module: run racepkgs inside the project", wanted[0].ImportPath)
	}
	module := wanted[0].Module.Path
	byPath := map[string]pkg{}
	for _, p := range all {
		byPath[p.ImportPath] = p
	}
	own := map[string]bool{} // import path -> has concurrency in its own files
	hasOwn := func(path string) (bool, error) {
		if v, ok := own[path]; ok {
			return v, nil
		}
		p, ok := byPath[path]
		if !ok || p.Module == nil || p.Module.Path != module {
			own[path] = false // outside the module: the standard library and dependencies are not ours to race-test
			return false, nil
		}
		files := append(append(append(append([]string{}, p.GoFiles...), p.CgoFiles...), p.TestGoFiles...), p.XTestGoFiles...)
		for _, f := range files {
			b, err := os.ReadFile(filepath.Join(p.Dir, f))
			if err != nil {
				return false, fmt.Errorf("read %s: %w", f, err)
			}
			if concurrency.Match(b) {
				own[path] = true
				return true, nil
			}
		}
		own[path] = false
		return false, nil
	}
	// The test variants ("p [p.test]", "p_test [p.test]", "p.test") carry
	// the deps of the package's test binary.
	testDeps := map[string][]string{}
	for _, p := range all {
		if p.ForTest != "" {
			testDeps[p.ForTest] = append(testDeps[p.ForTest], p.Deps...)
		}
		if strings.HasSuffix(p.ImportPath, ".test") {
			base := strings.TrimSuffix(p.ImportPath, ".test")
			testDeps[base] = append(testDeps[base], p.Deps...)
		}
	}
	var out []string
	for _, p := range wanted {
		conc, err := hasOwn(p.ImportPath)
		if err != nil {
			return err
		}
		for _, d := range append(append([]string{}, p.Deps...), testDeps[p.ImportPath]...) {
			if conc {
				break
			}
			d = strings.TrimSpace(strings.SplitN(d, " [", 2)[0])
			if conc, err = hasOwn(d); err != nil {
				return err
			}
		}
		if conc != plain {
			out = append(out, p.ImportPath)
		}
	}
	sort.Strings(out)
	for _, p := range out {
		fmt.Fprintln(w, p)
	}
	return nil
}

// list runs go list -json over the patterns (with -deps -test: every
// package their test binaries link, test variants included).
func list(patterns []string, deps bool) ([]pkg, error) {
	args := []string{"list", "-e", "-json=ImportPath,Dir,Module,GoFiles,CgoFiles,TestGoFiles,XTestGoFiles,Deps,ForTest"}
	if deps {
		args = append(args, "-deps", "-test")
	}
	cmd := exec.Command("go", append(args, patterns...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	var pkgs []pkg
	dec := json.NewDecoder(bufio.NewReader(bytes.NewReader(stdout)))
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			return nil, fmt.Errorf("go list output: %w", err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("no packages match %s", strings.Join(patterns, " "))
	}
	return pkgs, nil
}
