// Package tsql is the simulator's T-SQL front end: a lexer and a
// recursive-descent parser that turn a batch into an AST (ast.go). It does
// not execute anything and does not resolve names; the engine does. Errors
// are SQL Server's syntax errors (numbers, texts, lines) so a client sees
// what a real server would say.
package tsql

// Parse parses one batch into its statements. A batch that fails to parse
// yields a *SyntaxError (or an *UnsupportedError for valid T-SQL the
// simulator does not implement) and no statements, as SQL Server compiles a
// batch completely before running any of it.
func Parse(batch string) ([]Stmt, error) {
	p := newParser(batch)
	return p.parseBatch()
}
