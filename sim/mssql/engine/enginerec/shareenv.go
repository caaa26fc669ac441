package enginerec

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/hostfs"
)

// ShareEnv is one or two instances sharing a "share" folder mounted as
// \\files\share on both, each with its own C:\ drive: what the tests of
// BACKUP, RESTORE and the volumes they fill need. The caller gives the
// feature list (features.Default() in practice): this package cannot
// import it, since feature packages' own tests import this one.
type ShareEnv struct {
	Share string            // the share's host folder
	Dirs  map[string]string // each instance's host folder (its C:\ is Dirs[name]/c)

	insts    map[string]*engine.Instance
	features []engine.Feature
	t        testing.TB
}

// NewShareEnv is an empty environment; Start adds instances to it.
func NewShareEnv(t testing.TB, features []engine.Feature) *ShareEnv {
	t.Helper()
	return &ShareEnv{Share: t.TempDir(), Dirs: map[string]string{}, insts: map[string]*engine.Instance{}, features: features, t: t}
}

// Start (re)starts instance name, over the same folders as before, with
// optional access rules (default: everyone reads and writes C:\ and the
// share).
func (e *ShareEnv) Start(name string, rules ...hostfs.Rule) *engine.Instance {
	e.t.Helper()
	dir, ok := e.Dirs[name]
	if !ok {
		dir = e.t.TempDir()
		e.Dirs[name] = dir
	}
	cdrive := filepath.Join(dir, "c")
	if err := os.MkdirAll(cdrive, 0o755); err != nil {
		e.t.Fatal(err)
	}
	if len(rules) == 0 {
		rules = []hostfs.Rule{{Account: "*", Prefix: `C:\`, Access: hostfs.ReadWrite}, {Account: "*", Prefix: `\\files\share`, Access: hostfs.ReadWrite}}
	}
	inst, err := engine.New(engine.Config{Name: name, DataDir: filepath.Join(dir, "data"), SAPassword: "Pa55w.rd!", NoSync: true,
		ServiceAccount: `CONTOSO\sqlsvc`, AgentAccount: `CONTOSO\sqlagent`,
		Files: &hostfs.Config{Mounts: []hostfs.Mount{{Prefix: `C:\`, Host: cdrive}, {Prefix: `\\files\share`, Host: e.Share}},
			Rules: rules, DefaultBackup: `C:\`},
		Features: e.features})
	if err != nil {
		e.t.Fatalf("New %s: %v", name, err)
	}
	e.insts[name] = inst
	e.t.Cleanup(func() { inst.Close() })
	return inst
}

// Stop closes instance name; Start brings it back over its files.
func (e *ShareEnv) Stop(name string) {
	e.t.Helper()
	if err := e.insts[name].Close(); err != nil {
		e.t.Fatalf("close %s: %v", name, err)
	}
}

// Exec runs sql and returns the error numbers and the info messages' texts.
func Exec(t testing.TB, s *engine.Session, sql string) (errs []int32, infos []string, r *Recorder) {
	t.Helper()
	r = Run(t, s, sql)
	for _, m := range r.Msgs {
		if m.Class > 10 {
			errs = append(errs, m.Number)
		} else {
			infos = append(infos, m.Message)
		}
	}
	return errs, infos, r
}

// OK runs sql and fails the test on any error.
func OK(t testing.TB, s *engine.Session, sql string) *Recorder {
	t.Helper()
	errs, _, r := Exec(t, s, sql)
	if len(errs) > 0 {
		t.Fatalf("%s: errors %v: %v", sql, errs, r.Errors())
	}
	return r
}

// WantErr runs sql and fails the test unless it raised exactly want.
func WantErr(t testing.TB, s *engine.Session, sql string, want ...int32) {
	t.Helper()
	errs, _, r := Exec(t, s, sql)
	if fmt.Sprint(errs) != fmt.Sprint(want) {
		t.Fatalf("%s: errors %v, want %v (%v)", sql, errs, want, r.Errors())
	}
}

// Scalar runs sql, which must succeed with one row, and renders its first value.
func Scalar(t testing.TB, s *engine.Session, sql string) string {
	t.Helper()
	r := OK(t, s, sql)
	ls := r.Last()
	if ls == nil || len(ls.Rows) != 1 {
		t.Fatalf("%s: want one row", sql)
	}
	return fmt.Sprint(ls.Rows[0][0])
}
