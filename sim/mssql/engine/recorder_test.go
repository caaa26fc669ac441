package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// recorder is a Results that keeps everything a request produced.
type recorder struct {
	sets    []*resultSet
	msgs    []*Error
	dones   []DoneInfo
	envs    []EnvChange
	status  []int32
	retvals []ReturnValue
	cur     *resultSet
	events  []string
}

type resultSet struct {
	cols []Column
	rows [][]Value
}

func (r *recorder) Columns(cols []Column) error {
	r.cur = &resultSet{cols: cols}
	r.sets = append(r.sets, r.cur)
	r.events = append(r.events, "cols")
	return nil
}

func (r *recorder) Row(vals []Value) error {
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
func checkValueType(v Value, t Type) error {
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
	case Decimal:
		ok = t.Kind == sqltypes.KindDecimal || t.Kind.IsMoney()
	case GUID:
		ok = t.Kind == sqltypes.KindUniqueIdentifier
	case sqltypes.Variant:
		ok = t.Kind == sqltypes.KindVariant
	default:
		ok = t.Kind.IsDateTime()
	}
	if !ok {
		return fmt.Errorf("value %#v (%T) does not fit %v", v, v, t)
	}
	return nil
}

func (r *recorder) Done(d DoneInfo) error {
	r.dones = append(r.dones, d)
	r.cur = nil
	r.events = append(r.events, "done")
	return nil
}
func (r *recorder) Message(m *Error) error {
	r.msgs = append(r.msgs, m)
	r.events = append(r.events, fmt.Sprintf("msg %d", m.Number))
	return nil
}
func (r *recorder) EnvChange(c EnvChange) error { r.envs = append(r.envs, c); return nil }
func (r *recorder) ReturnStatus(s int32) error  { r.status = append(r.status, s); return nil }
func (r *recorder) ReturnValue(v ReturnValue) error {
	r.retvals = append(r.retvals, v)
	return nil
}

// errors returns the error messages (class > 10).
func (r *recorder) errors() []*Error {
	var out []*Error
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

func newTestInstance(t testing.TB, dir string) *Instance {
	t.Helper()
	inst, err := newInstance(Config{Name: "SIMSQL01", DataDir: dir, SAPassword: "Pa55w.rd!", NoSync: true,
		Logins: map[string]string{"chat": "chatpw"}, ServiceAccount: "NT Service\\MSSQLSERVER",
		AgentAccount: "CONTOSO\\sqlagent", AgentRunning: true})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return inst
}

func login(t testing.TB, inst *Instance, app string) *Session {
	t.Helper()
	s, err := inst.Login(context.Background(), LoginRequest{User: "sa", Password: "Pa55w.rd!", AppName: app, HostName: "testhost"})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	return s
}

func run(t testing.TB, s *Session, sql string) *recorder {
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

func mustRun(t testing.TB, s *Session, sql string) *recorder {
	t.Helper()
	r := run(t, s, sql)
	if errs := r.errors(); len(errs) > 0 {
		t.Fatalf("batch %q: %v", sql, errs[0])
	}
	return r
}

// fmtRow renders a row for comparisons: NULL, numbers, strings as text.
func fmtRow(row []Value, cols []Column) string {
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
