package sessionstmt_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/mssql/collation"
	"github.com/pchatdr/harness/sim/mssql/query"
	"github.com/pchatdr/harness/sim/mssql/sessionstmt"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// literals is a query.Scope with no names: the statements' arguments are
// literals.
type literals struct{}

func (literals) Context() context.Context { return context.Background() }
func (literals) Collation() collation.ID  { return collation.Default }
func (literals) Var(string) query.Var     { return nil }
func (literals) Func(string) query.Func   { return nil }
func (literals) GlobalVar(x *tsql.GlobalVarRef) (*query.Expr, error) {
	return nil, sqlerr.New(sqlerr.MustDeclareVariable, x.Name)
}
func (literals) Table(x *tsql.TableRef) (*query.Source, error) {
	return nil, sqlerr.New(sqlerr.InvalidObject, x.Name.Object().Name)
}
func (literals) TableVar(x *tsql.TableVarRef) (*query.Source, error) {
	return nil, sqlerr.New(sqlerr.MustDeclareTableVariable, x.Name)
}
func (literals) TableFunc(x *tsql.FuncTable) (*query.Source, error) {
	return nil, sqlerr.New(sqlerr.InvalidObject, query.NameText(&x.Call.Name))
}

func parse[T tsql.Stmt](t *testing.T, text string) T {
	t.Helper()
	stmts, err := tsql.Parse(text)
	if err != nil {
		t.Fatalf("parse %q: %v", text, err)
	}
	x, ok := stmts[0].(T)
	if !ok {
		t.Fatalf("%q is a %T", text, stmts[0])
	}
	return x
}

func number(err error) int32 {
	var e *sqlerr.Error
	if errors.As(err, &e) {
		return e.Number
	}
	return -1
}

// TestMessages: what PRINT, RAISERROR and THROW send, and their errors.
func TestMessages(t *testing.T) {
	ev := query.New(literals{})
	m, err := sessionstmt.Raiserror(ev, parse[*tsql.RaiserrorStmt](t, "RAISERROR('row %d of %s', 16, 300, 5, N'x')"))
	if err != nil || m.Number != 50000 || m.Class != 16 || m.State != 255 || m.Message != "row 5 of x" {
		t.Fatalf("RAISERROR string: %+v %v", m, err)
	}
	m, err = sessionstmt.Raiserror(ev, parse[*tsql.RaiserrorStmt](t, "RAISERROR(60000, 10, 1)"))
	if err != nil || m.Number != 18054 || m.Class != 16 {
		t.Fatalf("RAISERROR number: %+v %v", m, err)
	}
	if _, err := sessionstmt.Raiserror(ev, parse[*tsql.RaiserrorStmt](t, "RAISERROR('x', 19, 1)")); number(err) != sqlerr.SeverityNeedsSysadmin {
		t.Fatalf("severity 19 without LOG: %v", err)
	}
	if _, err := sessionstmt.Raiserror(ev, parse[*tsql.RaiserrorStmt](t, "RAISERROR(50000, 16, 1)")); number(err) != sqlerr.InvalidErrorNumber {
		t.Fatalf("RAISERROR(50000): %v", err)
	}
	m, err = sessionstmt.Throw(ev, parse[*tsql.ThrowStmt](t, "THROW 50001, 'boom', 3"))
	if err != nil || m.Number != 50001 || m.Class != 16 || m.State != 3 || m.Message != "boom" {
		t.Fatalf("THROW: %+v %v", m, err)
	}
	if _, err := sessionstmt.Throw(ev, parse[*tsql.ThrowStmt](t, "THROW 49999, 'x', 1")); number(err) != sqlerr.ThrowNumberOutOfRange {
		t.Fatalf("THROW 49999: %v", err)
	}
	m, err = sessionstmt.Print(ev, parse[*tsql.PrintStmt](t, "PRINT 42"))
	if err != nil || m.Number != 0 || m.Class != 0 || m.Message != "42" {
		t.Fatalf("PRINT: %+v %v", m, err)
	}
	if _, err := sessionstmt.Print(ev, parse[*tsql.PrintStmt](t, "PRINT 0x01")); number(err) != sqlerr.ImplicitConversionNotAllowed {
		t.Fatalf("PRINT varbinary: %v", err)
	}
}

// TestWaitAndKill: WAITFOR's durations (TIME from the given clock, the
// next day when the time has passed) and KILL's target.
func TestWaitAndKill(t *testing.T) {
	ev := query.New(literals{})
	now := time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC)
	for text, want := range map[string]time.Duration{
		"WAITFOR DELAY '00:00:02'": 2 * time.Second,
		"WAITFOR TIME '10:30'":     30 * time.Minute,
		"WAITFOR TIME '09:00'":     23 * time.Hour,
	} {
		d, err := sessionstmt.Wait(ev, parse[*tsql.WaitforStmt](t, text), now)
		if err != nil || d != want {
			t.Errorf("%s: %v %v, want %v", text, d, err, want)
		}
	}
	if _, err := sessionstmt.Wait(ev, parse[*tsql.WaitforStmt](t, "WAITFOR DELAY '25:00'"), now); number(err) != sqlerr.WaitforBadTime {
		t.Errorf("WAITFOR DELAY '25:00': %v", err)
	}
	if n, err := sessionstmt.KillTarget(ev, parse[*tsql.KillStmt](t, "KILL 53")); err != nil || n != 53 {
		t.Errorf("KILL 53: %d %v", n, err)
	}
}
