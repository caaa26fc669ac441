package tsql

import (
	"strconv"
	"strings"
)

// The printer renders nodes as compact, canonical T-SQL-like text: binary
// operations are fully parenthesised so tests (and error reports) show how
// the parser grouped them, keywords are upper-case, and passwords are masked.
// The output is for people and tests; it is not guaranteed to re-parse.

func (p Pos) String() string { return strconv.Itoa(p.Line) + ":" + strconv.Itoa(p.Col) }

func (i Ident) String() string {
	if i.Quoted {
		return "[" + strings.ReplaceAll(i.Name, "]", "]]") + "]"
	}
	return i.Name
}

func (n *ObjectName) String() string {
	if n == nil {
		return ""
	}
	parts := make([]string, len(n.Parts))
	for i, p := range n.Parts {
		parts[i] = p.String()
	}
	return strings.Join(parts, ".")
}

func (t *TypeName) String() string {
	s := strings.ToUpper(t.Name.String())
	if t.Max {
		return s + "(MAX)"
	}
	if t.Parens {
		ps := make([]string, len(t.Params))
		for i, v := range t.Params {
			ps[i] = strconv.FormatInt(v, 10)
		}
		s += "(" + strings.Join(ps, ",") + ")"
	}
	return s
}

func exprStr(e Expr) string {
	if e == nil {
		return "<nil>"
	}
	return e.String()
}

func exprList(es []Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = exprStr(e)
	}
	return strings.Join(parts, ", ")
}

