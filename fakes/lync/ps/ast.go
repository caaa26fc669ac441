package ps

// Node is a parsed piece of script. Every node keeps its rune extent in the
// source so errors can point at it the way PowerShell's "At line:1 char:N"
// position messages do.
type Node interface {
	Extent() (start, end int)
}

type span struct{ start, end int }

func (s span) Extent() (int, int) { return s.start, s.end }

// AssignStmt is `$name = <pipeline>`, or a compound assignment when Op is
// "+" or "-" (`$name += <pipeline>`).
type AssignStmt struct {
	span
	Name  string
	Op    string
	Value Node
}

// IfClause is one `if (cond) { body }` or `elseif (cond) { body }`.
type IfClause struct {
	Cond Node
	Body []Node
}

// IfStmt is if / elseif / else.
type IfStmt struct {
	span
	Clauses []IfClause
	Else    []Node // nil: no else
	HasElse bool
}

// ForeachStmt is `foreach ($var in <pipeline>) { body }`.
type ForeachStmt struct {
	span
	Var  string
	Coll Node
	Body []Node
}

// CatchClause is `catch [Type1], [Type2] { body }`; no types catches all.
type CatchClause struct {
	Types []string
	Body  []Node
}

// TryStmt is try { } catch ... { } finally { }.
type TryStmt struct {
	span
	Body       []Node
	Catches    []CatchClause
	Finally    []Node
	HasFinally bool
}

// PipelineStmt is one or more elements joined by '|'. The first element may
// be an expression; the rest are commands.
type PipelineStmt struct {
	span
	Elems []Node
}

// ExitStmt is `exit [expr]`.
type ExitStmt struct {
	span
	Value Node
}

// ThrowStmt is `throw [expr]`.
type ThrowStmt struct {
	span
	Value Node
}

// CommandNode is a command invocation with its elements in source order.
type CommandNode struct {
	span
	Name  string
	Elems []CmdElem
}

// CmdElem is a parameter (-Name, -Name:value), a positional argument, or a
// splatted variable (@name).
type CmdElem struct {
	span
	Param string // parameter name without the dash; "" for an argument
	Colon bool   // -Name:value form
	Arg   Node   // nil for a bare -Name
	Splat string // @name: a hashtable's keys as parameters, an array's elements as arguments
}

// StringLit is a quoted or bare string. Expandable strings keep their parts.
type StringLit struct {
	span
	Value string
	Parts []Node // non-nil for "..." with $var or $(...) inside
	Bare  bool   // a bareword argument in command mode
}

// NumberLit is an integer or real literal.
type NumberLit struct {
	span
	Value any // int64 or float64
}

// VarRef is $name.
type VarRef struct {
	span
	Name string
}

// ArrayLit is a comma list: a, b, c.
type ArrayLit struct {
	span
	Elems []Node
}

// ArrayExpr is @( statements ).
type ArrayExpr struct {
	span
	Stmts []Node
}

// SubExpr is $( statements ).
type SubExpr struct {
	span
	Stmts []Node
}

// ParenExpr is ( pipeline ).
type ParenExpr struct {
	span
	Inner Node
}

// HashEntry is one key = value pair of a hash literal.
type HashEntry struct {
	Key   string
	Value Node
}

// HashLit is @{ key = value; ... }.
type HashLit struct {
	span
	Entries []HashEntry
}

// ScriptBlockLit is { statements }.
type ScriptBlockLit struct {
	span
	Text  string
	Stmts []Node
}

// BinaryExpr is left <op> right; Op is lower-case without the dash ("eq",
// "and", "+").
type BinaryExpr struct {
	span
	Op          string
	Left, Right Node
}

// UnaryExpr is -not x, !x, -x.
type UnaryExpr struct {
	span
	Op string
	X  Node
}

// MemberExpr is x.Name.
type MemberExpr struct {
	span
	X    Node
	Name string
}

// IndexExpr is x[i].
type IndexExpr struct {
	span
	X     Node
	Index Node
}
