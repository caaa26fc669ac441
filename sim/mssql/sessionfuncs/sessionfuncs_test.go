package sessionfuncs_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/mssql/collation"
	"github.com/pchatdr/harness/sim/mssql/query"
	"github.com/pchatdr/harness/sim/mssql/sessionfuncs"
	"github.com/pchatdr/harness/sim/mssql/setopts"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// fakeSession is a session with two databases (master 1, app 5), in app,
// whose app database has table dbo.t (id 101) and procedure dbo.p (id
// 102), and whose tempdb has the session's #tmp (id 201).
type fakeSession struct {
	now       time.Time
	db        string
	tranCount int
	doomed    bool
	catch     *sqlerr.Error
	scopeID   any
}

var dbIDs = map[string]int{"master": 1, "tempdb": 2, "app": 5}

func (f *fakeSession) Now() time.Time                { return f.now }
func (f *fakeSession) Login() string                 { return "sa" }
func (f *fakeSession) Host() string                  { return "WS01" }
func (f *fakeSession) AppName() string               { return "failback" }
func (f *fakeSession) InstanceName() string          { return `SQL01\PCHAT` }
func (f *fakeSession) ScopeIdentity() sqltypes.Value { return f.scopeID }
func (f *fakeSession) TxState() (int, bool)          { return f.tranCount, f.doomed }
func (f *fakeSession) CatchError() *sqlerr.Error     { return f.catch }
func (f *fakeSession) CurrentDB() (string, int)      { return f.db, dbIDs[f.db] }

func (f *fakeSession) DBName(id int) (string, bool) {
	for n, i := range dbIDs {
		if i == id {
			return n, true
		}
	}
	return "", false
}

func (f *fakeSession) DBID(name string) (int, bool) {
	id, ok := dbIDs[strings.ToLower(name)]
	return id, ok
}

func (f *fakeSession) Database(name string) (sessionfuncs.DBInfo, bool) {
	if !strings.EqualFold(name, "app") {
		return sessionfuncs.DBInfo{}, false
	}
	return sessionfuncs.DBInfo{Status: "RESTORING", Recovery: "FULL", UserAccess: "MULTI_USER", Collation: "Latin1_General_CI_AS", ReadOnly: true}, true
}

func (f *fakeSession) Object(db, schema, name string) (sessionfuncs.Object, bool) {
	if db == "" || strings.HasPrefix(name, "#") {
		db = f.db
		if strings.HasPrefix(name, "#") {
			db = "tempdb"
		}
	}
	switch strings.ToLower(db + "." + schema + "." + name) {
	case "app..t", "app.dbo.t":
		return sessionfuncs.Object{ID: 101}, true
	case "app..p", "app.dbo.p":
		return sessionfuncs.Object{ID: 102, Module: true, ModuleType: "P"}, true
	case "tempdb..#tmp":
		return sessionfuncs.Object{ID: 201}, true
	}
	return sessionfuncs.Object{}, false
}

func (f *fakeSession) TableName(db, id int) (string, bool) {
	if db == 5 && id == 101 {
		return "t", true
	}
	return "", false
}

func (f *fakeSession) ModuleDefinition(id int) (string, bool) {
	if f.db == "app" && id == 102 {
		return "CREATE PROCEDURE p AS SELECT 1", true
	}
	return "", false
}

func (f *fakeSession) LoginExists(name string) bool { return name == "sa" || name == "bob" }
func (f *fakeSession) IsServerRoleMember(role, login string) bool {
	return strings.EqualFold(role, "sysadmin") && login == "sa"
}
func (f *fakeSession) SPID() int                 { return 53 }
func (f *fakeSession) RowCount() int64           { return 4 }
func (f *fakeSession) LastError() int32          { return 2627 }
func (f *fakeSession) Identity() sqltypes.Value  { return f.scopeID }
func (f *fakeSession) Options() *setopts.Options { o := setopts.Default(); return &o }
func (f *fakeSession) NestLevel() int            { return 1 }

