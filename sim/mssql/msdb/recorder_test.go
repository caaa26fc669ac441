package msdb_test

import (
	"strings"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/engine/enginerec"
	"github.com/pchatdr/harness/sim/mssql/enginetest"
	"github.com/pchatdr/harness/sim/mssql/features"
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

func rowsOf(t *testing.T, s *engine.Session, q string) []string {
	t.Helper()
	r := mustRun(t, s, q)
	var out []string
	for _, row := range r.Last().Rows {
		out = append(out, fmtRow(row, r.Last().Cols))
	}
	return out
}

func wantRows(t *testing.T, s *engine.Session, q string, want ...string) {
	t.Helper()
	got := rowsOf(t, s, q)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("%s:\n got %q\nwant %q", q, got, want)
	}
}

// newTestInstance is the engine tests' instance with every feature
// (sim/mssql/features), the Agent running.
func newTestInstance(t testing.TB, dir string) *engine.Instance {
	t.Helper()
	inst, err := engine.New(engine.Config{Name: "SIMSQL01", DataDir: dir, SAPassword: "Pa55w.rd!", NoSync: true,
		Logins: map[string]string{"chat": "chatpw"}, ServiceAccount: "NT Service\\MSSQLSERVER",
		AgentAccount: "CONTOSO\\sqlagent", AgentRunning: true, Features: features.Default()})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return inst
}

// runScripts runs script tests in-process, each on a fresh instance. The
// format is enginetest's, the one sim/mssql's tests run over TDS.
func runScripts(t *testing.T, tests []enginetest.ScriptTest) {
	t.Helper()
	enginetest.RunSessions(t, tests, func(t *testing.T) enginetest.Session {
		inst := newTestInstance(t, "")
		t.Cleanup(func() { inst.Close() })
		return enginerec.Script(t, login(t, inst, "scripttest"))
	})
}