func quoteString(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (e *IntLit) String() string     { return e.Raw }
func (e *DecimalLit) String() string { return e.Raw }
func (e *FloatLit) String() string   { return e.Raw }
func (e *MoneyLit) String() string   { return e.Raw }
func (e *StringLit) String() string {
	if e.Unicode {
		return "N" + quoteString(e.Value)
	}
	return quoteString(e.Value)
}
func (e *BinaryLit) String() string    { return e.Raw }
func (e *NullLit) String() string      { return "NULL" }
func (e *DefaultExpr) String() string  { return "DEFAULT" }
func (e *VarRef) String() string       { return e.Name }
func (e *GlobalVarRef) String() string { return strings.ToUpper(e.Name) }
func (e *ColumnRef) String() string    { return e.Name.String() }

var unaryText = map[UnaryOp]string{UnaryMinus: "-", UnaryPlus: "+", UnaryBitNot: "~", UnaryNot: "NOT "}

func (op UnaryOp) String() string { return strings.TrimSpace(unaryText[op]) }

func (e *UnaryExpr) String() string { return "(" + unaryText[e.Op] + exprStr(e.X) + ")" }

var binaryText = map[BinaryOp]string{
	OpMul: "*", OpDiv: "/", OpMod: "%", OpAdd: "+", OpSub: "-", OpBitAnd: "&", OpBitOr: "|",
	OpBitXor: "^", OpEq: "=", OpNe: "<>", OpLt: "<", OpGt: ">", OpLe: "<=", OpGe: ">=",
	OpNotLt: "!<", OpNotGt: "!>", OpAnd: "AND", OpOr: "OR",
}

func (op BinaryOp) String() string { return binaryText[op] }

func (e *BinaryExpr) String() string {
	return "(" + exprStr(e.L) + " " + e.Op.String() + " " + exprStr(e.R) + ")"
}

func not(b bool) string {
	if b {
		return "NOT "
	}
	return ""
}

func (e *IsNullExpr) String() string { return "(" + exprStr(e.X) + " IS " + not(e.Not) + "NULL)" }

func (e *InExpr) String() string {
	if e.Query != nil {
		return "(" + exprStr(e.X) + " " + not(e.Not) + "IN (" + e.Query.String() + "))"
	}
	return "(" + exprStr(e.X) + " " + not(e.Not) + "IN (" + exprList(e.List) + "))"
}

func (e *LikeExpr) String() string {
	s := "(" + exprStr(e.X) + " " + not(e.Not) + "LIKE " + exprStr(e.Pattern)
	if e.Escape != nil {
		s += " ESCAPE " + exprStr(e.Escape)
	}
	return s + ")"
}

func (e *BetweenExpr) String() string {
	return "(" + exprStr(e.X) + " " + not(e.Not) + "BETWEEN " + exprStr(e.Lo) + " AND " + exprStr(e.Hi) + ")"
}

func (e *ExistsExpr) String() string   { return "EXISTS (" + e.Query.String() + ")" }
func (e *SubqueryExpr) String() string { return "(" + e.Query.String() + ")" }

var quantText = map[Quantifier]string{QuantAll: "ALL", QuantAny: "ANY", QuantSome: "SOME"}

func (q Quantifier) String() string { return quantText[q] }

func (e *QuantifiedExpr) String() string {
	return "(" + exprStr(e.X) + " " + e.Op.String() + " " + e.Quantifier.String() + " (" + e.Query.String() + "))"
}

func (w *CaseWhen) String() string { return "WHEN " + exprStr(w.When) + " THEN " + exprStr(w.Then) }

func (e *CaseExpr) String() string {
	var b strings.Builder
	b.WriteString("CASE")
	if e.Operand != nil {
		b.WriteString(" " + e.Operand.String())
	}
	for _, w := range e.Whens {
		b.WriteString(" " + w.String())
	}
	if e.Else != nil {
		b.WriteString(" ELSE " + e.Else.String())
	}
	b.WriteString(" END")
	return b.String()
}

func try(b bool) string {
	if b {
		return "TRY_"
	}
	return ""
}

func (e *CastExpr) String() string {
	return try(e.Try) + "CAST(" + exprStr(e.X) + " AS " + e.Typ.String() + ")"
}

func (e *ConvertExpr) String() string {
	s := try(e.Try) + "CONVERT(" + e.Typ.String() + ", " + exprStr(e.X)
	if e.Style != nil {
		s += ", " + e.Style.String()
	}
	return s + ")"
}

func (e *FuncCall) String() string {
	name := e.Name.String()
	if len(e.Name.Parts) == 1 && !e.Name.Parts[0].Quoted {
		name = strings.ToUpper(name)
	}
	if e.NoParens {
		return name
	}
	var s string
	switch {
	case e.Star:
		s = name + "(*)"
	case e.Distinct:
		s = name + "(DISTINCT " + exprList(e.Args) + ")"
	default:
		s = name + "(" + exprList(e.Args) + ")"
	}
	if e.Over != nil {
		s += " " + e.Over.String()
	}
	return s
}

func (o *OverClause) String() string {
	var parts []string
	if len(o.PartitionBy) > 0 {
		parts = append(parts, "PARTITION BY "+exprList(o.PartitionBy))
	}
	if len(o.OrderBy) > 0 {
		parts = append(parts, "ORDER BY "+orderList(o.OrderBy))
	}
	return "OVER (" + strings.Join(parts, " ") + ")"
}

func (e *CollateExpr) String() string { return "(" + exprStr(e.X) + " COLLATE " + e.Collation + ")" }
func (e *ParenExpr) String() string   { return "(" + exprStr(e.X) + ")" }

// ---------------------------------------------------------------------------
// Queries

func orderList(items []*OrderItem) string {
	parts := make([]string, len(items))
	for i, o := range items {
		parts[i] = o.String()
	}
	return strings.Join(parts, ", ")
}

func (o *OrderItem) String() string {
	if o.Desc {
		return exprStr(o.Expr) + " DESC"
	}
	return exprStr(o.Expr)
}

func (s *SelectStmt) String() string {
	if s == nil {
		return "<nil>"
	}
	out := "<nil>"
	if s.Body != nil {
		out = operand(s.Body)
	}
	if len(s.OrderBy) > 0 {
		out += " ORDER BY " + orderList(s.OrderBy)
	}
	if s.Offset != nil {
		out += " OFFSET " + s.Offset.String() + " ROWS"
	}
	if s.Fetch != nil {
		out += " FETCH NEXT " + s.Fetch.String() + " ROWS ONLY"
	}
	return out
}

func (t *Top) String() string {
	s := "TOP (" + exprStr(t.Count) + ")"
	if t.Percent {
		s += " PERCENT"
	}
	if t.WithTies {
		s += " WITH TIES"
	}
	return s
}

func (it *SelectItem) String() string {
	switch {
	case it.Star && it.Qualifier != nil:
		return it.Qualifier.String() + ".*"
	case it.Star:
		return "*"
	case it.Var != "":
		return it.Var + " " + it.Op + " " + exprStr(it.Expr)
	case it.Alias != nil:
		return exprStr(it.Expr) + " AS " + it.Alias.String()
	}
	return exprStr(it.Expr)
}

func sourceList(ts []TableSource) string {
	parts := make([]string, len(ts))
	for i, t := range ts {
		parts[i] = t.String()
	}
	return strings.Join(parts, ", ")
}

func (q *QuerySpec) String() string {
	var b strings.Builder
	b.WriteString("SELECT ")
	if q.Distinct {
		b.WriteString("DISTINCT ")
	}
	if q.Top != nil {
		b.WriteString(q.Top.String() + " ")
	}
	for i, it := range q.Items {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(it.String())
	}
	if q.From != nil {
		b.WriteString(" FROM " + sourceList(q.From))
	}
	if q.Where != nil {
		b.WriteString(" WHERE " + q.Where.String())
	}
	if len(q.GroupBy) > 0 {
		b.WriteString(" GROUP BY " + exprList(q.GroupBy))
	}
	if q.Having != nil {
		b.WriteString(" HAVING " + q.Having.String())
	}
	return b.String()
}

var setOpText = map[SetOpKind]string{SetUnion: "UNION", SetUnionAll: "UNION ALL", SetExcept: "EXCEPT", SetIntersect: "INTERSECT"}

func (k SetOpKind) String() string { return setOpText[k] }

func operand(q QueryExpr) string {
	if s, ok := q.(*SelectStmt); ok {
		return "(" + s.String() + ")"
	}
	return q.String()
}

func (s *SetOpExpr) String() string {
	return "(" + operand(s.Left) + " " + s.Op.String() + " " + operand(s.Right) + ")"
}

func alias(a *Ident) string {
	if a == nil {
		return ""
	}
	return " AS " + a.String()
}

func identList(ids []Ident) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = id.String()
	}
	return strings.Join(parts, ", ")
}

