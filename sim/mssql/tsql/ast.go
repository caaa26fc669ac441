// AST contract: published; later changes are additive only.
//
// The engine (sim/mssql/engine) compiles against these types while they are
// written, so no exported identifier or field here is ever renamed or
// removed: new needs get new fields or new node types.

package tsql

// Pos is where a node starts in the batch. Line and Col are 1-based (Col
// counts runes); Offset is the 0-based byte offset, so the engine can slice
// the batch to get a statement's text. Every node embeds a Pos because SQL
// Server reports the line of the failing statement (@@ERROR, message Line).
type Pos struct {
	Line   int
	Col    int
	Offset int
}

// Position returns the node's start.
func (p Pos) Position() Pos { return p }

// Node is any syntax tree node.
type Node interface {
	Position() Pos
	String() string
}

// Stmt is one statement of a batch.
type Stmt interface {
	Node
	stmtNode()
}

// Expr is a scalar expression.
type Expr interface {
	Node
	exprNode()
}

// TableSource is an item of a FROM clause.
type TableSource interface {
	Node
	tableSourceNode()
}

// QueryExpr is the body of a query: a *QuerySpec, a *SetOpExpr (UNION ...)
// or a parenthesised *SelectStmt.
type QueryExpr interface {
	Node
	queryNode()
}

// ---------------------------------------------------------------------------
// Names

// Ident is one identifier. Raw is the text as written ("[my db]", "\"x\"",
// "mgc"); Name is the identifier itself with quoting removed and doubled
// closing quotes collapsed ("my db"). SQL Server compares names
// case-insensitively under the default collation, so the engine should too.
type Ident struct {
	Pos
	Raw    string
	Name   string
	Quoted bool // written as [x] or "x" (or as a 'string' where T-SQL allows one as a name)
}

// ObjectName is a multi-part name: server.database.schema.object, with
// omitted middle parts empty (db..obj has an empty schema). Parts holds the
// parts as written, left to right, 1 to 4 of them; column references use the
// same type with the column as the last part.
type ObjectName struct {
	Pos
	Parts []Ident
}

// part returns the i-th part counted from the right (0 = last), or the zero
// Ident when absent.
func (n *ObjectName) part(i int) Ident {
	if n == nil || i >= len(n.Parts) {
		return Ident{}
	}
	return n.Parts[len(n.Parts)-1-i]
}

// Object is the last part (the object, or the column of a column reference).
func (n *ObjectName) Object() Ident { return n.part(0) }

// Schema is the part before the object ("" when absent or empty as in db..t).
func (n *ObjectName) Schema() Ident { return n.part(1) }

// Database is the third part from the right.
func (n *ObjectName) Database() Ident { return n.part(2) }

// Server is the fourth part from the right.
func (n *ObjectName) Server() Ident { return n.part(3) }

// ---------------------------------------------------------------------------
// Type names

// TypeName is a data type as written: INT, DECIMAL(10,2), NVARCHAR(MAX),
// SYSNAME, dbo.mytype. The parser does not decide whether the type exists or
// what default length applies (that depends on context: 1 in DECLARE, 30 in
// CAST), see Resolve.
type TypeName struct {
	Pos
	Name   ObjectName // usually one part; the type itself is Name.Object()
	Params []int64    // numbers in parentheses, in order
	Max    bool       // (MAX)
	Parens bool       // parentheses were written
}

// ---------------------------------------------------------------------------
// Expressions

// IntLit is an integer constant that fits in int (SQL Server's type for such
// constants). Larger integer constants are DecimalLit with Scale 0, as in
// SQL Server where 2147483648 is numeric(10,0).
type IntLit struct {
	Pos
	Raw   string
	Value int64
}

// DecimalLit is an exact numeric constant (1.5, 2147483648). Precision and
// Scale are those SQL Server gives the constant (1.50 is decimal(3,2)).
// Unscaled is the digits without the point (150 for 1.50), as a decimal
// string so values beyond 64 bits survive.
type DecimalLit struct {
	Pos
	Raw       string
	Unscaled  string
	Precision int
	Scale     int
}

// FloatLit is an approximate numeric constant written with an exponent (1e3).
type FloatLit struct {
	Pos
	Raw   string
	Value float64
}