// scope is the smallest query.Scope: no tables, no variables, and the
// package's functions bound to a fakeSession.
type scope struct{ s *fakeSession }

func (scope) Context() context.Context { return context.Background() }
func (scope) Collation() collation.ID  { return collation.Default }
func (scope) Var(string) query.Var     { return nil }
func (c scope) GlobalVar(x *tsql.GlobalVarRef) (*query.Expr, error) {
	return sessionfuncs.Global(c.s, x.Name)
}
func (c scope) Func(name string) query.Func { return sessionfuncs.Bind(name, c.s) }
func (scope) Table(x *tsql.TableRef) (*query.Source, error) {
	return nil, sqlerr.New(sqlerr.InvalidObject, x.Name.Object().Name)
}
func (scope) TableVar(x *tsql.TableVarRef) (*query.Source, error) {
	return nil, sqlerr.New(sqlerr.MustDeclareTableVariable, x.Name)
}
func (scope) TableFunc(x *tsql.FuncTable) (*query.Source, error) {
	return nil, sqlerr.New(sqlerr.InvalidObject, query.NameText(&x.Call.Name))
}

func newSession() *fakeSession {
	return &fakeSession{now: time.Date(2026, 12, 7, 9, 30, 15, 123456789, time.FixedZone("CET", 3600)), db: "app"}
}

// compile compiles SELECT text's select list for s.
func compile(t *testing.T, s *fakeSession, text string) (*query.Plan, error) {
	t.Helper()
	stmts, err := tsql.Parse(text)
	if err != nil {
		t.Fatalf("parse %q: %v", text, err)
	}
	return query.New(scope{s}).Query(stmts[0].(*tsql.SelectStmt), nil)
}

// row runs SELECT text for s and returns its one row.
func row(t *testing.T, s *fakeSession, text string) ([]query.Column, []query.Value) {
	t.Helper()
	p, err := compile(t, s, text)
	if err != nil {
		t.Fatalf("compile %q: %v", text, err)
	}
	rows, err := p.Run(nil, -1)
	if err != nil {
		t.Fatalf("run %q: %v", text, err)
	}
	if len(rows) != 1 {
		t.Fatalf("%q: %d rows", text, len(rows))
	}
	return p.Cols, rows[0]
}