func (t *TableRef) String() string {
	s := t.Name.String() + alias(t.Alias)
	if len(t.Hints) > 0 {
		s += " WITH (" + strings.Join(t.Hints, ", ") + ")"
	}
	return s
}

func (t *TableVarRef) String() string { return t.Name + alias(t.Alias) }

func (t *DerivedTable) String() string {
	s := "(" + t.Query.String() + ") AS " + t.Alias.String()
	if len(t.Columns) > 0 {
		s += " (" + identList(t.Columns) + ")"
	}
	return s
}

func (t *FuncTable) String() string { return t.Call.String() + alias(t.Alias) }

func rowsString(rows [][]Expr) string {
	parts := make([]string, len(rows))
	for i, r := range rows {
		parts[i] = "(" + exprList(r) + ")"
	}
	return strings.Join(parts, ", ")
}

func (t *ValuesTable) String() string {
	s := "(VALUES " + rowsString(t.Rows) + ") AS " + t.Alias.String()
	if len(t.Columns) > 0 {
		s += " (" + identList(t.Columns) + ")"
	}
	return s
}

var joinText = map[JoinKind]string{
	JoinInner: "INNER JOIN", JoinLeft: "LEFT JOIN", JoinRight: "RIGHT JOIN", JoinFull: "FULL JOIN",
	JoinCross: "CROSS JOIN", JoinCrossApply: "CROSS APPLY", JoinOuterApply: "OUTER APPLY",
}

func (k JoinKind) String() string { return joinText[k] }

func (j *JoinExpr) String() string {
	s := "(" + j.Left.String() + " " + j.Kind.String() + " " + j.Right.String()
	if j.On != nil {
		s += " ON " + j.On.String()
	}
	return s + ")"
}

// ---------------------------------------------------------------------------
// Options

