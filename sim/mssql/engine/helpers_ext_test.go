package engine_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/engine/enginerec"
	"github.com/pchatdr/harness/sim/mssql/features"
	"github.com/pchatdr/harness/sim/mssql/hostfs"
)

// The external tests' helpers: instances built with features.Default()
// (BACKUP and RESTORE, among others, are features outside the engine), the
// recorder and its helpers from enginerec.

type recorder = enginerec.Recorder

func login(t testing.TB, inst *engine.Instance, app string) *engine.Session {
	t.Helper()
	return enginerec.Login(t, inst, app)
}

func run(t testing.TB, s *engine.Session, sql string) *recorder {
	t.Helper()
	return enginerec.Run(t, s, sql)
}

func mustRun(t testing.TB, s *engine.Session, sql string) *recorder {
	t.Helper()
	return enginerec.MustRun(t, s, sql)
}

// bkEnv is one or two instances sharing a "share" folder mounted as
// \\files\share on both, each with its own C:\ drive.
type bkEnv struct {
	share string
	dirs  map[string]string
	insts map[string]*engine.Instance
	t     *testing.T
}

func newBkEnv(t *testing.T) *bkEnv {
	t.Helper()
	return &bkEnv{share: t.TempDir(), dirs: map[string]string{}, insts: map[string]*engine.Instance{}, t: t}
}

// start (re)starts instance name with optional extra access rules.
func (e *bkEnv) start(name string, rules ...hostfs.Rule) *engine.Instance {
	e.t.Helper()
	dir, ok := e.dirs[name]
	if !ok {
		dir = e.t.TempDir()
		e.dirs[name] = dir
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
		Files: &hostfs.Config{Mounts: []hostfs.Mount{{Prefix: `C:\`, Host: cdrive}, {Prefix: `\\files\share`, Host: e.share}},
			Rules: rules, DefaultBackup: `C:\`},
		Features: features.Default()})
	if err != nil {
		e.t.Fatalf("New %s: %v", name, err)
	}
	e.insts[name] = inst
	e.t.Cleanup(func() { inst.Close() })
	return inst
}

// bkExec runs sql and returns the error numbers and info message texts.
func bkExec(t *testing.T, s *engine.Session, sql string) (errs []int32, infos []string, r *recorder) {
	t.Helper()
	r = run(t, s, sql)
	for _, m := range r.Msgs {
		if m.Class > 10 {
			errs = append(errs, m.Number)
		} else {
			infos = append(infos, m.Message)
		}
	}
	return errs, infos, r
}

func bkOK(t *testing.T, s *engine.Session, sql string) *recorder {
	t.Helper()
	errs, _, r := bkExec(t, s, sql)
	if len(errs) > 0 {
		t.Fatalf("%s: errors %v: %v", sql, errs, r.Errors())
	}
	return r
}

func bkWantErr(t *testing.T, s *engine.Session, sql string, want ...int32) {
	t.Helper()
	errs, _, r := bkExec(t, s, sql)
	if fmt.Sprint(errs) != fmt.Sprint(want) {
		t.Fatalf("%s: errors %v, want %v (%v)", sql, errs, want, r.Errors())
	}
}

func scalar(t *testing.T, s *engine.Session, sql string) string {
	t.Helper()
	r := bkOK(t, s, sql)
	ls := r.Last()
	if ls == nil || len(ls.Rows) != 1 {
		t.Fatalf("%s: want one row", sql)
	}
	return fmt.Sprint(ls.Rows[0][0])
}