// StringLit is 'ansi' or N'unicode' text; Value has ” collapsed to '.
type StringLit struct {
	Pos
	Raw     string
	Value   string
	Unicode bool
}

// BinaryLit is 0x... ; Value holds the bytes (0x is an empty binary; an odd
// number of digits gets a leading zero nibble as SQL Server does).
type BinaryLit struct {
	Pos
	Raw   string
	Value []byte
}

// MoneyLit is a $-prefixed money constant ($12.5); kept as text.
type MoneyLit struct {
	Pos
	Raw string
}

// NullLit is NULL.
type NullLit struct{ Pos }

// DefaultExpr is the DEFAULT keyword where a value may be (EXEC arguments,
// INSERT VALUES, UPDATE SET c = DEFAULT).
type DefaultExpr struct{ Pos }

// VarRef is a local variable, Name includes the '@' as written.
type VarRef struct {
	Pos
	Name string
}

// GlobalVarRef is @@NAME; Name includes "@@" as written (engine compares
// case-insensitively).
type GlobalVarRef struct {
	Pos
	Name string
}

// ColumnRef is a (possibly qualified) column reference: c, t.c, s.t.c.
type ColumnRef struct {
	Pos
	Name ObjectName
}

// UnaryOp is a prefix operator.
type UnaryOp int

// Unary operators.
const (
	UnaryMinus  UnaryOp = iota + 1 // -
	UnaryPlus                      // +
	UnaryBitNot                    // ~
	UnaryNot                       // NOT
)

// UnaryExpr is -x, +x, ~x or NOT x.
type UnaryExpr struct {
	Pos
	Op UnaryOp
	X  Expr
}

// BinaryOp is an infix operator.
type BinaryOp int

// Binary operators: arithmetic, bitwise, comparison, logical.
const (
	OpMul    BinaryOp = iota + 1 // *
	OpDiv                        // /
	OpMod                        // %
	OpAdd                        // + (also string concatenation)
	OpSub                        // -
	OpBitAnd                     // &
	OpBitOr                      // |
	OpBitXor                     // ^
	OpEq                         // =
	OpNe                         // <> (also !=, see BinaryExpr.Raw)
	OpLt                         // <
	OpGt                         // >
	OpLe                         // <=
	OpGe                         // >=
	OpNotLt                      // !<
	OpNotGt                      // !>
	OpAnd                        // AND
	OpOr                         // OR
)

// BinaryExpr is L op R. OpText is the operator as written ("!=" vs "<>").
type BinaryExpr struct {
	Pos
	Op     BinaryOp
	OpText string
	L, R   Expr
}

// IsNullExpr is X IS [NOT] NULL.
type IsNullExpr struct {
	Pos
	X   Expr
	Not bool
}

// InExpr is X [NOT] IN (list) or X [NOT] IN (subquery): exactly one of List
// and Query is set.
type InExpr struct {
	Pos
	X     Expr
	Not   bool
	List  []Expr
	Query *SelectStmt
}

// LikeExpr is X [NOT] LIKE Pattern [ESCAPE Escape].
type LikeExpr struct {
	Pos
	X       Expr
	Not     bool
	Pattern Expr
	Escape  Expr // nil when absent
}

// BetweenExpr is X [NOT] BETWEEN Lo AND Hi.
type BetweenExpr struct {
	Pos
	X      Expr
	Not    bool
	Lo, Hi Expr
}

// ExistsExpr is EXISTS (subquery).
type ExistsExpr struct {
	Pos
	Query *SelectStmt
}

// SubqueryExpr is a scalar subquery (SELECT ...) used as a value.
type SubqueryExpr struct {
	Pos
	Query *SelectStmt
}

// Quantifier is ALL, ANY or SOME in a quantified comparison.
type Quantifier int

// Quantifiers.
const (
	QuantAll Quantifier = iota + 1
	QuantAny
	QuantSome
)

// QuantifiedExpr is X op ALL|ANY|SOME (subquery).
type QuantifiedExpr struct {
	Pos
	X          Expr
	Op         BinaryOp // a comparison
	OpText     string
	Quantifier Quantifier
	Query      *SelectStmt
}

// CaseWhen is one WHEN ... THEN ... arm.
type CaseWhen struct {
	Pos
	When Expr // the comparand (simple CASE) or the condition (searched CASE)
	Then Expr
}