func (o *Option) String() string {
	if o.Name == "PASSWORD" || o.Name == "MEDIAPASSWORD" {
		return o.Name + " = '****'"
	}
	var parts []string
	if o.Word != "" {
		parts = append(parts, o.Word)
	}
	if o.Value != nil {
		parts = append(parts, o.Value.String()+o.Unit)
	}
	if o.To != nil {
		parts = append(parts, "TO", o.To.String())
	}
	if len(parts) == 0 {
		return o.Name
	}
	if o.Eq {
		return o.Name + " = " + strings.Join(parts, " ")
	}
	return o.Name + " " + strings.Join(parts, " ")
}

func optionList(os []*Option) string {
	parts := make([]string, len(os))
	for i, o := range os {
		parts[i] = o.String()
	}
	return strings.Join(parts, ", ")
}

// ---------------------------------------------------------------------------
// Statements

func stmtStr(s Stmt) string {
	if s == nil {
		return "<nil>"
	}
	return s.String()
}

func (s *UseStmt) String() string { return "USE " + s.DB.String() }

func (v *VarDecl) String() string {
	if v.Table != nil {
		return v.Name + " TABLE" + tableVarColumns(v.Table)
	}
	out := v.Name + " " + v.Typ.String()
	if v.Init != nil {
		out += " = " + v.Init.String()
	}
	return out
}

func (s *DeclareStmt) String() string {
	parts := make([]string, len(s.Vars))
	for i, v := range s.Vars {
		parts[i] = v.String()
	}
	return "DECLARE " + strings.Join(parts, ", ")
}

func (s *SetVarStmt) String() string { return "SET " + s.Var + " " + s.Op + " " + exprStr(s.Value) }

func (s *SetOptionStmt) String() string {
	out := "SET " + strings.Join(s.Names, ", ")
	if s.Object != nil {
		out += " " + s.Object.String()
	}
	if s.Value != "" {
		out += " " + s.Value
	}
	if s.Arg != nil {
		out += " " + s.Arg.String()
	}
	return out
}

func (s *IfStmt) String() string {
	out := "IF " + exprStr(s.Cond) + " " + stmtStr(s.Then)
	if s.Else != nil {
		out += " ELSE " + s.Else.String()
	}
	return out
}

func (s *BlockStmt) String() string {
	parts := make([]string, len(s.Body))
	for i, st := range s.Body {
		parts[i] = st.String() + ";"
	}
	if len(parts) == 0 {
		return "BEGIN END"
	}
	return "BEGIN " + strings.Join(parts, " ") + " END"
}

func (s *WhileStmt) String() string    { return "WHILE " + exprStr(s.Cond) + " " + stmtStr(s.Body) }
func (s *BreakStmt) String() string    { return "BREAK" }
func (s *ContinueStmt) String() string { return "CONTINUE" }

func (s *ReturnStmt) String() string {
	if s.Value == nil {
		return "RETURN"
	}
	return "RETURN " + s.Value.String()
}

func (s *PrintStmt) String() string { return "PRINT " + exprStr(s.Value) }

func (s *RaiserrorStmt) String() string {
	args := []Expr{s.Msg, s.Severity, s.State}
	args = append(args, s.Args...)
	out := "RAISERROR(" + exprList(args) + ")"
	if len(s.Options) > 0 {
		out += " WITH " + strings.Join(s.Options, ", ")
	}
	return out
}

func (s *ThrowStmt) String() string {
	if s.Number == nil {
		return "THROW"
	}
	return "THROW " + exprList([]Expr{s.Number, s.Message, s.State})
}

func (s *WaitforStmt) String() string {
	if s.Delay {
		return "WAITFOR DELAY " + exprStr(s.Value)
	}
	return "WAITFOR TIME " + exprStr(s.Value)
}

func (a *ExecArg) String() string {
	out := exprStr(a.Value)
	if a.Name != "" {
		out = a.Name + " = " + out
	}
	if a.Output {
		out += " OUTPUT"
	}
	return out
}

func (s *ExecStmt) String() string {
	out := "EXEC "
	if s.Implicit {
		out = "EXEC* "
	}
	if s.ReturnVar != "" {
		out += s.ReturnVar + " = "
	}
	if s.Proc != nil {
		out += s.Proc.String()
	} else {
		out += s.ProcVar
	}
	for i, a := range s.Args {
		if i == 0 {
			out += " "
		} else {
			out += ", "
		}
		out += a.String()
	}
	if len(s.Options) > 0 {
		out += " WITH " + strings.Join(s.Options, ", ")
	}
	return out
}

