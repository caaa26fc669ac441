package sessionfuncs

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/query"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// SplitObjectName splits 'db.schema.obj' into its parts (brackets allowed
// around a part; a dot inside brackets is part of the name).
func SplitObjectName(s string) []string {
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

// objectID is OBJECT_ID('[db.][schema.]name'[, type]): NULL for a name of
// more than three parts or nothing found; the type argument only filters
// procedures and views.
func objectID(s Session, a []*query.Expr) (*query.Expr, error) {
	return &query.Expr{Type: sqltypes.TypeInt, Nullable: true, Eval: func(en *query.Env) (sqltypes.Value, error) {
		v, err := query.EvalString(a[0], en)
		if err != nil || v == nil {
			return nil, err
		}
		parts := SplitObjectName(strings.TrimSpace(v.(string)))
		for len(parts) < 3 {
			parts = append([]string{""}, parts...)
		}
		if len(parts) > 3 {
			return nil, nil
		}
		o, ok := s.Object(parts[0], parts[1], parts[2])
		if !ok {
			return nil, nil
		}
		if o.Module && len(a) > 1 {
			v, err := a[1].Eval(en)
			if err != nil {
				return nil, err
			}
			if t, ok := v.(string); ok && !strings.EqualFold(strings.TrimSpace(t), o.ModuleType) {
				return nil, nil
			}
		}
		return o.ID, nil
	}}, nil
}

// objectName is OBJECT_NAME(id[, database_id]): a table's name.
func objectName(s Session, a []*query.Expr) (*query.Expr, error) {
	return &query.Expr{Type: sqltypes.TypeSysname, Nullable: true, Eval: func(en *query.Env) (sqltypes.Value, error) {
		vals, err := evalAll(a, en)
		if err != nil || vals == nil {
			return nil, err
		}
		id, _ := toInt64(vals[0])
		_, db := s.CurrentDB()
		if len(vals) > 1 {
			n, _ := toInt64(vals[1])
			db = int(n)
		}
		if name, ok := s.TableName(db, int(id)); ok {
			return name, nil
		}
		return nil, nil
	}}, nil
}

// objectDefinition is OBJECT_DEFINITION(object_id): a module's definition
// in the current database, NULL for anything else.
func objectDefinition(s Session, a []*query.Expr) (*query.Expr, error) {
	return &query.Expr{Type: sqltypes.NVarChar(sqltypes.MaxLength), Nullable: true, Eval: func(en *query.Env) (sqltypes.Value, error) {
		v, err := a[0].Eval(en)
		if err != nil || v == nil {
			return nil, err
		}
		id, ok := toInt64(v)
		if !ok {
			return nil, nil
		}
		if def, ok := s.ModuleDefinition(int(id)); ok {
			return def, nil
		}
		return nil, nil
	}}, nil
}

// ProductVersion is what SERVERPROPERTY('ProductVersion') and @@VERSION say.
const ProductVersion = "16.0.4135.4"

// intServerProp reports whether SERVERPROPERTY types the property int
// when its name is a literal (ProductMajorVersion is a string).
func intServerProp(name string) bool {
	switch name {
	case "engineedition", "isclustered", "ishadrenabled", "issingleuser", "isfulltextinstalled",
		"isintegratedsecurityonly", "processid", "isxtpsupported", "ispolybaseinstalled":
		return true
	}
	return false
}

// ServerProperty is SERVERPROPERTY(name) of the server called instance
// (MACHINE or MACHINE\INSTANCE): a string, an int64 or nil.
func ServerProperty(instance, name string) sqltypes.Value {
	switch strings.ToLower(name) {
	case "servername":
		return instance
	case "machinename", "computernamephysicalnetbios":
		m := instance
		if i := strings.IndexByte(m, '\\'); i >= 0 {
			m = m[:i]
		}
		return m
	case "instancename":
		if i := strings.IndexByte(instance, '\\'); i >= 0 {
			return instance[i+1:]
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

func serverPropertyFunc(s Session, c *query.Compiler, fc *tsql.FuncCall) (*query.Expr, error) {
	if len(fc.Args) != 1 {
		return nil, sqlerr.New(sqlerr.FunctionArgCount, "SERVERPROPERTY", 1)
	}
	args, err := c.CompileArgs(fc)
	if err != nil {
		return nil, err
	}
	t := sqltypes.TypeSysname
	if lit, ok := fc.Args[0].(*tsql.StringLit); ok && intServerProp(strings.ToLower(lit.Value)) {
		t = sqltypes.TypeInt
	}
	return &query.Expr{Type: t, Nullable: true, Eval: func(en *query.Env) (sqltypes.Value, error) {
		v, err := query.EvalString(args[0], en)
		if err != nil || v == nil {
			return nil, err
		}
		r := ServerProperty(s.InstanceName(), v.(string))
		if n, ok := r.(int64); ok && t.Kind != sqltypes.KindInt {
			return sqltypes.FormatValue(n, sqltypes.TypeBigInt), nil
		}
		if s, ok := r.(string); ok && t.Kind == sqltypes.KindInt {
			return sqltypes.Convert(s, sqltypes.TypeSysname, sqltypes.TypeInt)
		}
		return r, nil
	}}, nil
}
