package engine

import (
	"context"
	"fmt"

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
	msgs []*Error
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

func (r *sqlSink) Done(DoneInfo) error           { return nil }
func (r *sqlSink) Message(m *Error) error        { r.msgs = append(r.msgs, m); return nil }
func (r *sqlSink) EnvChange(EnvChange) error     { return nil }
func (r *sqlSink) ReturnStatus(int32) error      { return nil }
func (r *sqlSink) ReturnValue(ReturnValue) error { return nil }
func (r *sqlSink) errs() []*Error                { return filterMsgs(r.msgs, true) }
func (r *sqlSink) rows(set int) [][]Value        { return pickSet(r.sets, set) }
func pickSet(sets [][][]Value, i int) [][]Value {
	if i < len(sets) {
		return sets[i]
	}
	return nil
}

func filterMsgs(ms []*Error, errs bool) []*Error {
	var out []*Error
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
func (inst *Instance) systemSQL(ctx context.Context, db, text string) (*sqlSink, error) {
	s, err := inst.SystemSession(db)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return runOn(ctx, s, text)
}

func runOn(ctx context.Context, s *Session, text string) (*sqlSink, error) {
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
func vStr(v Value) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

func vInt(v Value) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case bool:
		if x {
			return 1
		}
	case Decimal:
		if x.Unscaled != nil && x.Scale == 0 && x.Unscaled.IsInt64() {
			return x.Unscaled.Int64()
		}
	}
	return 0
}

func vGUID(v Value) GUID {
	g, _ := v.(GUID)
	return g
}