func (s *ExecStringStmt) String() string { return "EXEC (" + exprStr(s.SQL) + ")" }

func (s *InsertStmt) String() string {
	out := "INSERT "
	if s.Top != nil {
		out += s.Top.String() + " "
	}
	if s.TableVar != "" {
		out += s.TableVar
	} else {
		out += s.Table.String()
	}
	if len(s.Columns) > 0 {
		out += " (" + identList(s.Columns) + ")"
	}
	switch {
	case s.Values != nil:
		out += " VALUES " + rowsString(s.Values)
	case s.Query != nil:
		out += " " + s.Query.String()
	case s.Exec != nil:
		out += " " + s.Exec.String()
	case s.DefaultValues:
		out += " DEFAULT VALUES"
	}
	return out
}

func (c *SetClause) String() string {
	out := ""
	if c.Var != "" {
		out = c.Var + " = "
		if c.Column == nil {
			out = c.Var + " " + c.Op + " "
		}
	}
	if c.Column != nil {
		out += c.Column.String() + " " + c.Op + " "
	}
	return out + exprStr(c.Value)
}

func (s *UpdateStmt) String() string {
	out := "UPDATE "
	if s.Top != nil {
		out += s.Top.String() + " "
	}
	if s.TargetVar != "" {
		out += s.TargetVar
	} else {
		out += s.Target.String()
	}
	parts := make([]string, len(s.Sets))
	for i, c := range s.Sets {
		parts[i] = c.String()
	}
	out += " SET " + strings.Join(parts, ", ")
	if s.From != nil {
		out += " FROM " + sourceList(s.From)
	}
	if s.Where != nil {
		out += " WHERE " + s.Where.String()
	}
	return out
}

func (s *DeleteStmt) String() string {
	out := "DELETE "
	if s.Top != nil {
		out += s.Top.String() + " "
	}
	if s.TargetVar != "" {
		out += s.TargetVar
	} else {
		out += s.Target.String()
	}
	if s.From != nil {
		out += " FROM " + sourceList(s.From)
	}
	if s.Where != nil {
		out += " WHERE " + s.Where.String()
	}
	return out
}

func (s *TruncateStmt) String() string { return "TRUNCATE TABLE " + s.Table.String() }

func (c *ColumnDef) String() string {
	out := c.Name.String() + " " + c.Typ.String()
	if c.Collation != "" {
		out += " COLLATE " + c.Collation
	}
	if c.Identity != nil {
		out += " IDENTITY"
		if c.Identity.Seed != nil {
			out += "(" + exprStr(c.Identity.Seed) + "," + exprStr(c.Identity.Increment) + ")"
		}
	}
	if c.RowGUIDCol {
		out += " ROWGUIDCOL"
	}
	switch c.Null {
	case NullAllowed:
		out += " NULL"
	case NullNotAllowed:
		out += " NOT NULL"
	}
	if c.Default != nil {
		if c.DefaultName != nil {
			out += " CONSTRAINT " + c.DefaultName.String()
		}
		out += " DEFAULT " + c.Default.String()
	}
	if c.KeyName != nil && (c.PrimaryKey || c.Unique) {
		out += " CONSTRAINT " + c.KeyName.String()
	}
	if c.PrimaryKey {
		out += " PRIMARY KEY"
	}
	if c.Unique {
		out += " UNIQUE"
	}
	if c.Clustered != "" {
		out += " " + c.Clustered
	}
	if c.Check != nil {
		out += " CHECK " + c.Check.String()
	}
	return out
}

func (c *IndexColumn) String() string {
	if c.Desc {
		return c.Name.String() + " DESC"
	}
	return c.Name.String()
}

func indexCols(cs []*IndexColumn) string {
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = c.String()
	}
	return strings.Join(parts, ", ")
}

