package engine

import (
	"strings"
	"time"
	"unicode"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// builtin compiles a call to a built-in scalar function.
type builtin func(c *compiler, fc *tsql.FuncCall) (*cexpr, error)

// builtins is the scalar function table: pure functions of their
// arguments and the calling scope, no instance state. It is built once
// here, the one init() of the package (a literal would make an
// initialization cycle through the functions that call the compiler).
var builtins map[string]builtin

func init() {
	builtins = map[string]builtin{
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
			return &cexpr{typ: sqltypes.TypeInt, eval: func(en *env) (Value, error) {
				if strings.EqualFold(en.sc.s.login, "sa") {
					return int64(1), nil
				}
				return int64(0), nil
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
		"isnull":     fixedArgs(2, fnIsNull),
		"coalesce":   fnCoalesce,
		"nullif":     fixedArgs(2, fnNullIf),
		"iif":        fnIIF,
		"len":        fixedArgs(1, fnLen),
		"datalength": fixedArgs(1, fnDataLength),
		"upper":      fixedArgs(1, stringMap(strings.ToUpper)),
		"lower":      fixedArgs(1, stringMap(strings.ToLower)),
		"ltrim":      fixedArgs(1, stringMap(func(s string) string { return strings.TrimLeft(s, " ") })),
		"rtrim":      fixedArgs(1, stringMap(func(s string) string { return strings.TrimRight(s, " ") })),
		"trim":       fixedArgs(1, stringMap(func(s string) string { return strings.Trim(s, " ") })),
		"reverse": fixedArgs(1, stringMap(func(s string) string {
			r := []rune(s)
			for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
				r[i], r[j] = r[j], r[i]
			}
			return string(r)
		})),
		"substring":       fixedArgs(3, fnSubstring),
		"left":            fixedArgs(2, fnLeftRight(true)),
		"right":           fixedArgs(2, fnLeftRight(false)),
		"replace":         fixedArgs(3, fnReplace),
		"charindex":       rangeArgs(2, 3, fnCharIndex),
		"replicate":       fixedArgs(2, fnReplicate),
		"space":           fixedArgs(1, fnSpace),
		"concat":          fnConcat,
		"quotename":       rangeArgs(1, 2, fnQuoteName),
		"dateadd":         fnDateAdd,
		"datediff":        fnDateDiff,
		"datepart":        fnDatePart,
		"year":            datePartOf("year"),
		"month":           datePartOf("month"),
		"day":             datePartOf("day"),
		"abs":             fixedArgs(1, fnAbs),
		"ceiling":         fixedArgs(1, fnRound("ceiling")),
		"floor":           fixedArgs(1, fnRound("floor")),
		"round":           rangeArgs(2, 3, fnRoundN),
		"sign":            fixedArgs(1, fnSign),
		"checksum":        fnChecksum(false),
		"binary_checksum": fnChecksum(true),
		"isnumeric":       fixedArgs(1, fnIsNumeric),
	}
	addErrorFuncs(builtins)
	addModuleFuncs(builtins)
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
	b := builtins[strings.ToLower(name)]
	if b == nil {
		return nil, newErr(sqlerr.UnknownBuiltinFunction, name)
	}
	if fc.Star && !strings.HasSuffix(strings.ToLower(name), "checksum") {
		return nil, newErr(sqlerr.SyntaxError, "*")
	}
	return b(c, fc)
}

func (c *compiler) compileArgs(fc *tsql.FuncCall) ([]*cexpr, error) {
	out := make([]*cexpr, len(fc.Args))
	for i, a := range fc.Args {
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
			return "SQL_Latin1_General_CP1_CI_AS", nil
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

func fnIsNull(c *compiler, a []*cexpr) (*cexpr, error) {
	t := a[0].typ
	return &cexpr{typ: t, name: "", nullable: a[1].nullable, eval: func(en *env) (Value, error) {
		v, err := a[0].eval(en)
		if err != nil || v != nil {
			return v, err
		}
		w, err := a[1].eval(en)
		if err != nil {
			return nil, err
		}
		return convertTo(w, a[1].typ, t)
	}}, nil
}

func fnCoalesce(c *compiler, fc *tsql.FuncCall) (*cexpr, error) {
	if len(fc.Args) < 2 {
		return nil, newErr(sqlerr.FunctionArgRange, "coalesce", 2, 255)
	}
	a, err := c.compileArgs(fc)
	if err != nil {
		return nil, err
	}
	var t Type
	first := true
	for i, x := range a {
		if _, isNull := fc.Args[i].(*tsql.NullLit); isNull {
			continue
		}
		if first {
			t, first = x.typ, false
		} else {
			t = widen(sqltypes.ResultType(t, x.typ), t, x.typ)
		}
	}
	if first {
		return nil, newErr(sqlerr.CoalesceAllNull)
	}
	return &cexpr{typ: t, nullable: true, eval: func(en *env) (Value, error) {
		for _, x := range a {
			v, err := x.eval(en)
			if err != nil {
				return nil, err
			}
			if v != nil {
				return convertTo(v, x.typ, t)
			}
		}
		return nil, nil
	}}, nil
}

func fnNullIf(c *compiler, a []*cexpr) (*cexpr, error) {
	return &cexpr{typ: a[0].typ, nullable: true, eval: func(en *env) (Value, error) {
		v, err := a[0].eval(en)
		if err != nil || v == nil {
			return nil, err
		}
		w, err := a[1].eval(en)
		if err != nil {
			return nil, err
		}
		if w == nil {
			return v, nil
		}
		n, err := sqltypes.Compare(v, w, a[0].typ, a[1].typ)
		if err != nil {
			return nil, err
		}
		if n == 0 {
			return nil, nil
		}
		return v, nil
	}}, nil
}

func fnIIF(c *compiler, fc *tsql.FuncCall) (*cexpr, error) {
	if len(fc.Args) != 3 {
		return nil, newErr(sqlerr.FunctionArgCount, "iif", 3)
	}
	return c.caseExpr(&tsql.CaseExpr{Whens: []*tsql.CaseWhen{{When: fc.Args[0], Then: fc.Args[1]}}, Else: fc.Args[2]})
}

// strType is the string type a value of t becomes when a string function
// converts it implicitly: long enough for its longest text form.
func strType(t Type) Type {
	if t.Kind.IsString() {
		return t
	}
	n := 30
	switch t.Kind {
	case sqltypes.KindUniqueIdentifier:
		n = 36
	case sqltypes.KindDateTime2:
		n = 27
	case sqltypes.KindDateTimeOffset:
		n = 34
	case sqltypes.KindDecimal:
		n = int(t.Precision) + 2
	case sqltypes.KindVarBinary, sqltypes.KindBinary:
		n = t.Length
	}
	if n < 30 && t.Kind != sqltypes.KindUniqueIdentifier {
		n = 30
	}
	return sqltypes.VarChar(n)
}

func lenType(t Type) Type {
	if t.Length == sqltypes.MaxLength {
		return sqltypes.TypeBigInt
	}
	return sqltypes.TypeInt
}

func fnLen(c *compiler, a []*cexpr) (*cexpr, error) {
	return nullSafe(lenType(a[0].typ), a, func(en *env, v []Value) (Value, error) {
		if b, ok := v[0].([]byte); ok {
			return int64(len(b)), nil
		}
		s, err := toStringValue(v[0], a[0].typ)
		if err != nil {
			return nil, err
		}
		return int64(len([]rune(strings.TrimRight(s.(string), " ")))), nil
	}), nil
}

func fnDataLength(c *compiler, a []*cexpr) (*cexpr, error) {
	return nullSafe(lenType(a[0].typ), a, func(en *env, v []Value) (Value, error) {
		t := a[0].typ
		switch x := v[0].(type) {
		case []byte:
			return int64(len(x)), nil
		case string:
			if t.Kind.IsUnicode() {
				n := 0
				for _, r := range x {
					if r > 0xFFFF {
						n += 4
					} else {
						n += 2
					}
				}
				return int64(n), nil
			}
			return int64(len(x)), nil
		}
		switch t.Kind {
		case sqltypes.KindTinyInt, sqltypes.KindBit:
			return int64(1), nil
		case sqltypes.KindSmallInt:
			return int64(2), nil
		case sqltypes.KindInt, sqltypes.KindReal:
			return int64(4), nil
		case sqltypes.KindUniqueIdentifier:
			return int64(16), nil
		}
		return int64(8), nil
	}), nil
}

func stringMap(f func(string) string) func(*compiler, []*cexpr) (*cexpr, error) {
	return func(c *compiler, a []*cexpr) (*cexpr, error) {
		t := strType(a[0].typ)
		return nullSafe(t, a, func(en *env, v []Value) (Value, error) {
			s, err := toStringValue(v[0], a[0].typ)
			if err != nil {
				return nil, err
			}
			return f(s.(string)), nil
		}), nil
	}
}

func argInt(v Value, t Type) (int64, error) {
	if n, ok := v.(int64); ok {
		return n, nil
	}
	cv, err := sqltypes.Convert(v, t, sqltypes.TypeBigInt)
	if err != nil {
		return 0, err
	}
	return cv.(int64), nil
}

func fnSubstring(c *compiler, a []*cexpr) (*cexpr, error) {
	t := a[0].typ
	if !t.Kind.IsString() && !t.Kind.IsBinary() {
		t = sqltypes.VarChar(8000)
	}
	return nullSafe(t, a, func(en *env, v []Value) (Value, error) {
		start, err := argInt(v[1], a[1].typ)
		if err != nil {
			return nil, err
		}
		n, err := argInt(v[2], a[2].typ)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, newErr(sqlerr.InvalidLengthLeftSubstring, "substring")
		}
		end := start + n // exclusive, 1-based
		if start < 1 {
			start = 1
		}
		if b, ok := v[0].([]byte); ok {
			return sliceRange(len(b), start, end, func(i, j int) Value { return append([]byte{}, b[i:j]...) }), nil
		}
		sv, err := toStringValue(v[0], a[0].typ)
		if err != nil {
			return nil, err
		}
		r := []rune(sv.(string))
		return sliceRange(len(r), start, end, func(i, j int) Value { return string(r[i:j]) }), nil
	}), nil
}

func sliceRange(n int, start, end int64, f func(i, j int) Value) Value {
	i := int(start - 1)
	j := end - 1
	if i > n {
		i = n
	}
	if j > int64(n) {
		j = int64(n)
	}
	if int64(i) > j {
		j = int64(i)
	}
	return f(i, int(j))
}

func fnLeftRight(left bool) func(*compiler, []*cexpr) (*cexpr, error) {
	return func(c *compiler, a []*cexpr) (*cexpr, error) {
		t := strType(a[0].typ)
		return nullSafe(t, a, func(en *env, v []Value) (Value, error) {
			n, err := argInt(v[1], a[1].typ)
			if err != nil {
				return nil, err
			}
			if n < 0 {
				name := "right"
				if left {
					name = "left"
				}
				return nil, newErr(sqlerr.InvalidLength, name)
			}
			sv, err := toStringValue(v[0], a[0].typ)
			if err != nil {
				return nil, err
			}
			r := []rune(sv.(string))
			if int(n) > len(r) {
				n = int64(len(r))
			}
			if left {
				return string(r[:n]), nil
			}
			return string(r[len(r)-int(n):]), nil
		}), nil
	}
}

func bigString(ts ...Type) Type {
	uni := false
	for _, t := range ts {
		if t.Kind.IsUnicode() {
			uni = true
		}
	}
	if uni {
		return sqltypes.NVarChar(sqltypes.MaxLength)
	}
	return sqltypes.VarChar(sqltypes.MaxLength)
}

// foldIndex finds needle in hay case-insensitively (the default collation)
// from rune offset from; it returns a rune index or -1.
func foldIndex(hay, needle []rune, from int) int {
	if len(needle) == 0 {
		return -1
	}
	for i := from; i+len(needle) <= len(hay); i++ {
		ok := true
		for j, r := range needle {
			if unicode.ToLower(hay[i+j]) != unicode.ToLower(r) {
				ok = false
				break
			}
		}
		if ok {
			return i
		}
	}
	return -1
}

func fnReplace(c *compiler, a []*cexpr) (*cexpr, error) {
	return nullSafe(bigString(a[0].typ, a[1].typ, a[2].typ), a, func(en *env, v []Value) (Value, error) {
		var ss [3][]rune
		for i := range ss {
			s, err := toStringValue(v[i], a[i].typ)
			if err != nil {
				return nil, err
			}
			ss[i] = []rune(s.(string))
		}
		hay, pat, rep := ss[0], ss[1], ss[2]
		if len(pat) == 0 {
			return string(hay), nil
		}
		var out []rune
		i := 0
		for {
			j := foldIndex(hay, pat, i)
			if j < 0 {
				out = append(out, hay[i:]...)
				break
			}
			out = append(append(out, hay[i:j]...), rep...)
			i = j + len(pat)
		}
		return string(out), nil
	}), nil
}

func fnCharIndex(c *compiler, a []*cexpr) (*cexpr, error) {
	return nullSafe(lenType(a[1].typ), a, func(en *env, v []Value) (Value, error) {
		n, err := toStringValue(v[0], a[0].typ)
		if err != nil {
			return nil, err
		}
		h, err := toStringValue(v[1], a[1].typ)
		if err != nil {
			return nil, err
		}
		from := 0
		if len(v) > 2 {
			s, err := argInt(v[2], a[2].typ)
			if err != nil {
				return nil, err
			}
			if s > 1 {
				from = int(s - 1)
			}
		}
		return int64(foldIndex([]rune(h.(string)), []rune(n.(string)), from) + 1), nil
	}), nil
}

func fnReplicate(c *compiler, a []*cexpr) (*cexpr, error) {
	return nullSafe(bigString(a[0].typ), a, func(en *env, v []Value) (Value, error) {
		s, err := toStringValue(v[0], a[0].typ)
		if err != nil {
			return nil, err
		}
		n, err := argInt(v[1], a[1].typ)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, nil
		}
		if int64(len(s.(string)))*n > 1<<24 {
			return nil, newErr(sqlerr.ArithmeticOverflowConvert, "expression", "nvarchar")
		}
		return strings.Repeat(s.(string), int(n)), nil
	}), nil
}

func fnSpace(c *compiler, a []*cexpr) (*cexpr, error) {
	return nullSafe(sqltypes.VarChar(8000), a, func(en *env, v []Value) (Value, error) {
		n, err := argInt(v[0], a[0].typ)
		if err != nil {
			return nil, err
		}
		if n < 0 {
			return nil, nil
		}
		if n > 8000 {
			n = 8000
		}
		return strings.Repeat(" ", int(n)), nil
	}), nil
}

func fnConcat(c *compiler, fc *tsql.FuncCall) (*cexpr, error) {
	if len(fc.Args) < 2 {
		return nil, newErr(sqlerr.FunctionArgRange, "concat", 2, 254)
	}
	a, err := c.compileArgs(fc)
	if err != nil {
		return nil, err
	}
	ts := make([]Type, len(a))
	for i, x := range a {
		ts[i] = x.typ
	}
	return &cexpr{typ: bigString(ts...), eval: func(en *env) (Value, error) {
		var b strings.Builder
		for _, x := range a {
			v, err := evalString(x, en)
			if err != nil {
				return nil, err
			}
			if v != nil {
				b.WriteString(v.(string))
			}
		}
		return b.String(), nil
	}}, nil
}

func fnQuoteName(c *compiler, a []*cexpr) (*cexpr, error) {
	return nullSafe(sqltypes.NVarChar(258), a, func(en *env, v []Value) (Value, error) {
		s, err := toStringValue(v[0], a[0].typ)
		if err != nil {
			return nil, err
		}
		q := "["
		if len(v) > 1 {
			qs, err := toStringValue(v[1], a[1].typ)
			if err != nil {
				return nil, err
			}
			q = qs.(string)
		}
		str := s.(string)
		if len([]rune(str)) > 128 {
			return nil, nil
		}
		switch q {
		case "[", "]":
			return "[" + strings.ReplaceAll(str, "]", "]]") + "]", nil
		case "'":
			return "'" + strings.ReplaceAll(str, "'", "''") + "'", nil
		case "\"":
			return "\"" + strings.ReplaceAll(str, "\"", "\"\"") + "\"", nil
		case "(", ")":
			return "(" + strings.ReplaceAll(str, ")", "))") + ")", nil
		case "<", ">":
			return "<" + strings.ReplaceAll(str, ">", ">>") + ">", nil
		case "{", "}":
			return "{" + strings.ReplaceAll(str, "}", "}}") + "}", nil
		case "`":
			return "`" + strings.ReplaceAll(str, "`", "``") + "`", nil
		}
		return nil, nil
	}), nil
}
