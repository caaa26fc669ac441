// Package setopts is a session's SET options as SQL Server keeps them:
// their values at login, what SET name ON|OFF changes (ANSI_DEFAULTS sets
// seven, ANSI_NULL_DFLT_ON and _OFF exclude each other), the DATEFORMAT
// values it takes and @@OPTIONS' bits. The engine evaluates a SET's
// arguments and keeps the options in its session; this package knows no
// session and no SQL text.
package setopts

import "github.com/pchatdr/harness/sqlerr"

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