// CaseExpr is CASE [Operand] WHEN ... THEN ... [ELSE ...] END. Operand is nil
// for a searched CASE.
type CaseExpr struct {
	Pos
	Operand Expr
	Whens   []*CaseWhen
	Else    Expr // nil when absent
}

// CastExpr is CAST(X AS Type) or TRY_CAST(...).
type CastExpr struct {
	Pos
	X   Expr
	Typ *TypeName
	Try bool
}

// ConvertExpr is CONVERT(Type, X [, Style]) or TRY_CONVERT(...).
type ConvertExpr struct {
	Pos
	Typ   *TypeName
	X     Expr
	Style Expr // nil when absent
	Try   bool
}

// FuncCall is a function call. The parser does not check the name: the
// engine does (and reports 195 "'%.*ls' is not a recognized built-in
// function name." or 4121 as SQL Server would).
//
// COUNT(*) and BINARY_CHECKSUM(*) have Star set and no Args.
// NoParens marks the niladic keyword forms CURRENT_TIMESTAMP, CURRENT_USER,
// SESSION_USER, SYSTEM_USER and USER.
type FuncCall struct {
	Pos
	Name     ObjectName
	Args     []Expr
	Star     bool
	Distinct bool // COUNT(DISTINCT x)
	NoParens bool
	Over     *OverClause // nil unless OVER (...) follows
}

// OverClause is a window specification (ROW_NUMBER() OVER (...)).
type OverClause struct {
	Pos
	PartitionBy []Expr
	OrderBy     []*OrderItem
}

// CollateExpr is X COLLATE collation_name.
type CollateExpr struct {
	Pos
	X         Expr
	Collation string
}

// ParenExpr is a parenthesised expression, kept so the printer and the engine
// can tell (a) from a (column naming in result sets differs).
type ParenExpr struct {
	Pos
	X Expr
}

// ---------------------------------------------------------------------------
// Queries

// SelectStmt is a query: a body (SELECT or UNION ...) and its ORDER BY. It is
// both the SELECT statement and the node subqueries, derived tables and
// INSERT ... SELECT hold.
type SelectStmt struct {
	Pos
	Body    QueryExpr
	OrderBy []*OrderItem
	Offset  Expr // OFFSET n ROWS; nil when absent
	Fetch   Expr // FETCH NEXT n ROWS ONLY; nil when absent
	// MaxRecursion is OPTION (MAXRECURSION n); nil when absent.
	MaxRecursion *int
}

// QuerySpec is one SELECT ... FROM ... WHERE ... GROUP BY ... HAVING ....
type QuerySpec struct {
	Pos
	Distinct bool
	Top      *Top
	Items    []*SelectItem
	From     []TableSource // nil without FROM
	Where    Expr
	GroupBy  []Expr
	Having   Expr
}

// SetOpKind is UNION, UNION ALL, EXCEPT or INTERSECT.
type SetOpKind int

// Set operators.
const (
	SetUnion SetOpKind = iota + 1
	SetUnionAll
	SetExcept
	SetIntersect
)

// SetOpExpr is Left UNION [ALL] Right (left-associative).
type SetOpExpr struct {
	Pos
	Op          SetOpKind
	Left, Right QueryExpr
}

// Top is TOP n / TOP (n) [PERCENT] [WITH TIES].
type Top struct {
	Pos
	Count    Expr
	Parens   bool
	Percent  bool
	WithTies bool
}

// SelectItem is one item of a select list. Exactly one form applies:
//   - Star: * (Qualifier nil) or alias.* (Qualifier set);
//   - Var set: @v = Expr (variable assignment; Op is "=" or a compound "+=" ...);
//   - otherwise Expr with an optional Alias (expr AS a, expr a, a = expr,
//     expr AS 'a'); AliasEq marks the a = expr form.
type SelectItem struct {
	Pos
	Star      bool
	Qualifier *ObjectName
	Expr      Expr
	Alias     *Ident
	AliasEq   bool
	Var       string
	Op        string
}

// OrderItem is expr [ASC|DESC].
type OrderItem struct {
	Pos
	Expr Expr
	Desc bool
}

// TableRef is a named table or view with an optional alias and hints.
type TableRef struct {
	Pos
	Name  ObjectName
	Alias *Ident
	Hints []string // WITH (NOLOCK, ...) upper-cased
}

