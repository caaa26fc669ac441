package engine

import (
	"math/big"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/query"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// builtin compiles a call to a built-in scalar function of the engine for
// the scope sc the statement runs in (the compiler finds it through
// compileScope.Func).
type builtin func(sc *scope, c *query.Compiler, fc *tsql.FuncCall) (*cexpr, error)

// sessionFuncs are the scalar functions that read the session, the
// instance or the calling scope (GETDATE, DB_NAME, OBJECT_ID,
// ERROR_NUMBER, ...). The pure ones (string, date and arithmetic
// functions) are package builtins (sim/mssql/builtins); IIF, which is
// CASE, is the compiler's (sim/mssql/query). Each instance's Registry
// holds its table (newRegistry), so the package has no init() and no
// table two instances share.
func sessionFuncs() map[string]builtin {
	funcs := map[string]builtin{
		"getdate":           nowFunc(false, false),
		"current_timestamp": nowFunc(false, false),
		"getutcdate":        nowFunc(true, false),
		"sysdatetime":       nowFunc(false, true),
		"sysutcdatetime":    nowFunc(true, true),
		"sysdatetimeoffset": fixedArgs(0, func(sc *scope, _ []*cexpr) (*cexpr, error) {
			// The instance's local time with its offset from UTC.
			return &cexpr{Type: sqltypes.DateTimeOffset(7), Eval: func(en *env) (Value, error) {
				now := sc.s.inst.now()
				_, off := now.Zone()
				return now.In(sqltypes.OffsetZone(off / 60)).Truncate(100 * time.Nanosecond), nil
			}}, nil
		}),
		"newid": fixedArgs(0, func(sc *scope, _ []*cexpr) (*cexpr, error) {
			return &cexpr{Type: sqltypes.TypeGUID, Eval: func(*env) (Value, error) { return newGUID(), nil }}, nil
		}),
		"scope_identity": fixedArgs(0, func(sc *scope, _ []*cexpr) (*cexpr, error) {
			return &cexpr{Type: sqltypes.DecimalType(38, 0), Nullable: true, Eval: func(en *env) (Value, error) {
				return identValue(sc.scopeIdent), nil
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
		"is_srvrolemember": rangeArgs(1, 2, func(sc *scope, a []*cexpr) (*cexpr, error) {
			return &cexpr{Type: sqltypes.TypeInt, Nullable: true, Eval: func(en *env) (Value, error) {
				role, err := query.EvalString(a[0], en)
				if err != nil {
					return nil, err
				}
				var login Value
				if len(a) > 1 {
					if login, err = query.EvalString(a[1], en); err != nil {
						return nil, err
					}
				}
				return sc.isSrvRoleMember(role, login, len(a) > 1), nil // security.go
			}}, nil
		}),
		"xact_state": fixedArgs(0, func(sc *scope, _ []*cexpr) (*cexpr, error) {
			return &cexpr{Type: sqltypes.TypeSmallInt, Eval: func(en *env) (Value, error) {
				if sc.s.doomed {
					return int64(-1), nil
				}
				if sc.s.tranCount > 0 {
					return int64(1), nil
				}
				return int64(0), nil
			}}, nil
		}),
	}
	addErrorFuncs(funcs)
	addModuleFuncs(funcs)
	return funcs
}

func fixedArgs(n int, f func(*scope, []*cexpr) (*cexpr, error)) builtin {
	return func(sc *scope, c *query.Compiler, fc *tsql.FuncCall) (*cexpr, error) {
		if len(fc.Args) != n {
			return nil, newErr(sqlerr.FunctionArgCount, fc.Name.Object().Name, n)
		}
		args, err := c.CompileArgs(fc)
		if err != nil {
			return nil, err
		}
		return f(sc, args)
	}
}

func rangeArgs(lo, hi int, f func(*scope, []*cexpr) (*cexpr, error)) builtin {
	return func(sc *scope, c *query.Compiler, fc *tsql.FuncCall) (*cexpr, error) {
		if len(fc.Args) < lo || len(fc.Args) > hi {
			return nil, newErr(sqlerr.FunctionArgRange, fc.Name.Object().Name, lo, hi)
		}
		args, err := c.CompileArgs(fc)
		if err != nil {
			return nil, err
		}
		return f(sc, args)
	}
}

// args1 evaluates the arguments; null reports that one was NULL.
func evalArgs(args []*cexpr, en *env) ([]Value, bool, error) {
	vals := make([]Value, len(args))
	null := false
	for i, a := range args {
		v, err := a.Eval(en)
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
	return &cexpr{Type: t, Nullable: true, Eval: func(en *env) (Value, error) {
		vals, null, err := evalArgs(args, en)
		if err != nil || null {
			return nil, err
		}
		return f(en, vals)
	}}
}

func wallClock(t time.Time) time.Time { return sqltypes.WallClock(t) }

func nowFunc(utc, precise bool) builtin {
	return func(sc *scope, c *query.Compiler, fc *tsql.FuncCall) (*cexpr, error) {
		if len(fc.Args) != 0 {
			return nil, newErr(sqlerr.FunctionArgCount, fc.Name.Object().Name, 0)
		}
		t := sqltypes.TypeDateTime
		if precise {
			t = sqltypes.DateTime2(7)
		}
		return &cexpr{Type: t, Eval: func(en *env) (Value, error) {
			now := sc.s.inst.now()
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
	return func(sc *scope, c *query.Compiler, fc *tsql.FuncCall) (*cexpr, error) {
		return &cexpr{Type: sqltypes.TypeSysname, Eval: func(en *env) (Value, error) { return f(sc.s), nil }}, nil
	}
}

func identValue(v Value) Value {
	if n, ok := v.(int64); ok {
		return decimalOf(n)
	}
	return nil
}

func fnSchemaName(sc *scope, a []*cexpr) (*cexpr, error) {
	return &cexpr{Type: sqltypes.TypeSysname, Nullable: true, Eval: func(en *env) (Value, error) {
		if len(a) == 0 {
			return "dbo", nil
		}
		v, err := a[0].Eval(en)
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

func fnDBName(sc *scope, a []*cexpr) (*cexpr, error) {
	return &cexpr{Type: sqltypes.TypeSysname, Nullable: true, Eval: func(en *env) (Value, error) {
		if len(a) == 0 {
			return sc.s.currentDB().Name(), nil
		}
		v, err := a[0].Eval(en)
		if err != nil || v == nil {
			return nil, err
		}
		n, ok := toInt64(v)
		if !ok {
			return nil, newErr(sqlerr.InvalidArgumentType, a[0].Type.Name(), 1, "db_name")
		}
		if db := sc.s.inst.DBByID(int(n)); db != nil {
			return db.Name(), nil
		}
		return nil, nil
	}}, nil
}

func fnDBID(sc *scope, a []*cexpr) (*cexpr, error) {
	return &cexpr{Type: sqltypes.TypeSmallInt, Nullable: true, Eval: func(en *env) (Value, error) {
		if len(a) == 0 {
			return int64(sc.s.currentDB().ID()), nil
		}
		v, err := query.EvalString(a[0], en)
		if err != nil || v == nil {
			return nil, err
		}
		if db := sc.s.inst.DB(v.(string)); db != nil {
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

func fnServerProperty(sc *scope, c *query.Compiler, fc *tsql.FuncCall) (*cexpr, error) {
	if len(fc.Args) != 1 {
		return nil, newErr(sqlerr.FunctionArgCount, "SERVERPROPERTY", 1)
	}
	args, err := c.CompileArgs(fc)
	if err != nil {
		return nil, err
	}
	t := sqltypes.TypeSysname
	if lit, ok := fc.Args[0].(*tsql.StringLit); ok && intServerProps[strings.ToLower(lit.Value)] {
		t = sqltypes.TypeInt
	}
	return &cexpr{Type: t, Nullable: true, Eval: func(en *env) (Value, error) {
		v, err := query.EvalString(args[0], en)
		if err != nil || v == nil {
			return nil, err
		}
		r := sc.s.inst.serverProperty(v.(string))
		if n, ok := r.(int64); ok && t.Kind != sqltypes.KindInt {
			return sqltypes.FormatValue(n, sqltypes.TypeBigInt), nil
		}
		if s, ok := r.(string); ok && t.Kind == sqltypes.KindInt {
			return sqltypes.Convert(s, sqltypes.TypeSysname, sqltypes.TypeInt)
		}
		return r, nil
	}}, nil
}

func fnDatabasePropertyEx(sc *scope, a []*cexpr) (*cexpr, error) {
	return nullSafe(sqltypes.TypeSysname, a, func(en *env, v []Value) (Value, error) {
		dn, err := toStringValue(v[0], a[0].Type)
		if err != nil {
			return nil, err
		}
		pn, err := toStringValue(v[1], a[1].Type)
		if err != nil {
			return nil, err
		}
		db := sc.s.inst.DB(dn.(string))
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

func fnObjectID(sc *scope, a []*cexpr) (*cexpr, error) {
	return &cexpr{Type: sqltypes.TypeInt, Nullable: true, Eval: func(en *env) (Value, error) {
		v, err := query.EvalString(a[0], en)
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
		db := sc.s.currentDB()
		if strings.HasPrefix(parts[2], "#") {
			db = sc.s.inst.DBByID(tempdbID)
			parts[2] = sc.tableName(&tsql.ObjectName{Parts: []tsql.Ident{{Name: parts[2]}}})
		} else if parts[0] != "" {
			if db = sc.s.inst.DB(parts[0]); db == nil {
				return nil, nil
			}
		}
		if strings.EqualFold(parts[1], "sys") || strings.EqualFold(parts[1], "information_schema") {
			if cv := sc.s.inst.reg.view(parts[1], parts[2]); cv != nil {
				return int64(cv.id), nil
			}
			return nil, nil
		}
		db.mu.RLock()
		t := db.lookupTable(parts[1], parts[2], sc.s.tx)
		db.mu.RUnlock()
		if t == nil {
			return moduleObjectID(en, a, db, parts[1], parts[2])
		}
		return int64(t.ID), nil
	}}, nil
}

func fnObjectName(sc *scope, a []*cexpr) (*cexpr, error) {
	return &cexpr{Type: sqltypes.TypeSysname, Nullable: true, Eval: func(en *env) (Value, error) {
		vals, null, err := evalArgs(a, en)
		if err != nil || null {
			return nil, err
		}
		id, _ := toInt64(vals[0])
		db := sc.s.currentDB()
		if len(vals) > 1 {
			n, _ := toInt64(vals[1])
			if db = sc.s.inst.DBByID(int(n)); db == nil {
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

func decimalOf(n int64) Decimal { return Decimal{Unscaled: big.NewInt(n), Scale: 0} }
