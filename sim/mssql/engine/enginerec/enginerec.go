// Package enginerec is the test recorder of a simulated SQL Server
// session: an engine.Results that keeps everything a request produced
// (result sets, messages, DONE tokens, environment changes, return
// values), with the helpers the engine's feature packages' tests share
// (log in, run a batch, render a row). The engine's own internal tests
// keep their copy: they cannot import a package that imports the engine.
package enginerec

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/enginetest"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// Recorder is an engine.Results that keeps everything a request produced
// (the engine's own tests' Recorder, for this package's external tests).
type Recorder struct {
	Sets    []*ResultSet
	Msgs    []*engine.Error
	Dones   []engine.DoneInfo
	Envs    []engine.EnvChange
	Status  []int32
	Retvals []engine.ReturnValue
	cur     *ResultSet
	Events  []string
}

type ResultSet struct {
	Cols []engine.Column
	Rows [][]engine.Value
}

func (r *Recorder) Columns(cols []engine.Column) error {
	r.cur = &ResultSet{Cols: cols}
	r.Sets = append(r.Sets, r.cur)
	r.Events = append(r.Events, "cols")
	return nil
}

func (r *Recorder) Row(vals []engine.Value) error {
	if r.cur == nil {
		return fmt.Errorf("row before columns")
	}
	if len(vals) != len(r.cur.Cols) {
		return fmt.Errorf("row has %d values, %d columns", len(vals), len(r.cur.Cols))
	}
	for i, v := range vals {
		if err := checkValueType(v, r.cur.Cols[i].Type); err != nil {
			return fmt.Errorf("column %d (%s): %w", i, r.cur.Cols[i].Name, err)
		}
	}
	r.cur.Rows = append(r.cur.Rows, vals)
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
		ok = t.Kind == sqltypes.KindDecimal || t.Kind.IsMoney()
	case engine.GUID:
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

func (r *Recorder) Done(d engine.DoneInfo) error {
	r.Dones = append(r.Dones, d)
	r.cur = nil
	r.Events = append(r.Events, "done")
	return nil
}
func (r *Recorder) Message(m *engine.Error) error {
	r.Msgs = append(r.Msgs, m)
	r.Events = append(r.Events, fmt.Sprintf("msg %d", m.Number))
	return nil
}
func (r *Recorder) EnvChange(c engine.EnvChange) error { r.Envs = append(r.Envs, c); return nil }
func (r *Recorder) ReturnStatus(s int32) error         { r.Status = append(r.Status, s); return nil }
func (r *Recorder) ReturnValue(v engine.ReturnValue) error {
	r.Retvals = append(r.Retvals, v)
	return nil
}

// Errors returns the error messages (class > 10).
func (r *Recorder) Errors() []*engine.Error {
	var out []*engine.Error
	for _, m := range r.Msgs {
		if m.Class > 10 {
			out = append(out, m)
		}
	}
	return out
}

func (r *Recorder) ErrNums() []int32 {
	var out []int32
	for _, m := range r.Errors() {
		out = append(out, m.Number)
	}
	return out
}

func (r *Recorder) Last() *ResultSet {
	if len(r.Sets) == 0 {
		return nil
	}
	return r.Sets[len(r.Sets)-1]
}

func Login(t testing.TB, inst *engine.Instance, app string) *engine.Session {
	t.Helper()
	s, err := inst.Login(context.Background(), engine.LoginRequest{User: "sa", Password: "Pa55w.rd!", AppName: app, HostName: "testhost"})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	return s
}

func Run(t testing.TB, s *engine.Session, sql string) *Recorder {
	t.Helper()
	r := &Recorder{}
	if err := s.Batch(context.Background(), sql, r); err != nil {
		t.Fatalf("batch %q: transport error %v", sql, err)
	}
	if len(r.Dones) == 0 {
		t.Fatalf("batch %q: no DONE", sql)
	}
	return r
}

func MustRun(t testing.TB, s *engine.Session, sql string) *Recorder {
	t.Helper()
	r := Run(t, s, sql)
	if errs := r.Errors(); len(errs) > 0 {
		t.Fatalf("batch %q: %v", sql, errs[0])
	}
	return r
}

// FmtRow renders a row for comparisons: NULL, numbers, strings as text.
func FmtRow(row []engine.Value, cols []engine.Column) string {
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

// Script is an engine session as enginetest's in-process runner sees it:
// the last result set rendered by FmtRow, every message. The feature
// packages' script tables and the engine's external tests run through it.
func Script(t testing.TB, s *engine.Session) enginetest.Session { return scriptSession{t: t, s: s} }

type scriptSession struct {
	t testing.TB
	s *engine.Session
}

func (ss scriptSession) Batch(text string) (enginetest.Batch, error) {
	r := Run(ss.t, ss.s, text)
	var b enginetest.Batch
	for _, m := range r.Msgs {
		b.Messages = append(b.Messages, enginetest.Message{Number: m.Number, Class: m.Class, Line: m.Line, Text: m.Message})
	}
	if rs := r.Last(); rs != nil {
		b.Columns = make([]string, len(rs.Cols))
		for i, c := range rs.Cols {
			b.Columns[i] = c.Name
		}
		for _, row := range rs.Rows {
			b.Rows = append(b.Rows, FmtRow(row, rs.Cols))
		}
	}
	return b, nil
}
