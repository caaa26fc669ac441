package mssql

import (
	"context"
	"fmt"
	"strings"
	"unicode"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/tds"
)

// Bulk load, as SQL Server does it for bcp, freebcp and go-mssqldb's
// CopyIn: the client sends INSERT BULK table (columns) [WITH (options)]
// as a batch, then its rows in one BULK_LOAD message. The INSERT BULK
// statement is not T-SQL a user may run (the engine's parser rightly
// refuses it); it exists only on this path, so the transport glue reads
// it and feeds the rows to the engine as INSERTs of the session, all or
// none.

// insertBulk is an announced bulk load waiting for its rows.
type insertBulk struct {
	table   string   // as the client wrote it: [dbo].[t]
	columns []string // quoted column names, in the client's order
}

// bulkOptions are INSERT BULK's WITH options (SQL Server's bcp hints).
// The simulator checks constraints and keeps NULLs always (stricter than
// the defaults, said here): the hints change nothing else.
var bulkOptions = map[string]bool{
	"CHECK_CONSTRAINTS": true, "FIRE_TRIGGERS": true, "KEEP_NULLS": true, "TABLOCK": true,
	"ORDER": true, "ROWS_PER_BATCH": true, "KILOBYTES_PER_BATCH": true, "KEEP_IDENTITY": true,
}

func syntaxError(near string) *tds.ServerError {
	return &tds.ServerError{Number: 102, Class: 15, State: 1, Line: 1, Message: fmt.Sprintf("Incorrect syntax near '%s'.", near)}
}

// parseInsertBulk reads INSERT BULK name (col type, ...) [WITH (...)]; ok
// is false when sql is not an INSERT BULK statement at all.
func parseInsertBulk(sql string) (ib *insertBulk, ok bool, err error) {
	s := strings.TrimSpace(sql)
	rest, ok := cutWord(s, "INSERT")
	if !ok {
		return nil, false, nil
	}
	if rest, ok = cutWord(rest, "BULK"); !ok {
		return nil, false, nil
	}
	ib = &insertBulk{}
	open := -1
	topLevel(rest, func(i int, c byte, _ int) bool {
		if c == '(' {
			open = i
		}
		return open < 0
	})
	if open < 0 {
		return nil, true, syntaxError(strings.TrimSpace(rest))
	}
	ib.table = strings.TrimSpace(rest[:open])
	if ib.table == "" {
		return nil, true, syntaxError("(")
	}
	end := -1
	topLevel(rest[open:], func(i int, c byte, depth int) bool {
		if c == ')' && depth == 0 {
			end = open + i
			return false
		}
		return true
	})
	if end < 0 {
		return nil, true, syntaxError(rest[open:])
	}
	for _, def := range splitTopLevel(rest[open+1 : end]) {
		name := columnName(def)
		if name == "" {
			return nil, true, syntaxError(def)
		}
		ib.columns = append(ib.columns, name)
	}
	if len(ib.columns) == 0 {
		return nil, true, syntaxError(")")
	}
	tail := strings.TrimSpace(rest[end+1:])
	if tail == "" {
		return ib, true, nil
	}
	opts, ok := cutWord(tail, "WITH")
	opts = strings.TrimSpace(opts)
	if !ok || !strings.HasPrefix(opts, "(") || !strings.HasSuffix(opts, ")") {
		return nil, true, syntaxError(tail)
	}
	for _, o := range splitTopLevel(opts[1 : len(opts)-1]) {
		// An empty hint (",,") or one with no word ("=") is refused like an
		// unknown one; FieldsFunc gives nothing to take the first of.
		words := strings.FieldsFunc(o, func(r rune) bool { return r == '=' || r == '(' || unicode.IsSpace(r) })
		if len(words) == 0 || !bulkOptions[strings.ToUpper(words[0])] {
			if o == "" {
				return nil, true, syntaxError(",")
			}
			return nil, true, syntaxError(strings.TrimSpace(o))
		}
	}
	return ib, true, nil
}

// cutWord removes a leading keyword (case-insensitive) followed by space.
func cutWord(s, word string) (string, bool) {
	if len(s) <= len(word) || !strings.EqualFold(s[:len(word)], word) || !unicode.IsSpace(rune(s[len(word)])) {
		return s, false
	}
	return strings.TrimSpace(s[len(word):]), true
}

// topLevel walks s outside [bracketed names], calling visit for each
// parenthesis and comma with the nesting depth after it, until visit
// returns false.
func topLevel(s string, visit func(i int, c byte, depth int) bool) {
	depth, inBracket := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '[':
			inBracket = true
		case c == ']':
			inBracket = false
		case inBracket:
		case c == '(', c == ')', c == ',':
			if c == '(' {
				depth++
			} else if c == ')' {
				depth--
			}
			if !visit(i, c, depth) {
				return
			}
		}
	}
}

// splitTopLevel splits on commas outside parentheses and brackets.
func splitTopLevel(s string) []string {
	var out []string
	start := 0
	topLevel(s, func(i int, c byte, depth int) bool {
		if c == ',' && depth == 0 {
			out = append(out, strings.TrimSpace(s[start:i]))
			start = i + 1
		}
		return true
	})
	if t := strings.TrimSpace(s[start:]); t != "" {
		out = append(out, t)
	}
	return out
}

