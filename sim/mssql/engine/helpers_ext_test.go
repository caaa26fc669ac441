package engine_test

import (
	"testing"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/engine/enginerec"
	"github.com/pchatdr/harness/sim/mssql/features"
)

// The external tests' helpers: instances built with features.Default()
// (BACKUP and RESTORE, among others, are features outside the engine), the
// recorder and its helpers from enginerec.

type recorder = enginerec.Recorder

func login(t testing.TB, inst *engine.Instance, app string) *engine.Session {
	t.Helper()
	return enginerec.Login(t, inst, app)
}

func mustRun(t testing.TB, s *engine.Session, sql string) *recorder {
	t.Helper()
	return enginerec.MustRun(t, s, sql)
}

// newBkEnv is enginerec's two-instance share environment on instances with
// every feature (BACKUP and RESTORE are features outside the engine).
func newBkEnv(t *testing.T) *enginerec.ShareEnv {
	t.Helper()
	return enginerec.NewShareEnv(t, features.Default())
}

func bkOK(t *testing.T, s *engine.Session, sql string) *recorder {
	t.Helper()
	return enginerec.OK(t, s, sql)
}

func scalar(t *testing.T, s *engine.Session, sql string) string {
	t.Helper()
	return enginerec.Scalar(t, s, sql)
}