func TestFunctionsReadTheSession(t *testing.T) {
	dec := func(n int64) query.Value { return sessionfuncs.IdentityValue(n) }
	cases := []struct {
		text string
		want []query.Value
	}{
		{"SELECT SUSER_SNAME(), SYSTEM_USER, HOST_NAME(), APP_NAME(), USER_NAME(), CURRENT_USER",
			[]query.Value{"sa", "sa", "WS01", "failback", "dbo", "dbo"}},
		{"SELECT DB_NAME(), DB_ID(), DB_NAME(1), DB_ID('MASTER'), DB_NAME(42), DB_ID('nosuch'), DB_NAME(NULL)",
			[]query.Value{"app", int64(5), "master", int64(1), nil, nil, nil}},
		{"SELECT SCHEMA_NAME(), SCHEMA_NAME(4), SCHEMA_NAME(3), SCHEMA_NAME(2)",
			[]query.Value{"dbo", "sys", "INFORMATION_SCHEMA", nil}},
		{"SELECT OBJECT_ID('t'), OBJECT_ID('[app].dbo.t'), OBJECT_ID(' dbo.p '), OBJECT_ID('p', 'P'), OBJECT_ID('p', 'V'), OBJECT_ID('t', 'V'), OBJECT_ID('#tmp'), OBJECT_ID('a.b.c.d'), OBJECT_ID('nosuch')",
			[]query.Value{int64(101), int64(101), int64(102), int64(102), nil, int64(101), int64(201), nil, nil}},
		{"SELECT OBJECT_NAME(101), OBJECT_NAME(101, 5), OBJECT_NAME(101, 1), OBJECT_NAME(102), OBJECT_NAME(NULL)",
			[]query.Value{"t", "t", nil, nil, nil}},
		{"SELECT OBJECT_DEFINITION(102), OBJECT_DEFINITION(101), OBJECT_DEFINITION('x')",
			[]query.Value{"CREATE PROCEDURE p AS SELECT 1", nil, nil}},
		{"SELECT SERVERPROPERTY('ServerName'), SERVERPROPERTY('MachineName'), SERVERPROPERTY('InstanceName'), SERVERPROPERTY('EngineEdition'), SERVERPROPERTY('ProductVersion'), SERVERPROPERTY('nosuch')",
			[]query.Value{`SQL01\PCHAT`, "SQL01", "PCHAT", int64(3), sessionfuncs.ProductVersion, nil}},
		{"SELECT DATABASEPROPERTYEX('app', 'Status'), DATABASEPROPERTYEX('app', 'Updateability'), DATABASEPROPERTYEX('app', 'IsInStandBy'), DATABASEPROPERTYEX('nosuch', 'Status'), DATABASEPROPERTYEX('app', NULL)",
			[]query.Value{"RESTORING", "READ_ONLY", "0", nil, nil}},
		{"SELECT IS_SRVROLEMEMBER('sysadmin'), IS_SRVROLEMEMBER('sysadmin', 'bob'), XACT_STATE(), SCOPE_IDENTITY(), ERROR_NUMBER(), ERROR_PROCEDURE()",
			[]query.Value{int64(1), int64(0), int64(0), nil, nil, nil}},
		{"SELECT IS_SRVROLEMEMBER('SysAdmin', 'sa'), IS_SRVROLEMEMBER('dbcreator'), IS_SRVROLEMEMBER('nosuch'), IS_SRVROLEMEMBER('sysadmin', 'carol'), IS_SRVROLEMEMBER(NULL)",
			[]query.Value{int64(1), int64(0), nil, nil, nil}},
		{"SELECT @@SPID, @@ROWCOUNT, @@TRANCOUNT, @@ERROR, @@IDENTITY, @@NESTLEVEL, @@SERVERNAME, @@SERVICENAME, @@LANGUAGE, @@DATEFIRST, @@VERSION",
			[]query.Value{int64(53), int64(4), int64(0), int64(2627), nil, int64(1), `SQL01\PCHAT`, "PCHAT", "us_english", int64(7), sessionfuncs.Version}},
		{"SELECT GETDATE(), SYSDATETIME(), GETUTCDATE()",
			[]query.Value{time.Date(2026, 12, 7, 9, 30, 15, 123000000, time.UTC), time.Date(2026, 12, 7, 9, 30, 15, 123456700, time.UTC), time.Date(2026, 12, 7, 8, 30, 15, 123000000, time.UTC)}},
	}
	for _, c := range cases {
		_, got := row(t, newSession(), c.text)
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %#v\nwant %#v", c.text, got, c.want)
		}
	}

	// A transaction, a CATCH block and an identity, as the session has
	// them when the expression runs.
	s := newSession()
	s.tranCount, s.scopeID = 2, int64(7)
	s.catch = &sqlerr.Error{Number: 2627, Message: "dup", Class: 14, State: 1, Line: 3, Proc: "p"}
	_, got := row(t, s, "SELECT XACT_STATE(), SCOPE_IDENTITY(), ERROR_NUMBER(), ERROR_MESSAGE(), ERROR_SEVERITY(), ERROR_STATE(), ERROR_LINE(), ERROR_PROCEDURE()")
	want := []query.Value{int64(1), dec(7), int64(2627), "dup", int64(14), int64(1), int64(3), "p"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("in a transaction and CATCH:\n got %#v\nwant %#v", got, want)
	}
	s.doomed = true
	if _, got := row(t, s, "SELECT XACT_STATE()"); got[0] != int64(-1) {
		t.Errorf("XACT_STATE() of a doomed transaction = %v, want -1", got[0])
	}
}

