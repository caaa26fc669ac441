// Package sqlerr holds SQL Server's message type and error catalogue: numbers,
// severities and texts exactly as a real server sends them, so a client (or an
// operator reading a report) sees what production would show.
package sqlerr

import "fmt"

// Error is a SQL Server message: an error when Class > 10, an informational
// message (PRINT, RAISERROR with low severity, 5701, 3262, progress) otherwise.
type Error struct {
	Number  int32
	State   uint8
	Class   uint8 // severity
	Message string
	Server  string
	Proc    string
	Line    int32
}

func (e *Error) Error() string {
	return fmt.Sprintf("Msg %d, Level %d, State %d, Line %d: %s", e.Number, e.Class, e.State, e.Line, e.Message)
}

// IsInfo reports whether the message is informational (severity 10 or less).
func (e *Error) IsInfo() bool { return e.Class <= 10 }