// TableVarRef is a table variable in FROM (@t [AS alias]).
type TableVarRef struct {
	Pos
	Name  string
	Alias *Ident
}

// DerivedTable is (subquery) [AS] alias [(col, ...)].
type DerivedTable struct {
	Pos
	Query   *SelectStmt
	Alias   Ident
	Columns []Ident
}

// FuncTable is a table-valued function call in FROM: sys.dm_os_file_exists('p').
type FuncTable struct {
	Pos
	Call  *FuncCall
	Alias *Ident
}

// ValuesTable is (VALUES (...), (...)) AS alias (cols).
type ValuesTable struct {
	Pos
	Rows    [][]Expr
	Alias   Ident
	Columns []Ident
}

// JoinKind is the kind of a join.
type JoinKind int

// Join kinds.
const (
	JoinInner JoinKind = iota + 1
	JoinLeft
	JoinRight
	JoinFull
	JoinCross
	JoinCrossApply
	JoinOuterApply
)

// JoinExpr is Left <kind> JOIN Right [ON On]. On is nil for CROSS JOIN and
// APPLY.
type JoinExpr struct {
	Pos
	Kind        JoinKind
	Left, Right TableSource
	On          Expr
}

// ---------------------------------------------------------------------------
// Generic options

// Option is one option of BACKUP/RESTORE WITH, ALTER DATABASE SET, CREATE
// DATABASE file specs, endpoint clauses and CREATE INDEX WITH. Kept generic so
// a new option needs no AST change:
//   - Name is the option keyword upper-cased (RECOVERY, FILE, MOVE, PARTNER);
//   - Value is an expression value after '=' or after the name (FILE = 1,
//     STATS = 10, PARTNER = 'TCP://h:5022', PARTNER TIMEOUT 10 -> 10);
//   - Word is a keyword value upper-cased, words joined by one space
//     (RECOVERY FULL -> "FULL", PARTNER SAFETY FULL -> "SAFETY FULL",
//     ROLE = PARTNER -> "PARTNER", LISTENER_IP = (127.0.0.1) -> "(127.0.0.1)");
//   - To is the second value of MOVE 'logical' TO 'path';
//   - Unit is a size unit after a number (SIZE = 10MB -> "MB");
//   - Eq says an '=' followed the name.
type Option struct {
	Pos
	Name  string
	Value Expr
	Word  string
	To    Expr
	Unit  string
	Eq    bool
}

// ---------------------------------------------------------------------------
// Statements: session and flow control

// TryCatchStmt is BEGIN TRY ... END TRY BEGIN CATCH ... END CATCH.
type TryCatchStmt struct {
	Pos
	Try   []Stmt
	Catch []Stmt
}

// UseStmt is USE database.
type UseStmt struct {
	Pos
	DB Ident
}

// VarDecl is one variable of a DECLARE.
type VarDecl struct {
	Pos
	Name string // with '@'
	Typ  *TypeName
	Init Expr // nil when no "= expr"
	// Table is a table variable's definition (DECLARE @t TABLE (...));
	// Typ is nil then.
	Table *CreateTableStmt
}

// DeclareStmt is DECLARE @a type [= expr], ....
type DeclareStmt struct {
	Pos
	Vars []*VarDecl
}

// SetVarStmt is SET @v = expr (Op "=") or a compound SET @v += expr.
type SetVarStmt struct {
	Pos
	Var   string
	Op    string
	Value Expr
}

// SetOptionStmt is SET <option(s)> <value>. Names are upper-cased and joined
// by a space for multi-word options ("NOCOUNT", "TRANSACTION ISOLATION
// LEVEL", "STATISTICS IO"); SET ANSI_NULLS, QUOTED_IDENTIFIER ON lists
// several. Value is the keyword value upper-cased ("ON", "OFF", "READ
// COMMITTED", "DMY" for DATEFORMAT dmy) when the value is a word; Arg is the
// value when it is a number, string or variable (TEXTSIZE 2147483647,
// LANGUAGE N'us_english', DATEFIRST 7).
type SetOptionStmt struct {
	Pos
	Names  []string
	Value  string
	Arg    Expr
	Object *ObjectName // the table of SET IDENTITY_INSERT t ON
}

// IfStmt is IF cond stmt [ELSE stmt].
type IfStmt struct {
	Pos
	Cond Expr
	Then Stmt
	Else Stmt // nil when absent
}

