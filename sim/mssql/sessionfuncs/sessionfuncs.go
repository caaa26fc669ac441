// Package sessionfuncs holds SQL Server's scalar built-in functions that
// read the session, the instance or the calling scope: GETDATE and its
// family, NEWID, the login and host strings, DB_NAME, DB_ID, SCHEMA_NAME,
// OBJECT_ID, OBJECT_NAME, OBJECT_DEFINITION, SERVERPROPERTY,
// DATABASEPROPERTYEX, IS_SRVROLEMEMBER, XACT_STATE, SCOPE_IDENTITY and the
// ERROR_* functions of a CATCH block. The pure ones (string, date and
// arithmetic functions) are sim/mssql/builtins; IIF is the compiler's.
//
// The package holds each function's rules (its arity and the errors 174,
// 189 and 8116, its result type, NULL handling, how OBJECT_ID splits a
// name, what SERVERPROPERTY answers); the engine supplies only the facts,
// through Session, and the query compiler (sim/mssql/query) finds the
// functions through its Scope.Func, which the engine answers with Bind.
package sessionfuncs

import (
	"math/big"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/builtins"
	"github.com/pchatdr/harness/sim/mssql/query"
	"github.com/pchatdr/harness/sim/mssql/setopts"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// Session is what the functions read of the statement's session, its
// instance and its scope. Each method is called when the expression runs,
// not when it compiles: GETDATE() in a loop moves on, DB_NAME() follows
// USE.
type Session interface {
	// Now is the instance's clock (its local time).
	Now() time.Time
	// Login, Host and AppName are the session's login name, client host
	// name and application name.
	Login() string
	Host() string
	AppName() string
	// InstanceName is the server's name (MACHINE or MACHINE\INSTANCE).
	InstanceName() string
	// ScopeIdentity is the last identity value the calling scope
	// inserted (an int64), nil when it inserted none.
	ScopeIdentity() sqltypes.Value
	// TxState is the session's transaction count and whether its
	// transaction is doomed (XACT_ABORT or an error in TRY).
	TxState() (tranCount int, doomed bool)
	// CatchError is the error the enclosing CATCH block handles, nil
	// outside one.
	CatchError() *sqlerr.Error
	// CurrentDB is the session's database.
	CurrentDB() (name string, id int)
	// DBName and DBID find a database by id and by name.
	DBName(id int) (string, bool)
	DBID(name string) (int, bool)
	// Database describes the database called name (DATABASEPROPERTYEX).
	Database(name string) (DBInfo, bool)
	// Object resolves OBJECT_ID's name: db "" is the current database
	// (a #name is tempdb's, whatever db says), schema "" the default.
	Object(db, schema, name string) (Object, bool)
	// TableName is the name of the table id in database dbID, false when
	// there is no such database or table (OBJECT_NAME).
	TableName(dbID, id int) (string, bool)
	// ModuleDefinition is the definition of the procedure or view id in
	// the current database (OBJECT_DEFINITION).
	ModuleDefinition(id int) (string, bool)
	// LoginExists says name is a server login; IsServerRoleMember says
	// login is a member of the fixed server role role (IS_SRVROLEMEMBER).
	LoginExists(name string) bool
	IsServerRoleMember(role, login string) bool
	// SPID is the session's id (@@SPID); RowCount and LastError are what
	// its last statement left in @@ROWCOUNT and @@ERROR; Identity is the
	// last identity value it inserted in any scope (@@IDENTITY, an int64),
	// nil when none.
	SPID() int
	RowCount() int64
	LastError() int32
	Identity() sqltypes.Value
	// Options are the session's SET options as they are now (@@LANGUAGE,
	// @@DATEFIRST, @@LOCK_TIMEOUT, @@TEXTSIZE, @@OPTIONS).
	Options() *setopts.Options
	// NestLevel is the calling scope's nesting level (@@NESTLEVEL).
	NestLevel() int
}

// DBInfo is what DATABASEPROPERTYEX reports of a database.
type DBInfo struct {
	Status, Recovery, UserAccess, Collation string
	ReadOnly, Standby                       bool
}

// Object is what OBJECT_ID found: a table, a view (user or catalog) or a
// module, the last with its type (P, V), which OBJECT_ID's second
// argument must match.
type Object struct {
	ID         int64
	ModuleType string
	Module     bool
}

// Func compiles a call to one of the package's functions for a session.
type Func func(s Session, c *query.Compiler, fc *tsql.FuncCall) (*query.Expr, error)

// Bind finds the function name (lower case) and binds it to s, in the form
// query.Scope.Func returns; nil when name is none of the package's.
func Bind(name string, s Session) query.Func {
	f := Lookup(name)
	if f == nil {
		return nil
	}
	return func(c *query.Compiler, fc *tsql.FuncCall) (*query.Expr, error) { return f(s, c, fc) }
}

// Lookup finds the function name (lower case), nil when it is none of the
// package's. A switch, not a table: the package holds no state.
func Lookup(name string) Func {
	switch name {
	case "getdate", "current_timestamp":
		return nowFunc(false, false)
	case "getutcdate":
		return nowFunc(true, false)
	case "sysdatetime":
		return nowFunc(false, true)
	case "sysutcdatetime":
		return nowFunc(true, true)
	case "sysdatetimeoffset":
		return fixedArgs(0, sysDateTimeOffset)
	case "newid":
		return fixedArgs(0, newID)
	case "scope_identity":
		return fixedArgs(0, scopeIdentity)
	case "suser_sname", "suser_name", "system_user", "original_login":
		return sessionString(Session.Login)
	case "host_name":
		return sessionString(Session.Host)
	case "app_name":
		return sessionString(Session.AppName)
	case "user_name", "current_user", "session_user", "user":
		return sessionString(func(Session) string { return "dbo" })
	case "schema_name":
		return rangeArgs(0, 1, schemaName)
	case "db_name":
		return rangeArgs(0, 1, dbName)
	case "db_id":
		return rangeArgs(0, 1, dbID)
	case "serverproperty":
		return serverPropertyFunc
	case "databasepropertyex":
		return fixedArgs(2, databasePropertyEx)
	case "object_id":
		return rangeArgs(1, 2, objectID)
	case "object_name":
		return rangeArgs(1, 2, objectName)
	case "object_definition":
		return fixedArgs(1, objectDefinition)
	case "is_srvrolemember":
		return rangeArgs(1, 2, isSrvRoleMember)
	case "xact_state":
		return fixedArgs(0, xactState)
	}
	return errorFunc(name)
}

func fixedArgs(n int, f func(Session, []*query.Expr) (*query.Expr, error)) Func {
	return func(s Session, c *query.Compiler, fc *tsql.FuncCall) (*query.Expr, error) {
		if len(fc.Args) != n {
			return nil, sqlerr.New(sqlerr.FunctionArgCount, fc.Name.Object().Name, n)
		}
		args, err := c.CompileArgs(fc)
		if err != nil {
			return nil, err
		}
		return f(s, args)
	}
}

func rangeArgs(lo, hi int, f func(Session, []*query.Expr) (*query.Expr, error)) Func {
	return func(s Session, c *query.Compiler, fc *tsql.FuncCall) (*query.Expr, error) {
		if len(fc.Args) < lo || len(fc.Args) > hi {
			return nil, sqlerr.New(sqlerr.FunctionArgRange, fc.Name.Object().Name, lo, hi)
		}
		args, err := c.CompileArgs(fc)
		if err != nil {
			return nil, err
		}
		return f(s, args)
	}
}

// evalAll evaluates every argument, in order, and is nil when one of
// them is NULL (a function of them is then NULL).
func evalAll(args []*query.Expr, en *query.Env) ([]sqltypes.Value, error) {
	vals := make([]sqltypes.Value, len(args))
	for i, a := range args {
		var err error
		if vals[i], err = a.Eval(en); err != nil {
			return nil, err
		}
	}
	for _, v := range vals {
		if v == nil {
			return nil, nil
		}
	}
	return vals, nil
}

func nowFunc(utc, precise bool) Func {
	return func(s Session, c *query.Compiler, fc *tsql.FuncCall) (*query.Expr, error) {
		if len(fc.Args) != 0 {
			return nil, sqlerr.New(sqlerr.FunctionArgCount, fc.Name.Object().Name, 0)
		}
		t := sqltypes.TypeDateTime
		if precise {
			t = sqltypes.DateTime2(7)
		}
		return &query.Expr{Type: t, Eval: func(en *query.Env) (sqltypes.Value, error) {
			now := s.Now()
			if utc {
				now = now.UTC()
			}
			w := sqltypes.WallClock(now)
			if precise {
				return w.Truncate(100 * time.Nanosecond), nil
			}
			return sqltypes.Convert(w, sqltypes.DateTime2(7), sqltypes.TypeDateTime)
		}}, nil
	}
}

// sysDateTimeOffset is the instance's local time with its offset from UTC.
func sysDateTimeOffset(s Session, _ []*query.Expr) (*query.Expr, error) {
	return &query.Expr{Type: sqltypes.DateTimeOffset(7), Eval: func(en *query.Env) (sqltypes.Value, error) {
		now := s.Now()
		_, off := now.Zone()
		return now.In(sqltypes.OffsetZone(off / 60)).Truncate(100 * time.Nanosecond), nil
	}}, nil
}

func newID(Session, []*query.Expr) (*query.Expr, error) {
	return &query.Expr{Type: sqltypes.TypeGUID, Eval: func(*query.Env) (sqltypes.Value, error) { return sqltypes.NewGUID(), nil }}, nil
}

func scopeIdentity(s Session, _ []*query.Expr) (*query.Expr, error) {
	return &query.Expr{Type: sqltypes.DecimalType(38, 0), Nullable: true, Eval: func(en *query.Env) (sqltypes.Value, error) {
		return IdentityValue(s.ScopeIdentity()), nil
	}}, nil
}

// IdentityValue is an identity value (an int64, or nil for none) as
// SCOPE_IDENTITY() and @@IDENTITY return it: a numeric(38,0).
func IdentityValue(v sqltypes.Value) sqltypes.Value {
	if n, ok := v.(int64); ok {
		return sqltypes.Decimal{Unscaled: big.NewInt(n), Scale: 0}
	}
	return nil
}

func sessionString(f func(Session) string) Func {
	return func(s Session, c *query.Compiler, fc *tsql.FuncCall) (*query.Expr, error) {
		return &query.Expr{Type: sqltypes.TypeSysname, Eval: func(en *query.Env) (sqltypes.Value, error) { return f(s), nil }}, nil
	}
}

func xactState(s Session, _ []*query.Expr) (*query.Expr, error) {
	return &query.Expr{Type: sqltypes.TypeSmallInt, Eval: func(en *query.Env) (sqltypes.Value, error) {
		n, doomed := s.TxState()
		if doomed {
			return int64(-1), nil
		}
		if n > 0 {
			return int64(1), nil
		}
		return int64(0), nil
	}}, nil
}

func isSrvRoleMember(s Session, a []*query.Expr) (*query.Expr, error) {
	return &query.Expr{Type: sqltypes.TypeInt, Nullable: true, Eval: func(en *query.Env) (sqltypes.Value, error) {
		role, err := query.EvalString(a[0], en)
		if err != nil {
			return nil, err
		}
		var login sqltypes.Value
		if len(a) > 1 {
			if login, err = query.EvalString(a[1], en); err != nil {
				return nil, err
			}
		}
		return srvRoleMember(s, role, login, len(a) > 1), nil
	}}, nil
}

// errorFunc is ERROR_NUMBER() and its siblings, which read the CATCH
// block's error (NULL outside one); nil for any other name.
func errorFunc(name string) Func {
	var t sqltypes.Type
	var f func(e *sqlerr.Error) sqltypes.Value
	switch name {
	case "error_number":
		t, f = sqltypes.TypeInt, func(e *sqlerr.Error) sqltypes.Value { return int64(e.Number) }
	case "error_message":
		t, f = sqltypes.NVarChar(4000), func(e *sqlerr.Error) sqltypes.Value { return e.Message }
	case "error_severity":
		t, f = sqltypes.TypeInt, func(e *sqlerr.Error) sqltypes.Value { return int64(e.Class) }
	case "error_state":
		t, f = sqltypes.TypeInt, func(e *sqlerr.Error) sqltypes.Value { return int64(e.State) }
	case "error_line":
		t, f = sqltypes.TypeInt, func(e *sqlerr.Error) sqltypes.Value { return int64(e.Line) }
	case "error_procedure":
		t, f = sqltypes.TypeSysname, func(e *sqlerr.Error) sqltypes.Value {
			if e.Proc == "" {
				return nil
			}
			return e.Proc
		}
	default:
		return nil
	}
	return fixedArgs(0, func(s Session, _ []*query.Expr) (*query.Expr, error) {
		return &query.Expr{Type: t, Nullable: true, Eval: func(en *query.Env) (sqltypes.Value, error) {
			e := s.CatchError()
			if e == nil {
				return nil, nil
			}
			return f(e), nil
		}}, nil
	})
}

func toInt64(v sqltypes.Value) (int64, bool) { return builtins.ToInt64(v) }

// schemaName is SCHEMA_NAME([id]): the simulator's databases have the
// fixed schemas dbo (1), INFORMATION_SCHEMA (3) and sys (4).
func schemaName(_ Session, a []*query.Expr) (*query.Expr, error) {
	return &query.Expr{Type: sqltypes.TypeSysname, Nullable: true, Eval: func(en *query.Env) (sqltypes.Value, error) {
		if len(a) == 0 {
			return "dbo", nil
		}
		v, err := a[0].Eval(en)
		if err != nil || v == nil {
			return nil, err
		}
		n, _ := toInt64(v)
		switch n {
		case 1:
			return "dbo", nil
		case 3:
			return "INFORMATION_SCHEMA", nil
		case 4:
			return "sys", nil
		}
		return nil, nil
	}}, nil
}

func dbName(s Session, a []*query.Expr) (*query.Expr, error) {
	return &query.Expr{Type: sqltypes.TypeSysname, Nullable: true, Eval: func(en *query.Env) (sqltypes.Value, error) {
		if len(a) == 0 {
			name, _ := s.CurrentDB()
			return name, nil
		}
		v, err := a[0].Eval(en)
		if err != nil || v == nil {
			return nil, err
		}
		n, ok := toInt64(v)
		if !ok {
			return nil, sqlerr.New(sqlerr.InvalidArgumentType, a[0].Type.Name(), 1, "db_name")
		}
		if name, ok := s.DBName(int(n)); ok {
			return name, nil
		}
		return nil, nil
	}}, nil
}

func dbID(s Session, a []*query.Expr) (*query.Expr, error) {
	return &query.Expr{Type: sqltypes.TypeSmallInt, Nullable: true, Eval: func(en *query.Env) (sqltypes.Value, error) {
		if len(a) == 0 {
			_, id := s.CurrentDB()
			return int64(id), nil
		}
		v, err := query.EvalString(a[0], en)
		if err != nil || v == nil {
			return nil, err
		}
		if id, ok := s.DBID(v.(string)); ok {
			return int64(id), nil
		}
		return nil, nil
	}}, nil
}

func databasePropertyEx(s Session, a []*query.Expr) (*query.Expr, error) {
	return &query.Expr{Type: sqltypes.TypeSysname, Nullable: true, Eval: func(en *query.Env) (sqltypes.Value, error) {
		v, err := evalAll(a, en)
		if err != nil || v == nil {
			return nil, err
		}
		dn, err := builtins.ToString(v[0], a[0].Type)
		if err != nil {
			return nil, err
		}
		pn, err := builtins.ToString(v[1], a[1].Type)
		if err != nil {
			return nil, err
		}
		db, ok := s.Database(dn.(string))
		if !ok {
			return nil, nil
		}
		switch strings.ToLower(pn.(string)) {
		case "status":
			return db.Status, nil
		case "recovery":
			return db.Recovery, nil
		case "useraccess":
			return db.UserAccess, nil
		case "updateability":
			if db.ReadOnly {
				return "READ_ONLY", nil
			}
			return "READ_WRITE", nil
		case "collation":
			return db.Collation, nil
		case "isinstandby":
			if db.Standby {
				return "1", nil
			}
			return "0", nil
		case "version":
			return "957", nil
		}
		return nil, nil
	}}, nil
}
