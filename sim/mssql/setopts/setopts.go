// Package setopts is a session's SET options as SQL Server keeps them:
// their values at login, what SET name ON|OFF changes (ANSI_DEFAULTS sets
// seven, ANSI_NULL_DFLT_ON and _OFF exclude each other), the DATEFORMAT
// values it takes, what one SET statement's option does (Set) and
// @@OPTIONS' bits. The engine evaluates a SET's expression when Set asks
// for it, keeps the options in its session and handles IDENTITY_INSERT
// (it names a table); this package knows no session and no SQL text.
package setopts

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/builtins"
	"github.com/pchatdr/harness/sqlerr"
)

// Options are a session's SET options.
type Options struct {
	NoCount              bool
	XactAbort            bool
	AnsiNulls            bool
	QuotedIdentifier     bool
	AnsiWarnings         bool
	ArithAbort           bool
	ConcatNullYieldsNull bool
	AnsiPadding          bool
	ImplicitTransactions bool
	CursorCloseOnCommit  bool
	ArithIgnore          bool
	AnsiNullDfltOn       bool
	AnsiNullDfltOff      bool
	NumericRoundAbort    bool
	DateFormat           string
	DateFirst            int
	Language             string
	TextSize             int64
	LockTimeout          int64
	RowCount             int64
	Isolation            string
	// FmtOnly, NoExec and ParseOnly: statements are not executed (the
	// engine's scope.run); SELECT under FMTONLY returns its metadata only.
	FmtOnly   bool
	NoExec    bool
	ParseOnly bool
}

// Default is the options a session has at login. ANSI_NULL_DFLT_ON is
// what SQL Server's ODBC and OLE DB drivers (and so SSMS) set at login:
// @@OPTIONS 5496.
func Default() Options {
	return Options{AnsiNulls: true, QuotedIdentifier: true, AnsiWarnings: true, ArithAbort: true,
		ConcatNullYieldsNull: true, AnsiPadding: true, AnsiNullDfltOn: true, DateFormat: "mdy", DateFirst: 7,
		Language: "us_english", TextSize: 2147483647, LockTimeout: -1, Isolation: "READ COMMITTED"}
}

// OnOff reads SET's ON or OFF; ok is false for any other word.
func OnOff(word string) (on, ok bool) {
	switch word {
	case "ON":
		return true, true
	case "OFF":
		return false, true
	}
	return false, false
}

// Set applies one option of a SET statement: name and word as the parser
// gives them (NOCOUNT and ON, DATEFORMAT and dmy, TRANSACTION ISOLATION
// LEVEL and READ COMMITTED); arg, nil when the statement has no
// expression, evaluates it (SET DATEFORMAT @f, SET ROWCOUNT 10, SET
// LANGUAGE @l), only for the options that take one. It reports false for
// an option it does not hold: IDENTITY_INSERT (it names a table: the
// engine's) and those accepted and not modelled (STATISTICS IO, ...); an
// error is the value's (2741) or arg's.
func (o *Options) Set(name, word string, arg func() (any, error)) (bool, error) {
	on, isBool := OnOff(word)
	if name == "ANSI_DEFAULTS" && !isBool {
		return true, nil
	}
	if o.SetBool(name, on) {
		return true, nil
	}
	switch name {
	case "DATEFORMAT":
		v := strings.ToLower(word)
		if arg != nil {
			a, err := arg()
			if err != nil {
				return true, err
			}
			s, _ := a.(string)
			v = strings.ToLower(s)
		}
		return true, o.SetDateFormat(v)
	case "DATEFIRST", "LOCK_TIMEOUT", "ROWCOUNT", "TEXTSIZE", "DEADLOCK_PRIORITY", "QUERY_GOVERNOR_COST_LIMIT":
		var n int64
		if arg != nil {
			a, err := arg()
			if err != nil {
				return true, err
			}
			n, _ = builtins.ToInt64(a)
		}
		o.SetNumber(name, n)
	case "LANGUAGE":
		if arg != nil {
			a, err := arg()
			if err != nil {
				return true, err
			}
			if s, ok := a.(string); ok {
				o.Language = s
			}
		} else if word != "" {
			o.Language = strings.ToLower(word)
		}
	case "TRANSACTION ISOLATION LEVEL":
		o.Isolation = word
	default:
		return false, nil
	}
	return true, nil
}