// BlockStmt is BEGIN ... END.
type BlockStmt struct {
	Pos
	Body []Stmt
}

// WhileStmt is WHILE cond stmt.
type WhileStmt struct {
	Pos
	Cond Expr
	Body Stmt
}

// BreakStmt is BREAK.
type BreakStmt struct{ Pos }

// ContinueStmt is CONTINUE.
type ContinueStmt struct{ Pos }

// ReturnStmt is RETURN [expr].
type ReturnStmt struct {
	Pos
	Value Expr // nil when absent
}

// PrintStmt is PRINT expr.
type PrintStmt struct {
	Pos
	Value Expr
}

// RaiserrorStmt is RAISERROR (msg, severity, state [, args]) [WITH ...].
// Options are upper-cased: NOWAIT, LOG, SETERROR.
type RaiserrorStmt struct {
	Pos
	Msg      Expr // number, string or variable
	Severity Expr
	State    Expr
	Args     []Expr
	Options  []string
}

// ThrowStmt is THROW [number, message, state]. All nil for a bare THROW
// (re-throw inside CATCH).
type ThrowStmt struct {
	Pos
	Number, Message, State Expr
}

// WaitforStmt is WAITFOR DELAY 'hh:mm:ss' or WAITFOR TIME '...'.
type WaitforStmt struct {
	Pos
	Delay bool // DELAY (true) or TIME (false)
	Value Expr
}

// ExecArg is one argument of a procedure call: positional (Name "") or
// @name = value; Value is a *DefaultExpr for DEFAULT.
type ExecArg struct {
	Pos
	Name   string
	Value  Expr
	Output bool // OUTPUT / OUT
}

// ExecStmt is EXEC[UTE] [@ret =] proc [args] [WITH RECOMPILE]. Exactly one
// of Proc and ProcVar is set. Implicit marks a batch that starts with a bare
// procedure name (no EXEC keyword), which SQL Server runs as a call.
type ExecStmt struct {
	Pos
	ReturnVar string // "@ret" or ""
	Proc      *ObjectName
	ProcVar   string // EXEC @procname
	Args      []*ExecArg
	Implicit  bool
	Options   []string // RECOMPILE
}

// ExecStringStmt is EXEC ('string' [+ ...]) or EXEC (@sql): dynamic SQL.
type ExecStringStmt struct {
	Pos
	SQL Expr
}

// ---------------------------------------------------------------------------
// DML

// InsertStmt is INSERT [INTO] t [(cols)] VALUES (...), ... | SELECT ... |
// EXEC ... | DEFAULT VALUES. Exactly one source is set.
type InsertStmt struct {
	Pos
	Top           *Top
	Table         ObjectName
	TableVar      string // INSERT @t ...
	Columns       []Ident
	Values        [][]Expr
	Query         *SelectStmt
	Exec          *ExecStmt
	DefaultValues bool
}

// SetClause is one assignment of UPDATE ... SET: column = expr, @v = expr or
// @v = column = expr.
type SetClause struct {
	Pos
	Column *ObjectName // nil for a pure variable assignment
	Var    string
	Op     string // "=", "+=", ...
	Value  Expr
}

// UpdateStmt is UPDATE [TOP] target SET ... [FROM ...] [WHERE ...]. Target
// may name a table or an alias defined in FROM.
type UpdateStmt struct {
	Pos
	Top       *Top
	Target    ObjectName
	TargetVar string
	Sets      []*SetClause
	From      []TableSource
	Where     Expr
}

// DeleteStmt is DELETE [TOP] [FROM] target [FROM ...] [WHERE ...].
type DeleteStmt struct {
	Pos
	Top       *Top
	Target    ObjectName
	TargetVar string
	From      []TableSource
	Where     Expr
}

// TruncateStmt is TRUNCATE TABLE t.
type TruncateStmt struct {
	Pos
	Table ObjectName
}

// ---------------------------------------------------------------------------
// DDL

// NullSpec says whether a column was declared NULL, NOT NULL or neither.
type NullSpec int

// Nullability choices.
const (
	NullUnspecified NullSpec = iota
	NullAllowed
	NullNotAllowed
)

// IdentitySpec is IDENTITY[(seed, increment)]; both default to 1.
type IdentitySpec struct {
	Pos
	Seed      Expr
	Increment Expr
}

