package msdb

import (
	"context"
	"fmt"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// The Agent, the log-shipping procedures and the log-shipping jobs keep
// their state in real msdb tables and do their work in T-SQL, on internal
// sessions, exactly as SQL Server's own procedures and sqllogship.exe do:
// that way every rule (BACKUP LOG's refusals, RESTORE's chain checks,
// durability, recovery after a crash) is the engine's, not a copy of it.
// This file is the small toolkit they share: a Results that keeps what a
// batch produced, a runner on a system session, and literal quoting.

// sqlSink is a Results that keeps result sets and messages.
type sqlSink struct {
	sets [][][]Value
	cols [][]Column
	msgs []*engine.Error
}

func (r *sqlSink) Columns(cols []Column) error {
	r.cols = append(r.cols, cols)
	r.sets = append(r.sets, nil)
	return nil
}

func (r *sqlSink) Row(vals []Value) error {
	if len(r.sets) == 0 {
		return fmt.Errorf("row before columns")
	}
	r.sets[len(r.sets)-1] = append(r.sets[len(r.sets)-1], vals)
	return nil
}

func (r *sqlSink) Done(engine.DoneInfo) error           { return nil }
func (r *sqlSink) Message(m *engine.Error) error        { r.msgs = append(r.msgs, m); return nil }
func (r *sqlSink) EnvChange(engine.EnvChange) error     { return nil }
func (r *sqlSink) ReturnStatus(int32) error             { return nil }
func (r *sqlSink) ReturnValue(engine.ReturnValue) error { return nil }
func (r *sqlSink) errs() []*engine.Error                { return filterMsgs(r.msgs, true) }
func (r *sqlSink) rows(set int) [][]Value               { return pickSet(r.sets, set) }
func pickSet(sets [][][]Value, i int) [][]Value {
	if i < len(sets) {
		return sets[i]
	}
	return nil
}

func filterMsgs(ms []*engine.Error, errs bool) []*engine.Error {
	var out []*engine.Error
	for _, m := range ms {
		if (m.Class > 10) == errs {
			out = append(out, m)
		}
	}
	return out
}

// systemSQL runs text on a new system session in database db and returns
// what it produced. The first error message (severity > 10) is returned as
// the error, so callers that only care whether it worked can stop there;
// the sink still holds every message in order.
func systemSQL(ctx context.Context, inst *engine.Instance, db, text string) (*sqlSink, error) {
	s, err := inst.SystemSession(db)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return runOn(ctx, s, text)
}

func runOn(ctx context.Context, s *engine.Session, text string) (*sqlSink, error) {
	sink := &sqlSink{}
	if err := s.Batch(ctx, text, sink); err != nil {
		return sink, err
	}
	if e := sink.errs(); len(e) > 0 {
		return sink, e[0]
	}
	return sink, nil
}

// agentLit renders a Go value as a T-SQL literal (sqltypes.Literal).
func agentLit(v any) string { return sqltypes.Literal(v) }

// Value readers for rows read back from msdb.
func vStr(v Value) string { return sqltypes.AsString(v) }
func vInt(v Value) int64  { return sqltypes.AsInt64(v) }

func vGUID(v Value) GUID {
	g, _ := v.(GUID)
	return g
}
