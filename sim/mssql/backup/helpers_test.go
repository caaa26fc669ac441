package backup_test

import (
	"strings"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/engine/enginerec"
	"github.com/pchatdr/harness/sim/mssql/features"
)

// The tests' helpers: instances built with features.Default() (the whole
// instance: msdb's history needs the Agent's tables), the recorder and its
// helpers from enginerec.

type recorder = enginerec.Recorder

func login(t testing.TB, inst *engine.Instance, app string) *engine.Session {
	t.Helper()
	return enginerec.Login(t, inst, app)
}

func mustRun(t testing.TB, s *engine.Session, sql string) *recorder {
	t.Helper()
	return enginerec.MustRun(t, s, sql)
}

func wantRows(t *testing.T, s *engine.Session, q string, want ...string) {
	t.Helper()
	r := mustRun(t, s, q)
	var got []string
	if ls := r.Last(); ls != nil {
		for _, row := range ls.Rows {
			got = append(got, enginerec.FmtRow(row, ls.Cols))
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s:\n got %q\nwant %q", q, got, want)
	}
}

// newBkEnv is enginerec's two-instance share environment on instances with
// every feature (BACKUP and RESTORE are features outside the engine).
func newBkEnv(t *testing.T) *enginerec.ShareEnv {
	t.Helper()
	return enginerec.NewShareEnv(t, features.Default())
}

func bkExec(t *testing.T, s *engine.Session, sql string) (errs []int32, infos []string, r *recorder) {
	t.Helper()
	return enginerec.Exec(t, s, sql)
}

func bkOK(t *testing.T, s *engine.Session, sql string) *recorder {
	t.Helper()
	return enginerec.OK(t, s, sql)
}

func bkWantErr(t *testing.T, s *engine.Session, sql string, want ...int32) {
	t.Helper()
	enginerec.WantErr(t, s, sql, want...)
}

func scalar(t *testing.T, s *engine.Session, sql string) string {
	t.Helper()
	return enginerec.Scalar(t, s, sql)
}