// ColumnDef is one column of CREATE TABLE.
type ColumnDef struct {
	Pos
	Name        Ident
	Typ         *TypeName
	Identity    *IdentitySpec
	Null        NullSpec
	Default     Expr
	DefaultName *Ident // CONSTRAINT name DEFAULT ...
	PrimaryKey  bool
	Unique      bool
	KeyName     *Ident // CONSTRAINT name PRIMARY KEY / UNIQUE
	Clustered   string // "CLUSTERED", "NONCLUSTERED" or ""
	Collation   string
	RowGUIDCol  bool
	Check       Expr // CHECK (expr); nil when absent
}

// IndexColumn is a column in a key or index list.
type IndexColumn struct {
	Pos
	Name Ident
	Desc bool
}

// ConstraintKind is a table-level constraint kind.
type ConstraintKind int

// Table constraint kinds.
const (
	ConstraintPrimaryKey ConstraintKind = iota + 1
	ConstraintUnique
	ConstraintCheck
	ConstraintForeignKey
)

// TableConstraint is [CONSTRAINT name] PRIMARY KEY|UNIQUE [CLUSTERED|
// NONCLUSTERED] (cols), CHECK (expr) or FOREIGN KEY (cols) REFERENCES t (cols).
type TableConstraint struct {
	Pos
	Name       *Ident
	Kind       ConstraintKind
	Clustered  string
	Columns    []*IndexColumn
	Check      Expr
	RefTable   *ObjectName
	RefColumns []Ident
	Options    []*Option // WITH (PAD_INDEX = OFF, ...) of a key
}

// CreateTableStmt is CREATE TABLE t (columns and constraints).
type CreateTableStmt struct {
	Pos
	Name        ObjectName
	Columns     []*ColumnDef
	Constraints []*TableConstraint
}

// DropTableStmt is DROP TABLE [IF EXISTS] t [, ...].
type DropTableStmt struct {
	Pos
	IfExists bool
	Names    []ObjectName
}

// FileSpec is one ( NAME = ..., FILENAME = ..., SIZE = ... ) of CREATE
// DATABASE; Filegroup is set for files after FILEGROUP name.
type FileSpec struct {
	Pos
	Options   []*Option
	Filegroup string
}

// CreateDatabaseStmt is CREATE DATABASE name [ON [PRIMARY] (...), ...
// [LOG ON (...), ...]] [COLLATE c] [WITH option, ...].
type CreateDatabaseStmt struct {
	Pos
	Name      Ident
	Files     []*FileSpec
	LogFiles  []*FileSpec
	Collation string
	Options   []*Option
}

// DropDatabaseStmt is DROP DATABASE [IF EXISTS] name [, ...].
type DropDatabaseStmt struct {
	Pos
	IfExists bool
	Names    []Ident
}

// CreateIndexStmt is CREATE [UNIQUE] [CLUSTERED|NONCLUSTERED] INDEX name ON t
// (cols) [INCLUDE (cols)] [WHERE ...] [WITH (options)].
type CreateIndexStmt struct {
	Pos
	Unique    bool
	Clustered string
	Name      Ident
	Table     ObjectName
	Columns   []*IndexColumn
	Include   []Ident
	Where     Expr
	Options   []*Option
}

// AlterDatabaseAction says what an ALTER DATABASE does.
type AlterDatabaseAction int

// ALTER DATABASE actions.
const (
	AlterDBSet        AlterDatabaseAction = iota + 1 // SET option [, ...] [WITH termination]
	AlterDBModifyName                                // MODIFY NAME = new
)

// AlterDatabaseStmt is ALTER DATABASE name|CURRENT SET ... or MODIFY NAME =
// .... Options use Option (see there): RECOVERY FULL -> {RECOVERY, Word FULL};
// SINGLE_USER -> {SINGLE_USER}; PARTNER = 'TCP://h:5022' -> {PARTNER, Value};
// PARTNER OFF -> {PARTNER, Word OFF}; PARTNER SAFETY FULL -> {PARTNER, Word
// "SAFETY FULL"}; PARTNER TIMEOUT 10 -> {PARTNER, Word TIMEOUT, Value 10};
// WITNESS = '...' / WITNESS OFF likewise. Termination is "" or "ROLLBACK
// IMMEDIATE", "ROLLBACK AFTER" (seconds in RollbackAfter) or "NO_WAIT".
type AlterDatabaseStmt struct {
	Pos
	Name          Ident // zero when Current
	Current       bool
	Action        AlterDatabaseAction
	Options       []*Option
	Termination   string
	RollbackAfter Expr
	NewName       Ident
}

