package engine

import (
	"math"
	"math/big"
	"strings"
	"time"
	"unicode"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
)

// builtin compiles a call to a built-in scalar function.
type builtin func(c *compiler, fc *tsql.FuncCall) (*cexpr, error)

var builtins map[string]builtin

func init() {
	builtins = map[string]builtin{
		"getdate":           nowFunc(false, false),
		"current_timestamp": nowFunc(false, false),
		"getutcdate":        nowFunc(true, false),
		"sysdatetime":       nowFunc(false, true),
		"sysutcdatetime":    nowFunc(true, true),
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
}

func (c *compiler) funcCall(fc *tsql.FuncCall) (*cexpr, error) {
	name := fc.Name.Object().Name
	if len(fc.Name.Parts) > 1 {
		return nil, newErr(4121, fc.Name.Parts[0].Name, nameText(&fc.Name))
	}
	if fc.Over != nil {
		return nil, newErr(40000, "Window functions (OVER) are not supported by the simulator.")
	}
	if isAggregate(fc) {
		return c.compileAggregate(fc)
	}
	b := builtins[strings.ToLower(name)]
	if b == nil {
		return nil, newErr(195, name)
	}
	if fc.Star && !strings.HasSuffix(strings.ToLower(name), "checksum") {
		return nil, newErr(102, "*")
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
			return nil, newErr(102, exprText(a))
		}
		out[i] = ce
	}
	return out, nil
}

