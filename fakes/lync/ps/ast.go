package ps

// Node is a parsed piece of script. Every node keeps its rune extent in the
// source so errors can point at it the way PowerShell's "At line:1 char:N"
// position messages do.
type Node interface {
	Extent() (start, end int)
}

type span struct{ start, end int }

func (s span) Extent() (int, int) { return s.start, s.end }

// AssignStmt is `$name = <pipeline>`.
type AssignStmt struct {
	span
	Name  string
	Value Node
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

// CmdElem is a parameter (-Name, -Name:value) or a positional argument.
type CmdElem struct {
	span
	Param string // parameter name without the dash; "" for an argument
	Colon bool   // -Name:value form
	Arg   Node   // nil for a bare -Name
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