// ---------------------------------------------------------------------------
// Transactions

// BeginTranStmt is BEGIN TRAN[SACTION] [name|@var].
type BeginTranStmt struct {
	Pos
	Name string // as written; "@v" for a variable; "" when absent
}

// CommitStmt is COMMIT [TRAN[SACTION] [name] | WORK].
type CommitStmt struct {
	Pos
	Name string
	Work bool
}

// RollbackStmt is ROLLBACK [TRAN[SACTION] [name] | WORK].
type RollbackStmt struct {
	Pos
	Name string
	Work bool
}

// SaveTranStmt is SAVE TRAN[SACTION] name.
type SaveTranStmt struct {
	Pos
	Name string
}

// KillStmt is KILL spid [WITH STATUSONLY].
type KillStmt struct {
	Pos
	Target     Expr
	StatusOnly bool
}

// ---------------------------------------------------------------------------
// Backup and restore

// BackupDevice is DISK|TAPE|URL = 'path'|@var, or a logical device name
// (Kind "" and Logical set).
type BackupDevice struct {
	Pos
	Kind    string // "DISK", "TAPE", "URL" or ""
	Target  Expr   // *StringLit or *VarRef
	Logical *Ident
}

// BackupStmt is BACKUP DATABASE|LOG name|@var TO device [, ...] [WITH ...].
// Options: see Option; names are validated by the parser.
type BackupStmt struct {
	Pos
	Log     bool
	DB      Ident  // zero when DBVar is set
	DBVar   string // "@db"
	Devices []*BackupDevice
	Options []*Option
}

// RestoreKind is what a RESTORE does.
type RestoreKind int

// RESTORE forms.
const (
	RestoreDatabase RestoreKind = iota + 1
	RestoreLog
	RestoreHeaderOnly
	RestoreFileListOnly
	RestoreVerifyOnly
	RestoreLabelOnly
)

// RestoreStmt is RESTORE DATABASE|LOG name [FROM device, ...] [WITH ...] or
// RESTORE HEADERONLY|FILELISTONLY|VERIFYONLY|LABELONLY FROM device [WITH ...].
// MOVE options have Value (logical name) and To (path) set; STANDBY = 'f'
// has Value.
type RestoreStmt struct {
	Pos
	Kind    RestoreKind
	DB      Ident
	DBVar   string
	From    []*BackupDevice
	Options []*Option
}

// ---------------------------------------------------------------------------
// Endpoints and security

// EndpointSpec holds the clauses shared by CREATE and ALTER ENDPOINT; fields
// are zero when a clause is absent.
type EndpointSpec struct {
	Authorization  *Ident
	State          string    // STARTED, STOPPED, DISABLED
	Protocol       string    // TCP
	ProtocolOpts   []*Option // LISTENER_PORT = n, LISTENER_IP = ALL|(...)
	Payload        string    // DATABASE_MIRRORING
	PayloadOptions []*Option // ROLE = PARTNER, AUTHENTICATION = ..., ENCRYPTION = ...
}

// CreateEndpointStmt is CREATE ENDPOINT name ... .
type CreateEndpointStmt struct {
	Pos
	Name Ident
	EndpointSpec
}

// AlterEndpointStmt is ALTER ENDPOINT name ... .
type AlterEndpointStmt struct {
	Pos
	Name Ident
	EndpointSpec
}

// DropEndpointStmt is DROP ENDPOINT name.
type DropEndpointStmt struct {
	Pos
	Name Ident
}

// GrantStmt is GRANT perm [, ...] [ON [class::]securable] TO principal [, ...]
// [WITH GRANT OPTION]. Permissions are upper-cased ("CONNECT").
type GrantStmt struct {
	Pos
	Permissions []string
	Class       string // "ENDPOINT", "LOGIN", "DATABASE", ... or "" (object)
	On          *ObjectName
	To          []Ident
	WithGrant   bool
}

