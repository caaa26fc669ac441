package msdb_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/enginetest"
	"github.com/pchatdr/harness/sim/mssql/features"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// recorder is an engine.Results that keeps everything a request produced
// (the engine's own tests' recorder, for this package's external tests).
type recorder struct {
	sets    []*resultSet
	msgs    []*engine.Error
	dones   []engine.DoneInfo
	envs    []engine.EnvChange
	status  []int32
	retvals []engine.ReturnValue
	cur     *resultSet
	events  []string
}

type resultSet struct {
	cols []engine.Column
	rows [][]engine.Value
}

func (r *recorder) Columns(cols []engine.Column) error {
	r.cur = &resultSet{cols: cols}
	r.sets = append(r.sets, r.cur)
	r.events = append(r.events, "cols")
	return nil
}

func (r *recorder) Row(vals []engine.Value) error {
	if r.cur == nil {
		return fmt.Errorf("row before columns")
	}
	if len(vals) != len(r.cur.cols) {
		return fmt.Errorf("row has %d values, %d columns", len(vals), len(r.cur.cols))
	}
	for i, v := range vals {
		if err := checkValueType(v, r.cur.cols[i].Type); err != nil {
			return fmt.Errorf("column %d (%s): %w", i, r.cur.cols[i].Name, err)
		}
	}
	r.cur.rows = append(r.cur.rows, vals)
	return nil
}

// checkValueType verifies a value fits the declared column type, as the
// TDS encoder will need.
func checkValueType(v engine.Value, t engine.Type) error {
	if v == nil {
		return nil
	}
	ok := false
	switch v.(type) {
	case int64:
		ok = t.Kind.IsInteger()
	case bool:
		ok = t.Kind == sqltypes.KindBit
	case float64:
		ok = t.Kind == sqltypes.KindFloat || t.Kind == sqltypes.KindReal
	case string:
		ok = t.Kind.IsString() && (t.Length == sqltypes.MaxLength || sqltypes.Fits(v, t))
	case []byte:
		ok = t.Kind.IsBinary() && (t.Length == sqltypes.MaxLength || sqltypes.Fits(v, t))
	case engine.Decimal:
		ok = t.Kind == sqltypes.KindDecimal
	case engine.GUID:
		ok = t.Kind == sqltypes.KindUniqueIdentifier
	default:
		ok = t.Kind.IsDateTime()
	}
	if !ok {
		return fmt.Errorf("value %#v (%T) does not fit %v", v, v, t)
	}
	return nil
}

func (r *recorder) Done(d engine.DoneInfo) error {
	r.dones = append(r.dones, d)
	r.cur = nil
	r.events = append(r.events, "done")
	return nil
}
func (r *recorder) Message(m *engine.Error) error {
	r.msgs = append(r.msgs, m)
	r.events = append(r.events, fmt.Sprintf("msg %d", m.Number))
	return nil
}
func (r *recorder) EnvChange(c engine.EnvChange) error { r.envs = append(r.envs, c); return nil }
func (r *recorder) ReturnStatus(s int32) error         { r.status = append(r.status, s); return nil }
func (r *recorder) ReturnValue(v engine.ReturnValue) error {
	r.retvals = append(r.retvals, v)
	return nil
}

// errors returns the error messages (class > 10).
func (r *recorder) errors() []*engine.Error {
	var out []*engine.Error
	for _, m := range r.msgs {
		if m.Class > 10 {
			out = append(out, m)
		}
	}
	return out
}

func (r *recorder) errNums() []int32 {
	var out []int32
	for _, m := range r.errors() {
		out = append(out, m.Number)
	}
	return out
}

func (r *recorder) last() *resultSet {
	if len(r.sets) == 0 {
		return nil
	}
	return r.sets[len(r.sets)-1]
}

func login(t testing.TB, inst *engine.Instance, app string) *engine.Session {
	t.Helper()
	s, err := inst.Login(context.Background(), engine.LoginRequest{User: "sa", Password: "Pa55w.rd!", AppName: app, HostName: "testhost"})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	return s
}

func run(t testing.TB, s *engine.Session, sql string) *recorder {
	t.Helper()
	r := &recorder{}
	if err := s.Batch(context.Background(), sql, r); err != nil {
		t.Fatalf("batch %q: transport error %v", sql, err)
	}
	if len(r.dones) == 0 {
		t.Fatalf("batch %q: no DONE", sql)
	}
	return r
}

func mustRun(t testing.TB, s *engine.Session, sql string) *recorder {
	t.Helper()
	r := run(t, s, sql)
	if errs := r.errors(); len(errs) > 0 {
		t.Fatalf("batch %q: %v", sql, errs[0])
	}
	return r
}

// fmtRow renders a row for comparisons: NULL, numbers, strings as text.
func fmtRow(row []engine.Value, cols []engine.Column) string {
	parts := make([]string, len(row))
	for i, v := range row {
		if v == nil {
			parts[i] = "NULL"
			continue
		}
		if cols[i].Type.Kind.IsDateTime() {
			s, err := sqltypes.ConvertStyle(v, cols[i].Type, sqltypes.NVarChar(100), 121)
			if err == nil {
				parts[i] = s.(string)
				continue
			}
		}
		parts[i] = sqltypes.FormatValue(v, cols[i].Type)
	}
	return strings.Join(parts, "|")
}

func rowsOf(t *testing.T, s *engine.Session, q string) []string {
	t.Helper()
	r := mustRun(t, s, q)
	var out []string
	for _, row := range r.last().rows {
		out = append(out, fmtRow(row, r.last().cols))
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
		return scriptSession{t: t, s: login(t, inst, "scripttest")}
	})
}

// scriptSession is an engine session as enginetest's in-process runner
// sees it: the last result set rendered by fmtRow, every message.
type scriptSession struct {
	t *testing.T
	s *engine.Session
}

func (ss scriptSession) Batch(text string) (enginetest.Batch, error) {
	r := run(ss.t, ss.s, text)
	var b enginetest.Batch
	for _, m := range r.msgs {
		b.Messages = append(b.Messages, enginetest.Message{Number: m.Number, Class: m.Class, Line: m.Line, Text: m.Message})
	}
	if rs := r.last(); rs != nil {
		b.Columns = make([]string, len(rs.cols))
		for i, c := range rs.cols {
			b.Columns[i] = c.Name
		}
		for _, row := range rs.rows {
			b.Rows = append(b.Rows, fmtRow(row, rs.cols))
		}
	}
	return b, nil
}