// SetBool applies SET name ON (on) or OFF for an ON|OFF option (name as
// the parser gives it, upper case); false when name is not one.
// ANSI_DEFAULTS is Microsoft's SET ANSI_DEFAULTS page: these seven
// together.
func (o *Options) SetBool(name string, on bool) bool {
	switch name {
	case "NOCOUNT":
		o.NoCount = on
	case "XACT_ABORT":
		o.XactAbort = on
	case "ANSI_NULLS":
		o.AnsiNulls = on
	case "QUOTED_IDENTIFIER":
		o.QuotedIdentifier = on
	case "ANSI_WARNINGS":
		o.AnsiWarnings = on
	case "ARITHABORT":
		o.ArithAbort = on
	case "CONCAT_NULL_YIELDS_NULL":
		o.ConcatNullYieldsNull = on
	case "ANSI_PADDING":
		o.AnsiPadding = on
	case "IMPLICIT_TRANSACTIONS":
		o.ImplicitTransactions = on
	case "FMTONLY":
		o.FmtOnly = on
	case "NOEXEC":
		o.NoExec = on
	case "PARSEONLY":
		o.ParseOnly = on
	case "ANSI_DEFAULTS":
		o.AnsiNulls, o.AnsiWarnings, o.AnsiPadding, o.QuotedIdentifier = on, on, on, on
		o.CursorCloseOnCommit, o.ImplicitTransactions, o.AnsiNullDfltOn = on, on, on
	case "CURSOR_CLOSE_ON_COMMIT":
		o.CursorCloseOnCommit = on
	case "ARITHIGNORE":
		o.ArithIgnore = on
	case "NUMERIC_ROUNDABORT":
		o.NumericRoundAbort = on
	case "ANSI_NULL_DFLT_ON":
		// The two are exclusive: one ON turns the other OFF.
		o.AnsiNullDfltOn = on
		if on {
			o.AnsiNullDfltOff = false
		}
	case "ANSI_NULL_DFLT_OFF":
		o.AnsiNullDfltOff = on
		if on {
			o.AnsiNullDfltOn = false
		}
	default:
		return false
	}
	return true
}

// SetNumber applies SET DATEFIRST, LOCK_TIMEOUT, ROWCOUNT or TEXTSIZE n.
// The other numeric options (DEADLOCK_PRIORITY, QUERY_GOVERNOR_COST_LIMIT)
// are accepted, as SQL Server accepts them, and not modelled.
func (o *Options) SetNumber(name string, n int64) {
	switch name {
	case "DATEFIRST":
		o.DateFirst = int(n)
	case "LOCK_TIMEOUT":
		o.LockTimeout = n
	case "ROWCOUNT":
		o.RowCount = n
	case "TEXTSIZE":
		o.TextSize = n
	}
}

// SetDateFormat applies SET DATEFORMAT f (lower case); another value is
// 2741.
func (o *Options) SetDateFormat(f string) error {
	switch f {
	case "mdy", "dmy", "ymd", "ydm", "myd", "dym":
		o.DateFormat = f
		return nil
	}
	return sqlerr.New(sqlerr.InvalidDateFormat, f)
}

// Bits is @@OPTIONS, one bit per option as Microsoft's "Configure the
// user options" page numbers them (1 DISABLE_DEF_CNST_CHK is never set:
// it is a SQL Server 6.x option).
func (o Options) Bits() int {
	b := 0
	set := func(on bool, bit int) {
		if on {
			b |= bit
		}
	}
	set(o.ImplicitTransactions, 2)
	set(o.CursorCloseOnCommit, 4)
	set(o.AnsiWarnings, 8)
	set(o.AnsiPadding, 16)
	set(o.AnsiNulls, 32)
	set(o.ArithAbort, 64)
	set(o.ArithIgnore, 128)
	set(o.QuotedIdentifier, 256)
	set(o.NoCount, 512)
	set(o.AnsiNullDfltOn, 1024)
	set(o.AnsiNullDfltOff, 2048)
	set(o.ConcatNullYieldsNull, 4096)
	set(o.NumericRoundAbort, 8192)
	set(o.XactAbort, 16384)
	return b
}
