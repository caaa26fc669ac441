// Package sessionstmt holds the rules of the statements that speak to the
// client or wait rather than touch data: the message PRINT, RAISERROR and
// THROW send (severity, state, number, text and their errors: 257, 2732,
// 2754, 35100), how long WAITFOR DELAY/TIME waits (148) and which session
// KILL names (6112 when it is no number).
//
// Each function evaluates the statement's arguments through an Evaluator
// (the statement's query.Builder) and returns what SQL Server would send
// or do; the engine does it: stamps the message with its server, procedure
// and line, hands it to a CATCH block or the client, sets @@ERROR, ends
// the batch or the connection, sleeps, kills. The package knows no
// instance, as sim/mssql/query and sim/mssql/dml do not.
package sessionstmt

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/builtins"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

type (
	// Value is a SQL value (sqltypes).
	Value = sqltypes.Value
	// Type is a SQL type (sqltypes).
	Type = sqltypes.Type
)

// Evaluator evaluates an expression without a row (a query.Builder).
type Evaluator interface {
	Scalar(e tsql.Expr) (Value, Type, error)
}

// newErr builds SQL Server message number (a sqlerr constant).
func newErr(n int32, args ...any) *sqlerr.Error { return sqlerr.New(n, args...) }

// Print is PRINT's message: severity 0, its value as text (257 for a type
// that does not convert implicitly to varchar; NULL prints empty).
func Print(ev Evaluator, x *tsql.PrintStmt) (*sqlerr.Error, error) {
	v, t, err := ev.Scalar(x.Value)
	if err != nil {
		return nil, err
	}
	text := ""
	if v != nil {
		if !t.Kind.IsString() && !t.Kind.IsNumeric() && !t.Kind.IsDateTime() && t.Kind != sqltypes.KindUniqueIdentifier {
			return nil, newErr(sqlerr.ImplicitConversionNotAllowed, t.Name(), "varchar")
		}
		s, err := builtins.ToString(v, t)
		if err != nil {
			return nil, err
		}
		text = s.(string)
	}
	return &sqlerr.Error{Number: 0, Class: 0, State: 1, Message: text}, nil
}

// Raiserror is RAISERROR's message: a string formatted printf-style as
// number 50000, or a message number (18054, as no user message is
// defined); severity clamped to 0-25 (19 and above need WITH LOG: 2754),
// state to 1-255.
func Raiserror(ev Evaluator, x *tsql.RaiserrorStmt) (*sqlerr.Error, error) {
	mv, mt, err := ev.Scalar(x.Msg)
	if err != nil {
		return nil, err
	}
	sv, _, err := ev.Scalar(x.Severity)
	if err != nil {
		return nil, err
	}
	stv, _, err := ev.Scalar(x.State)
	if err != nil {
		return nil, err
	}
	sev, _ := builtins.ToInt64(sv)
	state, _ := builtins.ToInt64(stv)
	if sev < 0 {
		sev = 0
	}
	if state < 0 {
		state = 1
	}
	if state > 255 {
		state = 255
	}
	withLog := false
	for _, o := range x.Options {
		if o == "LOG" {
			withLog = true
		}
	}
	if sev > 18 && !withLog {
		return nil, newErr(sqlerr.SeverityNeedsSysadmin)
	}
	if sev > 25 {
		sev = 25
	}
	args := make([]Value, len(x.Args))
	types := make([]Type, len(x.Args))
	for i, a := range x.Args {
		if args[i], types[i], err = ev.Scalar(a); err != nil {
			return nil, err
		}
	}
	number := int32(50000)
	var text string
	if mt.Kind.IsString() {
		s, _ := builtins.ToString(mv, mt)
		str, _ := s.(string)
		text = builtins.FormatMessage(str, args, types)
	} else {
		n, _ := builtins.ToInt64(mv)
		if n < 13000 || n == 50000 || n > 2147483647 {
			return nil, newErr(sqlerr.InvalidErrorNumber, n, 13000, 2147483647)
		}
		number = 18054
		text = fmt.Sprintf("Error %d, severity %d, state %d was raised, but no message with that error number was found in sys.messages. If error is larger than 50000, make sure the user-defined message is added using sp_addmessage.", n, sev, state)
		sev = 16
	}
	return &sqlerr.Error{Number: number, Class: uint8(sev), State: uint8(state), Message: text}, nil
}

// Throw is THROW's message (with arguments; without, it rethrows, which
// is the engine's): severity 16, a number of 50000 or more (35100).
func Throw(ev Evaluator, x *tsql.ThrowStmt) (*sqlerr.Error, error) {
	nv, _, err := ev.Scalar(x.Number)
	if err != nil {
		return nil, err
	}
	mv, mt, err := ev.Scalar(x.Message)
	if err != nil {
		return nil, err
	}
	stv, _, err := ev.Scalar(x.State)
	if err != nil {
		return nil, err
	}
	n, _ := builtins.ToInt64(nv)
	st, _ := builtins.ToInt64(stv)
	s, _ := builtins.ToString(mv, mt)
	text, _ := s.(string)
	if n < 50000 {
		return nil, newErr(sqlerr.ThrowNumberOutOfRange, n)
	}
	return &sqlerr.Error{Number: int32(n), Class: 16, State: uint8(st), Message: text}, nil
}

// parseWaitTime parses 'hh:mm[:ss[.mmm]]'.
func parseWaitTime(s string) (time.Duration, bool) {
	parts := strings.Split(strings.TrimSpace(s), ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, false
	}
	h, err1 := strconv.Atoi(parts[0])
	m, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || h < 0 || h > 23 || m < 0 || m > 59 {
		return 0, false
	}
	d := time.Duration(h)*time.Hour + time.Duration(m)*time.Minute
	if len(parts) == 3 {
		f, err := strconv.ParseFloat(parts[2], 64)
		if err != nil || f < 0 || f >= 60 {
			return 0, false
		}
		d += time.Duration(f * float64(time.Second))
	}
	return d, true
}

// Wait is how long WAITFOR waits: DELAY's duration, or until TIME's next
// occurrence after now (the instance's wall clock); 148 for a time that
// does not parse.
func Wait(ev Evaluator, x *tsql.WaitforStmt, now time.Time) (time.Duration, error) {
	v, t, err := ev.Scalar(x.Value)
	if err != nil {
		return 0, err
	}
	var d time.Duration
	switch val := v.(type) {
	case time.Time:
		d = time.Duration(val.Hour())*time.Hour + time.Duration(val.Minute())*time.Minute +
			time.Duration(val.Second())*time.Second + time.Duration(val.Nanosecond())
	default:
		s, err := builtins.ToString(v, t)
		if err != nil || s == nil {
			return 0, newErr(sqlerr.WaitforBadTime, fmt.Sprint(v))
		}
		var ok bool
		if d, ok = parseWaitTime(s.(string)); !ok {
			return 0, newErr(sqlerr.WaitforBadTime, s.(string))
		}
	}
	if !x.Delay {
		target := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC).Add(d)
		if !target.After(now) {
			target = target.Add(24 * time.Hour)
		}
		d = target.Sub(now)
	}
	return d, nil
}

// KillTarget is the session id KILL names (6112 when it is not a number).
func KillTarget(ev Evaluator, x *tsql.KillStmt) (int64, error) {
	v, _, err := ev.Scalar(x.Target)
	if err != nil {
		return 0, err
	}
	n, ok := builtins.ToInt64(v)
	if !ok {
		return 0, newErr(sqlerr.InvalidProcessIDText, fmt.Sprint(v))
	}
	return n, nil
}