// CreateLoginStmt is CREATE LOGIN name WITH PASSWORD = '...' [, options] or
// FROM WINDOWS [WITH options]. The printer never shows the password.
type CreateLoginStmt struct {
	Pos
	Name        Ident
	Password    Expr // nil for FROM WINDOWS
	FromWindows bool
	Options     []*Option // CHECK_POLICY = OFF, DEFAULT_DATABASE = x, ...
}

// ---------------------------------------------------------------------------
// Marker methods

func (*UseStmt) stmtNode()            {}
func (*DeclareStmt) stmtNode()        {}
func (*SetVarStmt) stmtNode()         {}
func (*SetOptionStmt) stmtNode()      {}
func (*IfStmt) stmtNode()             {}
func (*BlockStmt) stmtNode()          {}
func (*WhileStmt) stmtNode()          {}
func (*TryCatchStmt) stmtNode()       {}
func (*BreakStmt) stmtNode()          {}
func (*ContinueStmt) stmtNode()       {}
func (*ReturnStmt) stmtNode()         {}
func (*PrintStmt) stmtNode()          {}
func (*RaiserrorStmt) stmtNode()      {}
func (*ThrowStmt) stmtNode()          {}
func (*WaitforStmt) stmtNode()        {}
func (*ExecStmt) stmtNode()           {}
func (*ExecStringStmt) stmtNode()     {}
func (*SelectStmt) stmtNode()         {}
func (*InsertStmt) stmtNode()         {}
func (*UpdateStmt) stmtNode()         {}
func (*DeleteStmt) stmtNode()         {}
func (*TruncateStmt) stmtNode()       {}
func (*CreateTableStmt) stmtNode()    {}
func (*DropTableStmt) stmtNode()      {}
func (*CreateDatabaseStmt) stmtNode() {}
func (*DropDatabaseStmt) stmtNode()   {}
func (*CreateIndexStmt) stmtNode()    {}
func (*AlterDatabaseStmt) stmtNode()  {}
func (*BeginTranStmt) stmtNode()      {}
func (*CommitStmt) stmtNode()         {}
func (*RollbackStmt) stmtNode()       {}
func (*SaveTranStmt) stmtNode()       {}
func (*KillStmt) stmtNode()           {}
func (*BackupStmt) stmtNode()         {}
func (*RestoreStmt) stmtNode()        {}
func (*CreateEndpointStmt) stmtNode() {}
func (*AlterEndpointStmt) stmtNode()  {}
func (*DropEndpointStmt) stmtNode()   {}
func (*GrantStmt) stmtNode()          {}
func (*CreateLoginStmt) stmtNode()    {}

func (*IntLit) exprNode()         {}
func (*DecimalLit) exprNode()     {}
func (*FloatLit) exprNode()       {}
func (*StringLit) exprNode()      {}
func (*BinaryLit) exprNode()      {}
func (*MoneyLit) exprNode()       {}
func (*NullLit) exprNode()        {}
func (*DefaultExpr) exprNode()    {}
func (*VarRef) exprNode()         {}
func (*GlobalVarRef) exprNode()   {}
func (*ColumnRef) exprNode()      {}
func (*UnaryExpr) exprNode()      {}
func (*BinaryExpr) exprNode()     {}
func (*IsNullExpr) exprNode()     {}
func (*InExpr) exprNode()         {}
func (*LikeExpr) exprNode()       {}
func (*BetweenExpr) exprNode()    {}
func (*ExistsExpr) exprNode()     {}
func (*SubqueryExpr) exprNode()   {}
func (*QuantifiedExpr) exprNode() {}
func (*CaseExpr) exprNode()       {}
func (*CastExpr) exprNode()       {}
func (*ConvertExpr) exprNode()    {}
func (*FuncCall) exprNode()       {}
func (*CollateExpr) exprNode()    {}
func (*ParenExpr) exprNode()      {}

func (*TableRef) tableSourceNode()     {}
func (*TableVarRef) tableSourceNode()  {}
func (*DerivedTable) tableSourceNode() {}
func (*FuncTable) tableSourceNode()    {}
func (*ValuesTable) tableSourceNode()  {}
func (*JoinExpr) tableSourceNode()     {}

func (*QuerySpec) queryNode()  {}
func (*SelectStmt) queryNode() {} // a parenthesised query as a set operand
func (*SetOpExpr) queryNode()  {}
