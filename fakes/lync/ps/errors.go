package ps

import (
	"errors"
	"fmt"
	"strings"
)

// ErrorRecord is PowerShell's error record: what the engine sees on stderr.
// Cmdlets return one (via NewError) to control the category and ids that
// appear in the "CategoryInfo" and "FullyQualifiedErrorId" lines.
type ErrorRecord struct {
	Message string
	// Category is an ErrorCategory name: InvalidArgument, ObjectNotFound,
	// InvalidOperation, ParserError, NotSpecified, ...
	Category string
	// TargetName and TargetType fill "(name:type)" in CategoryInfo.
	TargetName string
	TargetType string
	// Reason is the exception's short type name (ArgumentException).
	Reason string
	// ErrorID is the first part of FullyQualifiedErrorId.
	ErrorID string
	// Activity is the command name shown in "[...]" and as the "X : " prefix.
	Activity string
	// Prefix overrides the "X : " prefix (command-not-found names the term
	// but has no activity).
	Prefix string
	// ImplementingType is appended to FullyQualifiedErrorId after a comma.
	ImplementingType string
	// Position of the failing extent in the script (rune offsets).
	start, end int
	script     []rune
	parseError bool
	quiet      bool
	// Terminating marks errors that stop the script whatever the preference
	// (throw, ErrorAction Stop, parse errors).
	Terminating bool
}

func (e *ErrorRecord) Error() string { return e.Message }

// NewError builds an error record for a cmdlet to return.
func NewError(category, reason, errorID, format string, args ...any) *ErrorRecord {
	return &ErrorRecord{Message: fmt.Sprintf(format, args...), Category: category, Reason: reason, ErrorID: errorID}
}

// asRecord turns any error into a record, keeping an existing one.
func asRecord(err error) *ErrorRecord {
	var rec *ErrorRecord
	if errors.As(err, &rec) {
		return rec
	}
	return &ErrorRecord{Message: err.Error(), Category: "NotSpecified", Reason: "RuntimeException", ErrorID: "System.Management.Automation.RuntimeException"}
}

func (e *ErrorRecord) withExtent(script []rune, n Node) *ErrorRecord {
	if e.script == nil && n != nil {
		e.script = script
		e.start, e.end = n.Extent()
	}
	return e
}

// lineCol converts a rune offset to PowerShell's 1-based line and char.
func lineCol(src []rune, off int) (line, col, lineStart, lineEnd int) {
	line = 1
	lineStart = 0
	if off > len(src) {
		off = len(src)
	}
	for i := 0; i < off; i++ {
		if src[i] == '\n' {
			line++
			lineStart = i + 1
		}
	}
	lineEnd = lineStart
	for lineEnd < len(src) && src[lineEnd] != '\n' && src[lineEnd] != '\r' {
		lineEnd++
	}
	return line, off - lineStart + 1, lineStart, lineEnd
}

// positionLines renders the "At line:1 char:5 / + text / + ~~~" block.
func (e *ErrorRecord) positionLines() []string {
	if e.script == nil {
		return nil
	}
	line, col, ls, le := lineCol(e.script, e.start)
	text := string(e.script[ls:le])
	end := e.end
	if end > le {
		end = le
	}
	width := end - e.start
	if width < 1 {
		width = 1
	}
	return []string{
		fmt.Sprintf("At line:%d char:%d", line, col),
		"+ " + text,
		"+ " + strings.Repeat(" ", col-1) + strings.Repeat("~", width),
	}
}

// categoryInfo renders "Category: (target:type) [activity], Reason".
func (e *ErrorRecord) categoryInfo() string {
	cat := e.Category
	if cat == "" {
		cat = "NotSpecified"
	}
	return fmt.Sprintf("%s: (%s:%s) [%s], %s", cat, e.TargetName, e.TargetType, e.Activity, e.Reason)
}

func (e *ErrorRecord) fqid() string {
	if e.ImplementingType != "" {
		return e.ErrorID + "," + e.ImplementingType
	}
	return e.ErrorID
}

// Lines is the error as powershell.exe's default (NormalView) formatter
// prints it, one string per line.
func (e *ErrorRecord) Lines() []string {
	var out []string
	if e.parseError {
		out = append(out, e.positionLines()...)
		out = append(out, e.Message)
	} else {
		msg := e.Message
		prefix := e.Prefix
		if prefix == "" {
			prefix = e.Activity
		}
		if prefix != "" {
			msg = prefix + " : " + msg
		}
		out = append(out, strings.Split(strings.ReplaceAll(msg, "\r\n", "\n"), "\n")...)
		out = append(out, e.positionLines()...)
	}
	out = append(out,
		"    + CategoryInfo          : "+e.categoryInfo(),
		"    + FullyQualifiedErrorId : "+e.fqid(),
		" ",
	)
	return out
}

// Text is the plain-text rendering with CRLF line ends (what -Command emits).
func (e *ErrorRecord) Text() string {
	return strings.Join(e.Lines(), "\r\n") + "\r\n"
}

// CLIXML serialises error records the way powershell.exe writes its error
// stream when started with -EncodedCommand and redirected output: a
// "#< CLIXML" marker line, then one <S S="Error"> element per display line,
// with CR and LF escaped as _x000D_ and _x000A_.
func CLIXML(recs []*ErrorRecord) string {
	if len(recs) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("#< CLIXML\r\n")
	b.WriteString(`<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">`)
	for _, r := range recs {
		for _, l := range r.Lines() {
			b.WriteString(`<S S="Error">`)
			b.WriteString(clixmlEscape(l + "\r\n"))
			b.WriteString(`</S>`)
		}
	}
	b.WriteString(`</Objs>`)
	return b.String()
}

// clixmlEscape applies XML escaping and PowerShell's _xHHHH_ encoding for
// control characters and for a literal "_x" that would otherwise be misread.
func clixmlEscape(s string) string {
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '_' && i+1 < len(rs) && (rs[i+1] == 'x' || rs[i+1] == 'X'):
			b.WriteString("_x005F_")
		case r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0xfffe || r == 0xffff:
			fmt.Fprintf(&b, "_x%04X_", r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// parseErrorRecord wraps a ParseError as PowerShell reports it.
func parseErrorRecord(script []rune, pe *ParseError) *ErrorRecord {
	return &ErrorRecord{
		Message: pe.Msg, Category: "ParserError", Reason: "ParentContainsErrorRecordException",
		ErrorID: pe.ID, script: script, start: pe.Start, end: pe.End, parseError: true, Terminating: true,
	}
}
