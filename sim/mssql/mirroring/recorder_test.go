package mirroring_test

import (
	"testing"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/engine/enginerec"
)

// The recorder and its helpers are enginerec's, shared with the other
// feature packages' tests.
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

func fmtRow(row []engine.Value, cols []engine.Column) string { return enginerec.FmtRow(row, cols) }