func fixedArgs(n int, f func(*compiler, []*cexpr) (*cexpr, error)) builtin {
	return func(c *compiler, fc *tsql.FuncCall) (*cexpr, error) {
		if len(fc.Args) != n {
			return nil, newErr(174, fc.Name.Object().Name, n)
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
			return nil, newErr(189, fc.Name.Object().Name, lo, hi)
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

func wallClock(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

func nowFunc(utc, precise bool) builtin {
	return func(c *compiler, fc *tsql.FuncCall) (*cexpr, error) {
		if len(fc.Args) != 0 {
			return nil, newErr(174, fc.Name.Object().Name, 0)
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
			return nil, newErr(8116, a[0].typ.Name(), 1, "db_name")
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
		return nil, newErr(174, "SERVERPROPERTY", 1)
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
		if parts[0] != "" {
			if db = en.sc.s.inst.DB(parts[0]); db == nil {
				return nil, nil
			}
		}
		if strings.EqualFold(parts[1], "sys") || strings.EqualFold(parts[1], "information_schema") {
			if cv := lookupView(parts[1], parts[2]); cv != nil {
				return int64(cv.id), nil
			}
			return nil, nil
		}
		db.mu.RLock()
		t := db.lookupTable(parts[1], parts[2], en.sc.s.tx)
		db.mu.RUnlock()
		if t == nil {
			return nil, nil
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
		return nil, newErr(189, "coalesce", 2, 255)
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
		return nil, newErr(4127)
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
		return nil, newErr(174, "iif", 3)
	}
	return c.caseExpr(&tsql.CaseExpr{Whens: []*tsql.CaseWhen{{When: fc.Args[0], Then: fc.Args[1]}}, Else: fc.Args[2]})
}

func strType(t Type) Type {
	if t.Kind.IsString() {
		return t
	}
	return sqltypes.VarChar(30)
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
			return nil, newErr(537, "substring")
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
				return nil, newErr(536, name)
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
			return nil, newErr(8115, "expression", "nvarchar")
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
		return nil, newErr(189, "concat", 2, 254)
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

// ---------------------------------------------------------------------------
// Dates

var dateParts = map[string]string{
	"year": "year", "yy": "year", "yyyy": "year",
	"quarter": "quarter", "qq": "quarter", "q": "quarter",
	"month": "month", "mm": "month", "m": "month",
	"dayofyear": "dayofyear", "dy": "dayofyear", "y": "dayofyear",
	"day": "day", "dd": "day", "d": "day",
	"week": "week", "wk": "week", "ww": "week",
	"weekday": "weekday", "dw": "weekday", "w": "weekday",
	"hour": "hour", "hh": "hour",
	"minute": "minute", "mi": "minute", "n": "minute",
	"second": "second", "ss": "second", "s": "second",
	"millisecond": "millisecond", "ms": "millisecond",
	"microsecond": "microsecond", "mcs": "microsecond",
	"nanosecond": "nanosecond", "ns": "nanosecond",
}

func datePartArg(fc *tsql.FuncCall, e tsql.Expr) (string, error) {
	var name string
	switch x := e.(type) {
	case *tsql.ColumnRef:
		if len(x.Name.Parts) == 1 {
			name = x.Name.Object().Name
		}
	case *tsql.StringLit:
		name = x.Value
	}
	p, ok := dateParts[strings.ToLower(name)]
	if !ok {
		return "", newErr(155, name, fc.Name.Object().Name)
	}
	return p, nil
}

func (c *compiler) dateArg(e tsql.Expr) (*cexpr, error) {
	a, err := c.compile(e)
	if err != nil {
		return nil, err
	}
	if a.typ.Kind.IsString() {
		inner := a
		return &cexpr{typ: sqltypes.TypeDateTime, nullable: true, eval: func(en *env) (Value, error) {
			v, err := inner.eval(en)
			if err != nil || v == nil {
				return nil, err
			}
			return sqltypes.Convert(v, inner.typ, sqltypes.TypeDateTime)
		}}, nil
	}
	return a, nil
}

func asTime(v Value) (time.Time, bool) {
	t, ok := v.(time.Time)
	return t, ok
}

func fnDateAdd(c *compiler, fc *tsql.FuncCall) (*cexpr, error) {
	if len(fc.Args) != 3 {
		return nil, newErr(174, "dateadd", 3)
	}
	part, err := datePartArg(fc, fc.Args[0])
	if err != nil {
		return nil, err
	}
	n, err := c.compile(fc.Args[1])
	if err != nil {
		return nil, err
	}
	d, err := c.dateArg(fc.Args[2])
	if err != nil {
		return nil, err
	}
	rt := d.typ
	if !rt.Kind.IsDateTime() {
		return nil, newErr(8116, rt.Name(), 3, "dateadd")
	}
	return nullSafe(rt, []*cexpr{n, d}, func(en *env, v []Value) (Value, error) {
		k, err := argInt(v[0], n.typ)
		if err != nil {
			return nil, err
		}
		t, ok := asTime(v[1])
		if !ok {
			return nil, newErr(8116, d.typ.Name(), 3, "dateadd")
		}
		var r time.Time
		switch part {
		case "year":
			r = addMonths(t, int(k)*12)
		case "quarter":
			r = addMonths(t, int(k)*3)
		case "month":
			r = addMonths(t, int(k))
		case "day", "dayofyear", "weekday":
			r = t.AddDate(0, 0, int(k))
		case "week":
			r = t.AddDate(0, 0, 7*int(k))
		case "hour":
			r = t.Add(time.Duration(k) * time.Hour)
		case "minute":
			r = t.Add(time.Duration(k) * time.Minute)
		case "second":
			r = t.Add(time.Duration(k) * time.Second)
		case "millisecond":
			r = t.Add(time.Duration(k) * time.Millisecond)
		case "microsecond":
			r = t.Add(time.Duration(k) * time.Microsecond)
		case "nanosecond":
			r = t.Add(time.Duration(k))
		}
		if r.Year() < 1 || r.Year() > 9999 || (rt.Kind == sqltypes.KindDateTime && r.Year() < 1753) {
			return nil, newErr(517, rt.Name())
		}
		return sqltypes.Convert(r, sqltypes.DateTime2(7), rt)
	}), nil
}

// addMonths adds months clamping the day to the month's end, as SQL Server
// does (Jan 31 + 1 month = Feb 28/29).
func addMonths(t time.Time, k int) time.Time {
	y, m, d := t.Date()
	total := int(m) - 1 + k
	ny := y + total/12
	nm := total % 12
	if nm < 0 {
		nm += 12
		ny--
	}
	last := time.Date(ny, time.Month(nm+2), 0, 0, 0, 0, 0, time.UTC).Day()
	if d > last {
		d = last
	}
	return time.Date(ny, time.Month(nm+1), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
}

func civilDays(t time.Time) int64 {
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
	return d.Unix() / 86400
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

func fnDateDiff(c *compiler, fc *tsql.FuncCall) (*cexpr, error) {
	if len(fc.Args) != 3 {
		return nil, newErr(174, "datediff", 3)
	}
	part, err := datePartArg(fc, fc.Args[0])
	if err != nil {
		return nil, err
	}
	a, err := c.dateArg(fc.Args[1])
	if err != nil {
		return nil, err
	}
	b, err := c.dateArg(fc.Args[2])
	if err != nil {
		return nil, err
	}
	return nullSafe(sqltypes.TypeInt, []*cexpr{a, b}, func(en *env, v []Value) (Value, error) {
		t1, ok1 := asTime(v[0])
		t2, ok2 := asTime(v[1])
		if !ok1 || !ok2 {
			return nil, newErr(8116, a.typ.Name(), 2, "datediff")
		}
		var r int64
		switch part {
		case "year":
			r = int64(t2.Year() - t1.Year())
		case "quarter":
			r = int64((t2.Year()-t1.Year())*4 + (int(t2.Month())-1)/3 - (int(t1.Month())-1)/3)
		case "month":
			r = int64((t2.Year()-t1.Year())*12 + int(t2.Month()) - int(t1.Month()))
		case "day", "dayofyear", "weekday":
			r = civilDays(t2) - civilDays(t1)
		case "week":
			// Weeks start on Sunday; 1970-01-04 was a Sunday.
			r = floorDiv(civilDays(t2)-3, 7) - floorDiv(civilDays(t1)-3, 7)
		default:
			unit := map[string]int64{"hour": 3600e9, "minute": 60e9, "second": 1e9, "millisecond": 1e6, "microsecond": 1e3, "nanosecond": 1}[part]
			n1 := civilDays(t1)*86400e9 + int64(t1.Hour())*3600e9 + int64(t1.Minute())*60e9 + int64(t1.Second())*1e9 + int64(t1.Nanosecond())
			n2 := civilDays(t2)*86400e9 + int64(t2.Hour())*3600e9 + int64(t2.Minute())*60e9 + int64(t2.Second())*1e9 + int64(t2.Nanosecond())
			r = floorDiv(n2, unit) - floorDiv(n1, unit)
		}
		if r > math.MaxInt32 || r < math.MinInt32 {
			return nil, newErr(535, "datediff")
		}
		return r, nil
	}), nil
}

func datePart(part string, t time.Time) int64 {
	switch part {
	case "year":
		return int64(t.Year())
	case "quarter":
		return int64((int(t.Month())-1)/3 + 1)
	case "month":
		return int64(t.Month())
	case "dayofyear":
		return int64(t.YearDay())
	case "day":
		return int64(t.Day())
	case "week":
		jan1 := time.Date(t.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
		return int64((t.YearDay()+int(jan1.Weekday())-1)/7 + 1)
	case "weekday":
		return int64(t.Weekday()) + 1
	case "hour":
		return int64(t.Hour())
	case "minute":
		return int64(t.Minute())
	case "second":
		return int64(t.Second())
	case "millisecond":
		return int64(t.Nanosecond() / 1e6)
	case "microsecond":
		return int64(t.Nanosecond() / 1e3)
	}
	return int64(t.Nanosecond())
}

func fnDatePart(c *compiler, fc *tsql.FuncCall) (*cexpr, error) {
	if len(fc.Args) != 2 {
		return nil, newErr(174, "datepart", 2)
	}
	part, err := datePartArg(fc, fc.Args[0])
	if err != nil {
		return nil, err
	}
	d, err := c.dateArg(fc.Args[1])
	if err != nil {
		return nil, err
	}
	return nullSafe(sqltypes.TypeInt, []*cexpr{d}, func(en *env, v []Value) (Value, error) {
		t, ok := asTime(v[0])
		if !ok {
			return nil, newErr(8116, d.typ.Name(), 2, "datepart")
		}
		return datePart(part, t), nil
	}), nil
}

func datePartOf(part string) builtin {
	return func(c *compiler, fc *tsql.FuncCall) (*cexpr, error) {
		if len(fc.Args) != 1 {
			return nil, newErr(174, part, 1)
		}
		d, err := c.dateArg(fc.Args[0])
		if err != nil {
			return nil, err
		}
		return nullSafe(sqltypes.TypeInt, []*cexpr{d}, func(en *env, v []Value) (Value, error) {
			t, ok := asTime(v[0])
			if !ok {
				return nil, newErr(8116, d.typ.Name(), 1, part)
			}
			return datePart(part, t), nil
		}), nil
	}
}

// ---------------------------------------------------------------------------
// Numbers

func numericArg(a *cexpr, fn string) (Type, error) {
	t := a.typ
	if t.Kind.IsString() {
		return sqltypes.TypeFloat, nil
	}
	if !t.Kind.IsNumeric() || t.Kind == sqltypes.KindBit {
		return Type{}, newErr(8116, t.Name(), 1, fn)
	}
	return t, nil
}

func fnAbs(c *compiler, a []*cexpr) (*cexpr, error) {
	t, err := numericArg(a[0], "abs")
	if err != nil {
		return nil, err
	}
	return nullSafe(t, a, func(en *env, v []Value) (Value, error) {
		x, err := convertTo(v[0], a[0].typ, t)
		if err != nil {
			return nil, err
		}
		switch n := x.(type) {
		case int64:
			if n < 0 {
				r, _, err := sqltypes.Unary('-', n, t)
				return r, err
			}
			return n, nil
		case float64:
			return math.Abs(n), nil
		case Decimal:
			return Decimal{Unscaled: new(big.Int).Abs(n.Unscaled), Scale: n.Scale}, nil
		}
		return x, nil
	}), nil
}

func fnSign(c *compiler, a []*cexpr) (*cexpr, error) {
	t, err := numericArg(a[0], "sign")
	if err != nil {
		return nil, err
	}
	return nullSafe(t, a, func(en *env, v []Value) (Value, error) {
		x, err := convertTo(v[0], a[0].typ, t)
		if err != nil {
			return nil, err
		}
		s := 0
		switch n := x.(type) {
		case int64:
			s = cmpSign(float64(n))
		case float64:
			s = cmpSign(n)
		case Decimal:
			s = n.Unscaled.Sign()
		}
		return convertTo(int64(s), sqltypes.TypeBigInt, t)
	}), nil
}

func cmpSign(f float64) int {
	switch {
	case f > 0:
		return 1
	case f < 0:
		return -1
	}
	return 0
}

func fnRound(kind string) func(*compiler, []*cexpr) (*cexpr, error) {
	return func(c *compiler, a []*cexpr) (*cexpr, error) {
		t, err := numericArg(a[0], kind)
		if err != nil {
			return nil, err
		}
		rt := t
		if t.Kind == sqltypes.KindDecimal {
			rt = sqltypes.DecimalType(t.Precision, 0)
		}
		return nullSafe(rt, a, func(en *env, v []Value) (Value, error) {
			x, err := convertTo(v[0], a[0].typ, t)
			if err != nil {
				return nil, err
			}
			switch n := x.(type) {
			case float64:
				if kind == "floor" {
					return math.Floor(n), nil
				}
				return math.Ceil(n), nil
			case Decimal:
				return roundDecimal(n, 0, kind), nil
			}
			return x, nil
		}), nil
	}
}

// roundDecimal rounds d to s decimals: "round" half away from zero,
// "floor"/"ceiling" toward -inf/+inf; the scale is kept for round and
// dropped to s for floor/ceiling.
func roundDecimal(d Decimal, s int, kind string) Decimal {
	if int(d.Scale) <= s {
		return d
	}
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(int(d.Scale)-s)), nil)
	q, r := new(big.Int).QuoRem(d.Unscaled, p, new(big.Int))
	switch kind {
	case "floor":
		if r.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		}
		return Decimal{Unscaled: q, Scale: uint8(s)}
	case "ceiling":
		if r.Sign() > 0 {
			q.Add(q, big.NewInt(1))
		}
		return Decimal{Unscaled: q, Scale: uint8(s)}
	}
	half := new(big.Int).Mul(new(big.Int).Abs(r), big.NewInt(2))
	if half.Cmp(p) >= 0 {
		if d.Unscaled.Sign() < 0 {
			q.Sub(q, big.NewInt(1))
		} else {
			q.Add(q, big.NewInt(1))
		}
	}
	q.Mul(q, p)
	return Decimal{Unscaled: q, Scale: d.Scale}
}

func fnRoundN(c *compiler, a []*cexpr) (*cexpr, error) {
	t, err := numericArg(a[0], "round")
	if err != nil {
		return nil, err
	}
	return nullSafe(t, a[:2], func(en *env, v []Value) (Value, error) {
		x, err := convertTo(v[0], a[0].typ, t)
		if err != nil {
			return nil, err
		}
		n, err := argInt(v[1], a[1].typ)
		if err != nil {
			return nil, err
		}
		switch y := x.(type) {
		case float64:
			p := math.Pow(10, float64(n))
			return math.Round(y*p) / p, nil
		case Decimal:
			if n >= 0 {
				return roundDecimal(y, int(n), "round"), nil
			}
			return x, nil
		case int64:
			if n >= 0 {
				return y, nil
			}
			p := int64(math.Pow(10, float64(-n)))
			q := y / p
			if r := y % p; r*2 >= p {
				q++
			} else if r*2 <= -p {
				q--
			}
			return q * p, nil
		}
		return x, nil
	}), nil
}

func fnIsNumeric(c *compiler, a []*cexpr) (*cexpr, error) {
	return &cexpr{typ: sqltypes.TypeInt, eval: func(en *env) (Value, error) {
		v, err := a[0].eval(en)
		if err != nil || v == nil {
			return int64(0), err
		}
		if a[0].typ.Kind.IsNumeric() {
			return int64(1), nil
		}
		s, err := toStringValue(v, a[0].typ)
		if err != nil {
			return int64(0), nil
		}
		if _, err := sqltypes.Convert(strings.TrimSpace(s.(string)), sqltypes.VarChar(100), sqltypes.TypeFloat); err != nil {
			return int64(0), nil
		}
		return int64(1), nil
	}}, nil
}

func fnChecksum(binary bool) builtin {
	return func(c *compiler, fc *tsql.FuncCall) (*cexpr, error) {
		var args []*cexpr
		if fc.Star {
			if c.bs == nil || len(c.bs.cols) == 0 {
				return nil, newErr(263)
			}
			for i, col := range c.bs.cols {
				args = append(args, loadCol(0, i, col))
			}
			if c.group != nil && !c.inAgg {
				return nil, newErr(8120, c.bs.cols[0].qual+"."+c.bs.cols[0].name)
			}
		} else {
			if len(fc.Args) == 0 {
				return nil, newErr(189, fc.Name.Object().Name, 1, 255)
			}
			var err error
			if args, err = c.compileArgs(fc); err != nil {
				return nil, err
			}
		}
		types := make([]Type, len(args))
		for i, a := range args {
			types[i] = a.typ
		}
		return &cexpr{typ: sqltypes.TypeInt, eval: func(en *env) (Value, error) {
			vals := make([]Value, len(args))
			for i, a := range args {
				v, err := a.eval(en)
				if err != nil {
					return nil, err
				}
				vals[i] = v
			}
			if binary {
				return int64(sqltypes.BinaryChecksum(vals, types)), nil
			}
			return int64(sqltypes.Checksum(vals, types)), nil
		}}, nil
	}
}