// TestResultTypes: SERVERPROPERTY is an int for an int property written
// as a literal, else sysname (an int property's value then its text).
func TestResultTypes(t *testing.T) {
	cols, got := row(t, newSession(), "SELECT SERVERPROPERTY('EngineEdition'), SERVERPROPERTY('Engine' + 'Edition'), SCOPE_IDENTITY(), XACT_STATE(), SYSDATETIMEOFFSET()")
	if cols[0].Type.Kind != sqltypes.KindInt || cols[1].Type != sqltypes.TypeSysname {
		t.Errorf("SERVERPROPERTY types: %v, %v", cols[0].Type, cols[1].Type)
	}
	if got[1] != "3" {
		t.Errorf("SERVERPROPERTY('Engine' + 'Edition') = %#v, want \"3\"", got[1])
	}
	if cols[2].Type != sqltypes.DecimalType(38, 0) || cols[3].Type != sqltypes.TypeSmallInt || cols[4].Type != sqltypes.DateTimeOffset(7) {
		t.Errorf("types: %v, %v, %v", cols[2].Type, cols[3].Type, cols[4].Type)
	}
	if _, off := got[4].(time.Time).Zone(); off != 3600 {
		t.Errorf("SYSDATETIMEOFFSET() offset %d s, want the instance's 3600", off)
	}
}

// TestReadWhenRun: a compiled call reads the session each time it runs,
// not when it compiled (DB_NAME() follows USE, GETDATE() moves on).
func TestReadWhenRun(t *testing.T) {
	s := newSession()
	p, err := compile(t, s, "SELECT DB_NAME(), GETDATE()")
	if err != nil {
		t.Fatal(err)
	}
	s.db, s.now = "master", s.now.Add(time.Hour)
	rows, err := p.Run(nil, -1)
	if err != nil {
		t.Fatal(err)
	}
	if rows[0][0] != "master" || rows[0][1].(time.Time).Hour() != 10 {
		t.Errorf("after USE master and an hour: %v", rows[0])
	}
}

func TestErrors(t *testing.T) {
	cases := []struct {
		text string
		want int32
	}{
		{"SELECT GETDATE(1)", sqlerr.FunctionArgCount},
		{"SELECT ERROR_NUMBER(1)", sqlerr.FunctionArgCount},
		{"SELECT SERVERPROPERTY()", sqlerr.FunctionArgCount},
		{"SELECT DATABASEPROPERTYEX('app')", sqlerr.FunctionArgCount},
		{"SELECT OBJECT_ID()", sqlerr.FunctionArgRange},
		{"SELECT DB_NAME(1, 2)", sqlerr.FunctionArgRange},
		{"SELECT DB_NAME('master')", sqlerr.InvalidArgumentType},
		{"SELECT NO_SUCH_FUNC()", sqlerr.UnknownBuiltinFunction},
	}
	for _, c := range cases {
		p, err := compile(t, newSession(), c.text)
		if err == nil {
			_, err = p.Run(nil, -1)
		}
		var e *sqlerr.Error
		if !errors.As(err, &e) || e.Number != c.want {
			t.Errorf("%s: got %v, want error %d", c.text, err, c.want)
		}
	}
}

func TestSplitObjectName(t *testing.T) {
	cases := map[string][]string{
		"t":               {"t"},
		"dbo.t":           {"dbo", "t"},
		"[my.db].dbo.[t]": {"my.db", "dbo", "t"},
		"srv.db.dbo.t":    {"srv", "db", "dbo", "t"},
	}
	for in, want := range cases {
		if got := sessionfuncs.SplitObjectName(in); !reflect.DeepEqual(got, want) {
			t.Errorf("SplitObjectName(%q) = %q, want %q", in, got, want)
		}
	}
}