// columnName is the quoted name at the start of a column definition.
func columnName(def string) string {
	def = strings.TrimSpace(def)
	if strings.HasPrefix(def, "[") {
		if i := strings.Index(def, "]"); i > 1 {
			return def[:i+1]
		}
		return ""
	}
	name := strings.FieldsFunc(def, unicode.IsSpace)
	if len(name) == 0 {
		return ""
	}
	return "[" + strings.ReplaceAll(name[0], "]", "]]") + "]"
}

// startBulk checks the INSERT BULK statement's table and columns (208 and
// 207 as an INSERT would get them) and waits for the rows.
func (h *handler) startBulk(ctx context.Context, ib *insertBulk) error {
	h.bulk = nil
	if err := h.run(ctx, fmt.Sprintf("SELECT TOP 0 %s FROM %s", strings.Join(ib.columns, ", "), ib.table)); err != nil {
		return err
	}
	h.bulk = ib
	return nil
}

// bulkLoad inserts the rows of a BULK_LOAD message into the announced
// table, all or none, and answers DONE with the row count.
func (h *handler) bulkLoad(ctx context.Context, bl *tds.BulkLoad, w *tds.ResponseWriter) error {
	ib := h.bulk
	h.bulk = nil
	if ib == nil {
		return &tds.ServerError{Number: 4002, Class: 16, State: 1,
			Message: "The incoming tabular data stream (TDS) protocol stream is incorrect. A BULK_LOAD message came without an INSERT BULK statement before it."}
	}
	if len(bl.Columns) != len(ib.columns) {
		return &tds.ServerError{Number: 4819, Class: 16, State: 1,
			Message: fmt.Sprintf("Cannot bulk load. The bulk data stream has %d columns, INSERT BULK named %d.", len(bl.Columns), len(ib.columns))}
	}
	params := make([]string, len(bl.Columns))
	decls := make([]string, len(bl.Columns))
	for i, c := range bl.Columns {
		params[i] = fmt.Sprintf("@p%d", i+1)
		decls[i] = params[i] + " " + engineType(c.Type).String()
	}
	stmt := fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)", ib.table, strings.Join(ib.columns, ", "), strings.Join(params, ", "))
	decl := strings.Join(decls, ", ")

	undo, err := h.bulkBegin(ctx)
	if err != nil {
		return err
	}
	for n, row := range bl.Rows {
		call := engine.RPCCall{Name: "sp_executesql", Params: []engine.Param{
			{Name: "@statement", Type: engineType(tds.NVarCharMax()), Value: stmt},
			{Name: "@params", Type: engineType(tds.NVarCharMax()), Value: decl},
		}}
		for i, c := range bl.Columns {
			t, v := engineValue(c.Type, row[i])
			call.Params = append(call.Params, engine.Param{Name: params[i], Type: t, Value: v})
		}
		var sink errSink
		err := h.sess.RPC(ctx, call, &sink)
		if err == nil {
			err = sink.err
		}
		if err != nil {
			undo(ctx)
			if se := asServerError(err); se != nil {
				return se
			}
			return fmt.Errorf("bulk load row %d: %w", n+1, err)
		}
	}
	if err := h.bulkCommit(ctx); err != nil {
		undo(ctx)
		return err
	}
	return w.Done(tds.Done{Status: tds.DoneCount, RowCount: uint64(len(bl.Rows))})
}

// bulkBegin makes the load one unit: its own transaction, or a savepoint
// in the client's (CopyIn inside BeginTx). undo rolls the load back.
func (h *handler) bulkBegin(ctx context.Context) (undo func(context.Context), err error) {
	start, rollback := "SAVE TRANSACTION bulk_load", "ROLLBACK TRANSACTION bulk_load"
	if h.sess.TranDescriptor() == 0 {
		start, rollback = "BEGIN TRANSACTION bulk_load", "ROLLBACK TRANSACTION"
		h.bulkOwnTran = true
	}
	if err := h.run(ctx, start); err != nil {
		h.bulkOwnTran = false
		return nil, err
	}
	return func(ctx context.Context) { _ = h.run(ctx, rollback); h.bulkOwnTran = false }, nil
}

func (h *handler) bulkCommit(ctx context.Context) error {
	if !h.bulkOwnTran {
		return nil
	}
	h.bulkOwnTran = false
	return h.run(ctx, "COMMIT TRANSACTION")
}

// run executes a statement of the glue's own for its effect.
func (h *handler) run(ctx context.Context, sql string) error {
	var sink errSink
	if err := h.sess.Batch(ctx, sql, &sink); err != nil {
		return asServerError(err)
	}
	return sink.err
}

// asServerError turns an engine error into the client's ERROR token.
func asServerError(err error) error {
	if e, ok := err.(*engine.Error); ok {
		return serverError(e)
	}
	if se, ok := err.(*tds.ServerError); ok {
		return se
	}
	return err
}

// errSink runs a statement for its effect: results are dropped, the first
// error message is kept.
type errSink struct{ err error }

func (s *errSink) Columns([]engine.Column) error        { return nil }
func (s *errSink) Row([]engine.Value) error             { return nil }
func (s *errSink) Done(engine.DoneInfo) error           { return nil }
func (s *errSink) EnvChange(engine.EnvChange) error     { return nil }
func (s *errSink) ReturnStatus(int32) error             { return nil }
func (s *errSink) ReturnValue(engine.ReturnValue) error { return nil }
func (s *errSink) Message(m *engine.Error) error {
	if !m.IsInfo() && s.err == nil {
		s.err = serverError(m)
	}
	return nil
}
