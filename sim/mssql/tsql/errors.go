package tsql

import (
	"fmt"

	"github.com/pchatdr/harness/sqlerr"
)

// Syntax error numbers SQL Server uses; all are severity 15, state 1.
const (
	ErrIncorrectSyntax        = 102 // Incorrect syntax near '%s'.
	ErrIdentifierTooLong      = 103 // The identifier that starts with '%s' is too long. Maximum length is 128.
	ErrUnclosedQuote          = 105 // Unclosed quotation mark after the character string '%s'.
	ErrMissingEndComment      = 113 // Missing end comment mark '*/'.
	ErrIncorrectSyntaxKeyword = 156 // Incorrect syntax near the keyword '%s'.
	ErrNotRecognizedOption    = 155 // '%.*ls' is not a recognized %ls option.
	ErrDuplicateCTE           = 239 // Duplicate common table expression name '%.*ls' was specified.
)

// SyntaxSeverity is the severity (class) of every parse error.
const SyntaxSeverity = 15

// SyntaxError is a batch compile error. SQL Server compiles the whole batch
// before running any of it, so one SyntaxError means no statement runs.
// Line is the 1-based line of the offending token; Near is the token text
// the message names (unquoted identifier, string contents, keyword as
// written). Also holds further messages SQL Server sends with this one (105
// is followed by 102 near the unclosed string).
type SyntaxError struct {
	Number int
	Line   int
	Near   string
	Msg    string
	Also   []*SyntaxError
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("Msg %d, Level %d, State 1, Line %d: %s", e.Number, SyntaxSeverity, e.Line, e.Msg)
}

// SQLErrors converts the error (and the messages sent with it) to the
// simulator's message type, ready to send to a client. Server and Proc are
// left for the caller.
func (e *SyntaxError) SQLErrors() []*sqlerr.Error {
	out := []*sqlerr.Error{{Number: int32(e.Number), State: 1, Class: SyntaxSeverity, Message: e.Msg, Line: int32(e.Line)}}
	for _, a := range e.Also {
		out = append(out, a.SQLErrors()...)
	}
	return out
}

// UnsupportedError is valid T-SQL the simulator does not implement (MERGE,
// CREATE PROCEDURE, cursors, ...). It is not a SQL Server error: the engine
// must turn it into a real error message (never run the batch partially or
// ignore the statement).
type UnsupportedError struct {
	Line    int
	Feature string // e.g. "MERGE", "CREATE PROCEDURE"
}

func (e *UnsupportedError) Error() string {
	return fmt.Sprintf("tsql: line %d: not supported by the simulator: %s", e.Line, e.Feature)
}

func syntaxNear(line int, near string, keyword bool) *SyntaxError {
	if keyword {
		return &SyntaxError{Number: ErrIncorrectSyntaxKeyword, Line: line, Near: near,
			Msg: fmt.Sprintf("Incorrect syntax near the keyword '%s'.", near)}
	}
	return &SyntaxError{Number: ErrIncorrectSyntax, Line: line, Near: near,
		Msg: fmt.Sprintf("Incorrect syntax near '%s'.", near)}
}