func (c *TableConstraint) String() string {
	out := ""
	if c.Name != nil {
		out = "CONSTRAINT " + c.Name.String() + " "
	}
	switch c.Kind {
	case ConstraintPrimaryKey:
		out += "PRIMARY KEY"
	case ConstraintUnique:
		out += "UNIQUE"
	case ConstraintCheck:
		return out + "CHECK " + exprStr(c.Check)
	case ConstraintForeignKey:
		out += "FOREIGN KEY (" + indexCols(c.Columns) + ") REFERENCES " + c.RefTable.String()
		if len(c.RefColumns) > 0 {
			out += " (" + identList(c.RefColumns) + ")"
		}
		return out
	}
	if c.Clustered != "" {
		out += " " + c.Clustered
	}
	out += " (" + indexCols(c.Columns) + ")"
	if len(c.Options) > 0 {
		out += " WITH (" + optionList(c.Options) + ")"
	}
	return out
}

func (s *CreateTableStmt) String() string {
	var parts []string
	for _, c := range s.Columns {
		parts = append(parts, c.String())
	}
	for _, c := range s.Constraints {
		parts = append(parts, c.String())
	}
	return "CREATE TABLE " + s.Name.String() + " (" + strings.Join(parts, ", ") + ")"
}

func ifExists(b bool) string {
	if b {
		return "IF EXISTS "
	}
	return ""
}

func (s *DropTableStmt) String() string {
	parts := make([]string, len(s.Names))
	for i := range s.Names {
		parts[i] = s.Names[i].String()
	}
	return "DROP TABLE " + ifExists(s.IfExists) + strings.Join(parts, ", ")
}

func (f *FileSpec) String() string {
	out := "(" + optionList(f.Options) + ")"
	if f.Filegroup != "" {
		out = "FILEGROUP " + f.Filegroup + " " + out
	}
	return out
}

func fileList(fs []*FileSpec) string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.String()
	}
	return strings.Join(parts, ", ")
}

func (s *CreateDatabaseStmt) String() string {
	out := "CREATE DATABASE " + s.Name.String()
	if len(s.Files) > 0 {
		out += " ON " + fileList(s.Files)
	}
	if len(s.LogFiles) > 0 {
		out += " LOG ON " + fileList(s.LogFiles)
	}
	if s.Collation != "" {
		out += " COLLATE " + s.Collation
	}
	if len(s.Options) > 0 {
		out += " WITH " + optionList(s.Options)
	}
	return out
}

func (s *DropDatabaseStmt) String() string {
	return "DROP DATABASE " + ifExists(s.IfExists) + identList(s.Names)
}

func (s *CreateIndexStmt) String() string {
	out := "CREATE "
	if s.Unique {
		out += "UNIQUE "
	}
	if s.Clustered != "" {
		out += s.Clustered + " "
	}
	out += "INDEX " + s.Name.String() + " ON " + s.Table.String() + " (" + indexCols(s.Columns) + ")"
	if len(s.Include) > 0 {
		out += " INCLUDE (" + identList(s.Include) + ")"
	}
	if s.Where != nil {
		out += " WHERE " + s.Where.String()
	}
	if len(s.Options) > 0 {
		out += " WITH (" + optionList(s.Options) + ")"
	}
	return out
}

func (s *AlterDatabaseStmt) String() string {
	out := "ALTER DATABASE "
	if s.Current {
		out += "CURRENT"
	} else {
		out += s.Name.String()
	}
	switch s.Action {
	case AlterDBModifyName:
		return out + " MODIFY NAME = " + s.NewName.String()
	default:
		out += " SET " + optionList(s.Options)
	}
	if s.Termination != "" {
		out += " WITH " + s.Termination
		if s.RollbackAfter != nil {
			out += " " + s.RollbackAfter.String()
		}
	}
	return out
}

func withName(kw, name string) string {
	if name == "" {
		return kw
	}
	return kw + " " + name
}

func (s *BeginTranStmt) String() string { return withName("BEGIN TRAN", s.Name) }

func (s *CommitStmt) String() string {
	if s.Work {
		return "COMMIT WORK"
	}
	return withName("COMMIT TRAN", s.Name)
}

func (s *RollbackStmt) String() string {
	if s.Work {
		return "ROLLBACK WORK"
	}
	return withName("ROLLBACK TRAN", s.Name)
}

