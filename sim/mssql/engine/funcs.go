package engine

import (
	"github.com/pchatdr/harness/sim/mssql/builtins"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// builtin compiles a call to a built-in scalar function of the engine.
type builtin func(c *compiler, fc *tsql.FuncCall) (*cexpr, error)

// sessionFuncs are the scalar functions that read the session, the
// instance or the calling scope (GETDATE, DB_NAME, OBJECT_ID,
// ERROR_NUMBER, ...) and IIF, which is CASE. The pure ones (string, date
// and arithmetic functions) are package builtins (sim/mssql/builtins).
// Each instance's Registry holds its table (newRegistry), so the package
// has no init() and no table two instances share; a package-level
// literal would also make an initialization cycle through the functions
// that call the compiler.
func sessionFuncs() map[string]builtin {
	funcs := map[string]builtin{
		"getdate":           nowFunc(false, false),
		"current_timestamp": nowFunc(false, false),
		"getutcdate":        nowFunc(true, false),
		"sysdatetime":       nowFunc(false, true),
		"sysutcdatetime":    nowFunc(true, true),
		"sysdatetimeoffset": fixedArgs(0, func(c *compiler, _ []*cexpr) (*cexpr, error) {
			// The instance's local time with its offset from UTC.
			return &cexpr{typ: sqltypes.DateTimeOffset(7), eval: func(en *env) (Value, error) {
				now := en.sc.s.inst.now()
				_, off := now.Zone()
				return now.In(sqltypes.OffsetZone(off / 60)).Truncate(100 * time.Nanosecond), nil
			}}, nil
		}),
		"newid": fixedArgs(0, func(c *compiler, _ []*cexpr) (*cexpr, error) {
			return &cexpr{typ: sqltypes.TypeGUID, eval: func(*env) (Value, error) { return newGUID(), nil }}, nil
		}),
		"scope_identity": fixedArgs(0, func(c *compiler, _ []*cexpr) (*cexpr, error) {
			return &cexpr{typ: sqltypes.DecimalType(38, 0), nullable: true, eval: func(en *env) (Value, error) {
				return identValue(en.sc.scopeIdent), nil
			}}, nil
		}),
		"suser_sname":        sessionString(func(s *Session) string { return s.login }),
		"suser_name":         sessionString(func(s *Session) string { return s.login }),
		"system_user":        sessionString(func(s *Session) string { return s.login }),
		"original_login":     sessionString(func(s *Session) string { return s.login }),
		"host_name":          sessionString(func(s *Session) string { return s.host }),
		"app_name":           sessionString(func(s *Session) string { return s.appName }),
		"user_name":          sessionString(func(*Session) string { return "dbo" }),
		"current_user":       sessionString(func(*Session) string { return "dbo" }),
		"session_user":       sessionString(func(*Session) string { return "dbo" }),
		"user":               sessionString(func(*Session) string { return "dbo" }),
		"schema_name":        rangeArgs(0, 1, fnSchemaName),
		"db_name":            rangeArgs(0, 1, fnDBName),
		"db_id":              rangeArgs(0, 1, fnDBID),
		"serverproperty":     fnServerProperty,
		"databasepropertyex": fixedArgs(2, fnDatabasePropertyEx),
		"object_id":          rangeArgs(1, 2, fnObjectID),
		"object_name":        rangeArgs(1, 2, fnObjectName),
		"is_srvrolemember": rangeArgs(1, 2, func(c *compiler, a []*cexpr) (*cexpr, error) {
			return &cexpr{typ: sqltypes.TypeInt, nullable: true, eval: func(en *env) (Value, error) {
				role, err := evalString(a[0], en)
				if err != nil {
					return nil, err
				}
				var login Value
				if len(a) > 1 {
					if login, err = evalString(a[1], en); err != nil {
						return nil, err
					}
				}
				return en.sc.isSrvRoleMember(role, login, len(a) > 1), nil // security.go
			}}, nil
		}),
		"xact_state": fixedArgs(0, func(c *compiler, _ []*cexpr) (*cexpr, error) {
			return &cexpr{typ: sqltypes.TypeSmallInt, eval: func(en *env) (Value, error) {
				if en.sc.s.doomed {
					return int64(-1), nil
				}
				if en.sc.s.tranCount > 0 {
					return int64(1), nil
				}
				return int64(0), nil
			}}, nil
		}),
		"iif": fnIIF,
	}
	addErrorFuncs(funcs)
	addModuleFuncs(funcs)
	return funcs
}

func (c *compiler) funcCall(fc *tsql.FuncCall) (*cexpr, error) {
	name := fc.Name.Object().Name
	if len(fc.Name.Parts) > 1 {
		return nil, newErr(sqlerr.ColumnOrFunctionNotFound, fc.Name.Parts[0].Name, nameText(&fc.Name))
	}
	if fc.Over != nil {
		return c.windowFunc(fc)
	}
	if isAggregate(fc) {
		return c.compileAggregate(fc)
	}
	lname := strings.ToLower(name)
	if b := c.sc.s.inst.reg.funcs[lname]; b != nil {
		if fc.Star {
			return nil, newErr(sqlerr.SyntaxError, "*")
		}
		return b(c, fc)
	}
	f, ok := builtins.Lookup(lname)
	if !ok {
		return nil, newErr(sqlerr.UnknownBuiltinFunction, name)
	}
	return c.callBuiltin(f, fc)
}

// callBuiltin compiles a call to a pure built-in: the engine checks the
// argument count, resolves a datepart keyword, binds the arguments (the
// row's columns for CHECKSUM(*)) and hands them to the function.
func (c *compiler) callBuiltin(f *builtins.Func, fc *tsql.FuncCall) (*cexpr, error) {
	name := fc.Name.Object().Name
	call := builtins.Call{Name: name}
	srcs := fc.Args
	var args []*cexpr
	switch {
	case fc.Star:
		if !f.Star {
			return nil, newErr(sqlerr.SyntaxError, "*")
		}
		if c.bs == nil || len(c.bs.cols) == 0 {
			return nil, newErr(sqlerr.SelectNeedsTable)
		}
		for i, col := range c.bs.cols {
			args = append(args, loadCol(0, i, col))
		}
		if c.group != nil && !c.inAgg {
			return nil, newErr(sqlerr.NotInGroupBy, c.bs.cols[0].qual+"."+c.bs.cols[0].name)
		}
		srcs = nil
	default:
		if err := f.CheckArity(name, len(fc.Args)); err != nil {
			return nil, err
		}
		if f.DatePart {
			part, err := builtins.DatePart(datePartWord(fc.Args[0]), name)
			if err != nil {
				return nil, err
			}
			call.Part, srcs = part, fc.Args[1:]
		}
		var err error
		if args, err = c.compileExprs(srcs); err != nil {
			return nil, err
		}
	}
	call.Args = make([]builtins.Expr, len(args))
	for i, a := range args {
		a := a
		call.Args[i] = builtins.Expr{Type: a.typ, Nullable: a.nullable, Eval: func(e builtins.Env) (Value, error) { return a.eval(e.(*env)) }}
		if srcs != nil {
			_, call.Args[i].NullLiteral = srcs[i].(*tsql.NullLit)
		}
	}
	r, err := f.Compile(call)
	if err != nil {
		return nil, err
	}
	return &cexpr{typ: r.Type, nullable: r.Nullable, eval: func(en *env) (Value, error) { return r.Eval(en) }}, nil
}

// datePartWord is the text of a datepart argument: a bare word (year) or
// a string ('year'); anything else is no datepart.
func datePartWord(e tsql.Expr) string {
	switch x := e.(type) {
	case *tsql.ColumnRef:
		if len(x.Name.Parts) == 1 {
			return x.Name.Object().Name
		}
	case *tsql.StringLit:
		return x.Value
	}
	return ""
}

func (c *compiler) compileArgs(fc *tsql.FuncCall) ([]*cexpr, error) {
	return c.compileExprs(fc.Args)
}

// compileExprs compiles the arguments of a call: values, not predicates.
func (c *compiler) compileExprs(es []tsql.Expr) ([]*cexpr, error) {
	out := make([]*cexpr, len(es))
	for i, a := range es {
		ce, err := c.compile(a)
		if err != nil {
			return nil, err
		}
		if ce.cond {
			return nil, newErr(sqlerr.SyntaxError, exprText(a))
		}
		out[i] = ce
	}
	return out, nil
}

func fixedArgs(n int, f func(*compiler, []*cexpr) (*cexpr, error)) builtin {
	return func(c *compiler, fc *tsql.FuncCall) (*cexpr, error) {
		if len(fc.Args) != n {
			return nil, newErr(sqlerr.FunctionArgCount, fc.Name.Object().Name, n)
		}
		args, err := c.compileArgs(fc)
		if err != nil {
			return nil, err
		}
		return f(c, args)
	}
}

func rangeArgs(lo, hi int, f func(*compiler, []*cexpr) (*cexpr, error)) builtin {
	return func(c *compiler, fc *tsql.FuncCall) (*cexpr, error) {
		if len(fc.Args) < lo || len(fc.Args) > hi {
			return nil, newErr(sqlerr.FunctionArgRange, fc.Name.Object().Name, lo, hi)
		}
		args, err := c.compileArgs(fc)
		if err != nil {
			return nil, err
		}
		return f(c, args)
	}
}

// args1 evaluates the arguments; null reports that one was NULL.
func evalArgs(args []*cexpr, en *env) ([]Value, bool, error) {
	vals := make([]Value, len(args))
	null := false
	for i, a := range args {
		v, err := a.eval(en)
		if err != nil {
			return nil, false, err
		}
		vals[i] = v
		if v == nil {
			null = true
		}
	}
	return vals, null, nil
}

// nullSafe builds a function that is NULL when any argument is.
func nullSafe(t Type, args []*cexpr, f func(en *env, vals []Value) (Value, error)) *cexpr {
	return &cexpr{typ: t, nullable: true, eval: func(en *env) (Value, error) {
		vals, null, err := evalArgs(args, en)
		if err != nil || null {
			return nil, err
		}
		return f(en, vals)
	}}
}

func wallClock(t time.Time) time.Time { return sqltypes.WallClock(t) }

func nowFunc(utc, precise bool) builtin {
	return func(c *compiler, fc *tsql.FuncCall) (*cexpr, error) {
		if len(fc.Args) != 0 {
			return nil, newErr(sqlerr.FunctionArgCount, fc.Name.Object().Name, 0)
		}
		t := sqltypes.TypeDateTime
		if precise {
			t = sqltypes.DateTime2(7)
		}
		return &cexpr{typ: t, eval: func(en *env) (Value, error) {
			now := en.sc.s.inst.now()
			if utc {
				now = now.UTC()
			}
			w := wallClock(now)
			if precise {
				return w.Truncate(100 * time.Nanosecond), nil
			}
			return sqltypes.Convert(w, sqltypes.DateTime2(7), sqltypes.TypeDateTime)
		}}, nil
	}
}

func sessionString(f func(*Session) string) builtin {
	return func(c *compiler, fc *tsql.FuncCall) (*cexpr, error) {
		return &cexpr{typ: sqltypes.TypeSysname, eval: func(en *env) (Value, error) { return f(en.sc.s), nil }}, nil
	}
}

func identValue(v Value) Value {
	if n, ok := v.(int64); ok {
		return decimalOf(n)
	}
	return nil
}

func fnSchemaName(c *compiler, a []*cexpr) (*cexpr, error) {
	return &cexpr{typ: sqltypes.TypeSysname, nullable: true, eval: func(en *env) (Value, error) {
		if len(a) == 0 {
			return "dbo", nil
		}
		v, err := a[0].eval(en)
		if err != nil || v == nil {
			return nil, err
		}
		n, _ := toInt64(v)
		for id, name := range schemaIDs {
			if int64(id) == n {
				return name, nil
			}
		}
		return nil, nil
	}}, nil
}

var schemaIDs = map[int]string{1: "dbo", 3: "INFORMATION_SCHEMA", 4: "sys"}

func fnDBName(c *compiler, a []*cexpr) (*cexpr, error) {
	return &cexpr{typ: sqltypes.TypeSysname, nullable: true, eval: func(en *env) (Value, error) {
		if len(a) == 0 {
			return en.sc.s.currentDB().Name(), nil
		}
		v, err := a[0].eval(en)
		if err != nil || v == nil {
			return nil, err
		}
		n, ok := toInt64(v)
		if !ok {
			return nil, newErr(sqlerr.InvalidArgumentType, a[0].typ.Name(), 1, "db_name")
		}
		if db := en.sc.s.inst.DBByID(int(n)); db != nil {
			return db.Name(), nil
		}
		return nil, nil
	}}, nil
}

func fnDBID(c *compiler, a []*cexpr) (*cexpr, error) {
	return &cexpr{typ: sqltypes.TypeSmallInt, nullable: true, eval: func(en *env) (Value, error) {
		if len(a) == 0 {
			return int64(en.sc.s.currentDB().ID()), nil
		}
		v, err := evalString(a[0], en)
		if err != nil || v == nil {
			return nil, err
		}
		if db := en.sc.s.inst.DB(v.(string)); db != nil {
			return int64(db.ID()), nil
		}
		return nil, nil
	}}, nil
}

var intServerProps = map[string]bool{"engineedition": true, "isclustered": true, "ishadrenabled": true,
	"issingleuser": true, "isfulltextinstalled": true, "isintegratedsecurityonly": true, "processid": true,
	"productmajorversion": false, "isxtpsupported": true, "ispolybaseinstalled": true}

// ProductVersion is what SERVERPROPERTY('ProductVersion') and @@VERSION say.
const ProductVersion = "16.0.4135.4"

func (inst *Instance) serverProperty(name string) Value {
	switch strings.ToLower(name) {
	case "servername":
		return inst.cfg.Name
	case "machinename", "computernamephysicalnetbios":
		m := inst.cfg.Name
		if i := strings.IndexByte(m, '\\'); i >= 0 {
			m = m[:i]
		}
		return m
	case "instancename":
		if i := strings.IndexByte(inst.cfg.Name, '\\'); i >= 0 {
			return inst.cfg.Name[i+1:]
		}
		return nil
	case "edition":
		return "Developer Edition (64-bit)"
	case "editionid":
		return "-2145844348"
	case "engineedition":
		return int64(3)
	case "productversion":
		return ProductVersion
	case "productmajorversion":
		return "16"
	case "productminorversion":
		return "0"
	case "productlevel":
		return "RTM"
	case "productupdatelevel":
		return "CU14"
	case "isclustered", "ishadrenabled", "issingleuser", "isfulltextinstalled", "isintegratedsecurityonly", "isxtpsupported", "ispolybaseinstalled":
		return int64(0)
	case "collation":
		return "SQL_Latin1_General_CP1_CI_AS"
	case "processid":
		return int64(4242)
	case "buildclrversion":
		return "v4.0.30319"
	}
	return nil
}

func fnServerProperty(c *compiler, fc *tsql.FuncCall) (*cexpr, error) {
	if len(fc.Args) != 1 {
		return nil, newErr(sqlerr.FunctionArgCount, "SERVERPROPERTY", 1)
	}
	args, err := c.compileArgs(fc)
	if err != nil {
		return nil, err
	}
	t := sqltypes.TypeSysname
	if lit, ok := fc.Args[0].(*tsql.StringLit); ok && intServerProps[strings.ToLower(lit.Value)] {
		t = sqltypes.TypeInt
	}
	return &cexpr{typ: t, nullable: true, eval: func(en *env) (Value, error) {
		v, err := evalString(args[0], en)
		if err != nil || v == nil {
			return nil, err
		}
		r := en.sc.s.inst.serverProperty(v.(string))
		if n, ok := r.(int64); ok && t.Kind != sqltypes.KindInt {
			return sqltypes.FormatValue(n, sqltypes.TypeBigInt), nil
		}
		if s, ok := r.(string); ok && t.Kind == sqltypes.KindInt {
			return sqltypes.Convert(s, sqltypes.TypeSysname, sqltypes.TypeInt)
		}
		return r, nil
	}}, nil
}

func fnDatabasePropertyEx(c *compiler, a []*cexpr) (*cexpr, error) {
	return nullSafe(sqltypes.TypeSysname, a, func(en *env, v []Value) (Value, error) {
		dn, err := toStringValue(v[0], a[0].typ)
		if err != nil {
			return nil, err
		}
		pn, err := toStringValue(v[1], a[1].typ)
		if err != nil {
			return nil, err
		}
		db := en.sc.s.inst.DB(dn.(string))
		if db == nil {
			return nil, nil
		}
		m := db.Meta()
		switch strings.ToLower(pn.(string)) {
		case "status":
			return m.State.String(), nil
		case "recovery":
			return m.Recovery.String(), nil
		case "useraccess":
			return m.UserAccess.String(), nil
		case "updateability":
			if m.ReadOnly {
				return "READ_ONLY", nil
			}
			return "READ_WRITE", nil
		case "collation":
			return m.Collation.Name(), nil
		case "isinstandby":
			if m.Standby {
				return "1", nil
			}
			return "0", nil
		case "version":
			return "957", nil
		}
		return nil, nil
	}), nil
}

// splitObjectString splits 'db.schema.obj' (brackets allowed).
func splitObjectString(s string) []string {
	var parts []string
	var cur strings.Builder
	inBr := false
	for _, r := range s {
		switch {
		case r == '[' && !inBr:
			inBr = true
		case r == ']' && inBr:
			inBr = false
		case r == '.' && !inBr:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(parts, cur.String())
}

func fnObjectID(c *compiler, a []*cexpr) (*cexpr, error) {
	return &cexpr{typ: sqltypes.TypeInt, nullable: true, eval: func(en *env) (Value, error) {
		v, err := evalString(a[0], en)
		if err != nil || v == nil {
			return nil, err
		}
		parts := splitObjectString(strings.TrimSpace(v.(string)))
		for len(parts) < 3 {
			parts = append([]string{""}, parts...)
		}
		if len(parts) > 3 {
			return nil, nil
		}
		db := en.sc.s.currentDB()
		if strings.HasPrefix(parts[2], "#") {
			db = en.sc.s.inst.DBByID(tempdbID)
			parts[2] = en.sc.tableName(&tsql.ObjectName{Parts: []tsql.Ident{{Name: parts[2]}}})
		} else if parts[0] != "" {
			if db = en.sc.s.inst.DB(parts[0]); db == nil {
				return nil, nil
			}
		}
		if strings.EqualFold(parts[1], "sys") || strings.EqualFold(parts[1], "information_schema") {
			if cv := en.sc.s.inst.reg.view(parts[1], parts[2]); cv != nil {
				return int64(cv.id), nil
			}
			return nil, nil
		}
		db.mu.RLock()
		t := db.lookupTable(parts[1], parts[2], en.sc.s.tx)
		db.mu.RUnlock()
		if t == nil {
			return moduleObjectID(en, a, db, parts[1], parts[2])
		}
		return int64(t.ID), nil
	}}, nil
}

func fnObjectName(c *compiler, a []*cexpr) (*cexpr, error) {
	return &cexpr{typ: sqltypes.TypeSysname, nullable: true, eval: func(en *env) (Value, error) {
		vals, null, err := evalArgs(a, en)
		if err != nil || null {
			return nil, err
		}
		id, _ := toInt64(vals[0])
		db := en.sc.s.currentDB()
		if len(vals) > 1 {
			n, _ := toInt64(vals[1])
			if db = en.sc.s.inst.DBByID(int(n)); db == nil {
				return nil, nil
			}
		}
		db.mu.RLock()
		defer db.mu.RUnlock()
		if t := db.tablesByID[int(id)]; t != nil {
			return t.Name, nil
		}
		return nil, nil
	}}, nil
}

func fnIIF(c *compiler, fc *tsql.FuncCall) (*cexpr, error) {
	if len(fc.Args) != 3 {
		return nil, newErr(sqlerr.FunctionArgCount, "iif", 3)
	}
	return c.caseExpr(&tsql.CaseExpr{Whens: []*tsql.CaseWhen{{When: fc.Args[0], Then: fc.Args[1]}}, Else: fc.Args[2]})
}