func (s *SaveTranStmt) String() string { return withName("SAVE TRAN", s.Name) }

func (s *KillStmt) String() string {
	out := "KILL " + exprStr(s.Target)
	if s.StatusOnly {
		out += " WITH STATUSONLY"
	}
	return out
}

func (d *BackupDevice) String() string {
	if d.Kind == "" && d.Logical != nil {
		return d.Logical.String()
	}
	return d.Kind + " = " + exprStr(d.Target)
}

func deviceList(ds []*BackupDevice) string {
	parts := make([]string, len(ds))
	for i, d := range ds {
		parts[i] = d.String()
	}
	return strings.Join(parts, ", ")
}

func dbTarget(id Ident, v string) string {
	if v != "" {
		return v
	}
	return id.String()
}

func (s *BackupStmt) String() string {
	out := "BACKUP DATABASE "
	if s.Log {
		out = "BACKUP LOG "
	}
	out += dbTarget(s.DB, s.DBVar) + " TO " + deviceList(s.Devices)
	if len(s.Options) > 0 {
		out += " WITH " + optionList(s.Options)
	}
	return out
}

var restoreText = map[RestoreKind]string{
	RestoreDatabase: "DATABASE", RestoreLog: "LOG", RestoreHeaderOnly: "HEADERONLY",
	RestoreFileListOnly: "FILELISTONLY", RestoreVerifyOnly: "VERIFYONLY", RestoreLabelOnly: "LABELONLY",
}

func (k RestoreKind) String() string { return restoreText[k] }

func (s *RestoreStmt) String() string {
	out := "RESTORE " + s.Kind.String()
	if s.Kind == RestoreDatabase || s.Kind == RestoreLog {
		out += " " + dbTarget(s.DB, s.DBVar)
	}
	if len(s.From) > 0 {
		out += " FROM " + deviceList(s.From)
	}
	if len(s.Options) > 0 {
		out += " WITH " + optionList(s.Options)
	}
	return out
}

func (e *EndpointSpec) String() string {
	var out string
	if e.Authorization != nil {
		out += " AUTHORIZATION " + e.Authorization.String()
	}
	if e.State != "" {
		out += " STATE = " + e.State
	}
	if e.Protocol != "" {
		out += " AS " + e.Protocol + " (" + optionList(e.ProtocolOpts) + ")"
	}
	if e.Payload != "" {
		out += " FOR " + e.Payload + " (" + optionList(e.PayloadOptions) + ")"
	}
	return out
}

func (s *CreateEndpointStmt) String() string {
	return "CREATE ENDPOINT " + s.Name.String() + s.EndpointSpec.String()
}

func (s *AlterEndpointStmt) String() string {
	return "ALTER ENDPOINT " + s.Name.String() + s.EndpointSpec.String()
}

func (s *DropEndpointStmt) String() string { return "DROP ENDPOINT " + s.Name.String() }

func (s *GrantStmt) String() string {
	out := "GRANT " + strings.Join(s.Permissions, ", ")
	if s.On != nil {
		out += " ON "
		if s.Class != "" {
			out += s.Class + "::"
		}
		out += s.On.String()
	}
	out += " TO " + identList(s.To)
	if s.WithGrant {
		out += " WITH GRANT OPTION"
	}
	return out
}

func (s *CreateLoginStmt) String() string {
	out := "CREATE LOGIN " + s.Name.String()
	if s.FromWindows {
		out += " FROM WINDOWS"
		if len(s.Options) > 0 {
			out += " WITH " + optionList(s.Options)
		}
		return out
	}
	out += " WITH PASSWORD = '****'"
	if len(s.Options) > 0 {
		out += ", " + optionList(s.Options)
	}
	return out
}

func stmtList(ss []Stmt) string {
	var b strings.Builder
	for _, s := range ss {
		b.WriteString(" " + s.String() + ";")
	}
	return b.String()
}

func (s *TryCatchStmt) String() string {
	return "BEGIN TRY" + stmtList(s.Try) + " END TRY BEGIN CATCH" + stmtList(s.Catch) + " END CATCH"
}
