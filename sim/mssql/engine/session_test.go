package engine

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

func TestLogin(t *testing.T) {
	inst := newTestInstance(t, "")
	defer inst.Close()
	ctx := context.Background()
	cases := []struct {
		name string
		req  LoginRequest
		num  int32
	}{
		{"bad password", LoginRequest{User: "sa", Password: "x"}, 18456},
		{"unknown user", LoginRequest{User: "bob", Password: "x"}, 18456},
		{"unknown database", LoginRequest{User: "sa", Password: "Pa55w.rd!", Database: "nodb"}, 4060},
		{"other login", LoginRequest{User: "CHAT", Password: "chatpw", Database: "msdb"}, 0},
	}
	for _, c := range cases {
		s, err := inst.Login(ctx, c.req)
		if c.num == 0 {
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if s.Database() != "msdb" || s.ID() < 51 {
				t.Fatalf("%s: db %s id %d", c.name, s.Database(), s.ID())
			}
			continue
		}
		var e *Error
		if !errors.As(err, &e) || e.Number != c.num {
			t.Fatalf("%s: err = %v, want %d", c.name, err, c.num)
		}
		if c.num == 18456 && (e.Class != 14 || e.Message != "Login failed for user '"+c.req.User+"'.") {
			t.Fatalf("%s: %+v", c.name, e)
		}
	}
}

func TestLoginRestoringDatabase(t *testing.T) {
	inst := newTestInstance(t, "")
	defer inst.Close()
	s := login(t, inst, "x")
	mustRun(t, s, "CREATE DATABASE r1")
	db := inst.DB("r1")
	if err := inst.SetMeta(context.Background(), db, func(m *DBMeta) { m.State = StateRestoring }); err != nil {
		t.Fatal(err)
	}
	r := run(t, s, "USE r1")
	if got := r.errNums(); len(got) != 1 || got[0] != 927 {
		t.Fatalf("USE restoring: %v", got)
	}
	_, err := inst.Login(context.Background(), LoginRequest{User: "sa", Password: "Pa55w.rd!", Database: "r1"})
	var e *Error
	if !errors.As(err, &e) || e.Number != 4060 {
		t.Fatalf("login restoring: %v", err)
	}
	r = run(t, s, "SELECT * FROM r1.sys.tables")
	if got := r.errNums(); len(got) != 1 || got[0] != 927 {
		t.Fatalf("three-part restoring: %v", got)
	}
}

func TestKillClosesSession(t *testing.T) {
	inst := newTestInstance(t, "")
	defer inst.Close()
	a := login(t, inst, "a")
	b := login(t, inst, "b")
	mustRun(t, a, "CREATE TABLE k (id INT PRIMARY KEY)")
	mustRun(t, b, "BEGIN TRAN; INSERT k VALUES (1)")
	mustRun(t, a, "KILL 52")
	select {
	case <-b.Done():
	case <-time.After(time.Second):
		t.Fatal("killed session's Done not closed")
	}
	if err := b.Batch(context.Background(), "SELECT 1", &recorder{}); !errors.Is(err, ErrSessionKilled) {
		t.Fatalf("request on killed session: %v", err)
	}
	wantRows(t, a, "SELECT COUNT(*) FROM k", "0")
	wantRows(t, a, "SELECT COUNT(*) FROM sys.dm_exec_sessions", "1")
}

func TestKillInterruptsRunningRequest(t *testing.T) {
	inst := newTestInstance(t, "")
	defer inst.Close()
	a := login(t, inst, "a")
	b := login(t, inst, "b")
	errc := make(chan error)
	go func() { errc <- b.Batch(context.Background(), "WAITFOR DELAY '00:01:00'", &recorder{}) }()
	time.Sleep(50 * time.Millisecond)
	mustRun(t, a, "KILL 52")
	select {
	case err := <-errc:
		if !errors.Is(err, ErrSessionKilled) {
			t.Fatalf("killed request returned %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("kill did not interrupt WAITFOR")
	}
}

func TestAttentionCancelsWaitfor(t *testing.T) {
	inst := newTestInstance(t, "")
	defer inst.Close()
	s := login(t, inst, "a")
	mustRun(t, s, "CREATE TABLE k (id INT); BEGIN TRAN; INSERT k VALUES (1)")
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := s.Batch(ctx, "WAITFOR DELAY '00:00:30'", &recorder{})
	// Half the WAITFOR's 30 s proves the cancel interrupted it; a tighter
	// bound would measure the machine's load, not the engine.
	if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 15*time.Second {
		t.Fatalf("cancelled batch: %v after %v", err, time.Since(start))
	}
	// The session goes on, its transaction still open (XACT_ABORT OFF).
	wantRows(t, s, "SELECT @@TRANCOUNT, COUNT(*) FROM k", "1|1")
}

func TestAlterDatabaseRollbackImmediate(t *testing.T) {
	inst := newTestInstance(t, "")
	defer inst.Close()
	a := login(t, inst, "a")
	mustRun(t, a, "CREATE DATABASE mgc")
	chat := loginDB(t, inst, "mgc")
	wantRows(t, a, "SELECT COUNT(*) FROM sys.dm_exec_sessions WHERE program_name = 'Persistent Chat' AND database_id = DB_ID('mgc')", "1")
	r := run(t, a, "ALTER DATABASE mgc SET SINGLE_USER WITH NO_WAIT")
	if got := r.errNums(); len(got) != 2 || got[0] != 5070 || got[1] != 5069 {
		t.Fatalf("NO_WAIT with users: %v", got)
	}
	mustRun(t, a, "ALTER DATABASE mgc SET SINGLE_USER WITH ROLLBACK IMMEDIATE")
	select {
	case <-chat.Done():
	case <-time.After(time.Second):
		t.Fatal("session in mgc not killed")
	}
	if err := chat.Batch(context.Background(), "SELECT 1", &recorder{}); !errors.Is(err, ErrSessionKilled) {
		t.Fatalf("killed chat session: %v", err)
	}
	mustRun(t, a, "USE mgc")
	_, err := inst.Login(context.Background(), LoginRequest{User: "sa", Password: "Pa55w.rd!", Database: "mgc"})
	if err == nil {
		t.Fatal("second user got into a SINGLE_USER database")
	}
	mustRun(t, a, "ALTER DATABASE mgc SET MULTI_USER; USE master; DROP DATABASE mgc")
}

func TestRPC(t *testing.T) {
	inst := newTestInstance(t, "")
	defer inst.Close()
	s := login(t, inst, "a")
	mustRun(t, s, "CREATE TABLE t (id INT IDENTITY PRIMARY KEY, v NVARCHAR(20))")
	r := &recorder{}
	err := s.RPC(context.Background(), RPCCall{Name: "sp_executesql", Params: []Param{
		{Type: sqltypes.NVarChar(100), Value: "INSERT t (v) VALUES (@v); SELECT @id = SCOPE_IDENTITY(); SELECT v FROM t"},
		{Type: sqltypes.NVarChar(100), Value: "@v nvarchar(20), @id int OUTPUT"},
		{Name: "@v", Type: sqltypes.NVarChar(20), Value: "hello"},
		{Name: "@id", Type: sqltypes.TypeInt, Output: true},
	}}, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.errors()) > 0 || len(r.status) != 1 || r.status[0] != 0 || len(r.retvals) != 1 || r.retvals[0].Value != int64(1) || r.retvals[0].Name != "@id" {
		t.Fatalf("rpc: errs %v status %v retvals %+v", r.errNums(), r.status, r.retvals)
	}
	if d := r.dones[len(r.dones)-1]; d.InProc || d.HasCount {
		t.Fatalf("final done %+v", d)
	}
	if d := r.dones[0]; !d.InProc || d.Count != 1 || !d.HasCount {
		t.Fatalf("insert done %+v", d)
	}
	// Procedures by name, qualified, positional and named.
	r = &recorder{}
	if err := s.RPC(context.Background(), RPCCall{Name: "master.dbo.sp_who2"}, r); err != nil {
		t.Fatal(err)
	}
	if len(r.sets) != 1 || len(r.sets[0].rows) != 1 || r.status[0] != 0 {
		t.Fatalf("sp_who2: %+v", r)
	}
	r = &recorder{}
	_ = s.RPC(context.Background(), RPCCall{Name: "sp_who2", Params: []Param{{Name: "@nope", Type: sqltypes.TypeInt, Value: int64(1)}}}, r)
	if got := r.errNums(); len(got) != 1 || got[0] != 8145 {
		t.Fatalf("bad param: %v", got)
	}
	r = &recorder{}
	_ = s.RPC(context.Background(), RPCCall{Name: "sp_nosuch"}, r)
	if got := r.errNums(); len(got) != 1 || got[0] != 2812 || len(r.status) != 0 {
		t.Fatalf("unknown proc: %v %v", got, r.status)
	}
	// A missing sp_executesql parameter.
	r = &recorder{}
	_ = s.RPC(context.Background(), RPCCall{Name: "sp_executesql", Params: []Param{
		{Type: sqltypes.NVarChar(100), Value: "SELECT @a"},
		{Type: sqltypes.NVarChar(100), Value: "@a int"},
	}}, r)
	if got := r.errNums(); len(got) != 1 || got[0] != 8178 {
		t.Fatalf("missing param: %v", got)
	}
}

func TestTransactionManagerRequests(t *testing.T) {
	inst := newTestInstance(t, "")
	defer inst.Close()
	s := login(t, inst, "a")
	mustRun(t, s, "CREATE TABLE t (a INT)")
	ctx := context.Background()
	d, err := s.BeginTran(ctx, "", "")
	if err != nil || d == 0 {
		t.Fatalf("begin: %d %v", d, err)
	}
	mustRun(t, s, "INSERT t VALUES (1)")
	if err := s.RollbackTran(ctx); err != nil {
		t.Fatal(err)
	}
	wantRows(t, s, "SELECT COUNT(*), @@TRANCOUNT FROM t", "0|0")
	if _, err := s.BeginTran(ctx, "x", ""); err != nil {
		t.Fatal(err)
	}
	mustRun(t, s, "INSERT t VALUES (1)")
	if err := s.CommitTran(ctx); err != nil {
		t.Fatal(err)
	}
	var e *Error
	if err := s.CommitTran(ctx); !errors.As(err, &e) || e.Number != 3902 {
		t.Fatalf("commit without tran: %v", err)
	}
	wantRows(t, s, "SELECT COUNT(*) FROM t", "1")
	// EnvChange on BEGIN/COMMIT in a batch carries the same descriptor.
	r := mustRun(t, s, "BEGIN TRAN; COMMIT TRAN")
	if len(r.envs) != 2 || r.envs[0].Type != EnvBeginTran || r.envs[1].Type != EnvCommitTran || r.envs[0].TranDesc != r.envs[1].TranDesc || r.envs[0].TranDesc == 0 {
		t.Fatalf("envchanges %+v", r.envs)
	}
	// Reset rolls back and clears options, keeps the database.
	mustRun(t, s, "CREATE DATABASE z; USE z; SET NOCOUNT ON; BEGIN TRAN")
	s.Reset()
	if s.Database() != "z" {
		t.Fatalf("database after reset: %s", s.Database())
	}
	wantRows(t, s, "SELECT @@TRANCOUNT, @@OPTIONS & 512", "0|0")
}

func TestStatementTerminatedMessage(t *testing.T) {
	inst := newTestInstance(t, "")
	defer inst.Close()
	s := login(t, inst, "a")
	mustRun(t, s, "CREATE TABLE k (id INT PRIMARY KEY)")
	r := run(t, s, "INSERT k VALUES (1)\nINSERT k VALUES (1)")
	var nums []int32
	for _, m := range r.msgs {
		nums = append(nums, m.Number)
	}
	if len(nums) != 2 || nums[0] != 2627 || nums[1] != 3621 || r.msgs[1].Class != 0 || r.msgs[0].Line != 2 || r.msgs[0].Server != "SIMSQL01" {
		t.Fatalf("messages %v %+v", nums, r.msgs)
	}
	if want := "Violation of PRIMARY KEY constraint '"; !strings.HasPrefix(r.msgs[0].Message, want) ||
		!strings.HasSuffix(r.msgs[0].Message, "'. Cannot insert duplicate key in object 'dbo.k'. The duplicate key value is (1).") {
		t.Fatalf("2627 text %q", r.msgs[0].Message)
	}
	last := r.dones[len(r.dones)-1]
	if !last.Error || last.CurCmd != 0xC3 {
		t.Fatalf("done %+v", last)
	}
}

func TestSevereErrorClosesConnection(t *testing.T) {
	inst := newTestInstance(t, "")
	defer inst.Close()
	s := login(t, inst, "a")
	r := &recorder{}
	err := s.Batch(context.Background(), "RAISERROR('fatal', 20, 1) WITH LOG\nPRINT 'never'", r)
	if !errors.Is(err, ErrSessionKilled) {
		t.Fatalf("severity 20: %v", err)
	}
	if len(r.msgs) != 1 || r.msgs[0].Class != 20 {
		t.Fatalf("messages %+v", r.msgs)
	}
	select {
	case <-s.Done():
	default:
		t.Fatal("session not done after severity 20")
	}
	r = run(t, login(t, inst, "b"), "RAISERROR('x', 19, 1)")
	if got := r.errNums(); len(got) != 1 || got[0] != 2754 {
		t.Fatalf("severity 19 without LOG: %v", got)
	}
}

func TestRPCParamConversionAndPositional(t *testing.T) {
	inst := newTestInstance(t, "")
	defer inst.Close()
	s := login(t, inst, "a")
	r := &recorder{}
	_ = s.RPC(context.Background(), RPCCall{Name: "sp_executesql", Params: []Param{
		{Type: sqltypes.NVarChar(100), Value: "SELECT @a"},
		{Type: sqltypes.NVarChar(100), Value: "@a int"},
		{Type: sqltypes.NVarChar(10), Value: "abc"},
	}}, r)
	if got := r.errNums(); len(got) != 1 || got[0] != 8114 {
		t.Fatalf("conversion: %v", got)
	}
	r = &recorder{}
	if err := s.RPC(context.Background(), RPCCall{Name: "sp_who2", Params: []Param{{Type: sqltypes.NVarChar(10), Value: "sa"}}}, r); err != nil {
		t.Fatal(err)
	}
	if len(r.sets) != 1 || len(r.sets[0].rows) != 1 {
		t.Fatalf("sp_who2 'sa': %+v", r.sets)
	}
	r = &recorder{}
	_ = s.RPC(context.Background(), RPCCall{Name: "sp_executesql", Params: []Param{{Type: sqltypes.VarChar(100), Value: "SELECT 1"}}}, r)
	if got := r.errNums(); len(got) != 1 || got[0] != 214 {
		t.Fatalf("varchar statement: %v", got)
	}
}

func TestErrorRollbackSendsEnvChange(t *testing.T) {
	inst := newTestInstance(t, "")
	defer inst.Close()
	s := login(t, inst, "a")
	r := run(t, s, "BEGIN TRAN\nSELECT CAST('x' AS INT)")
	if len(r.envs) != 2 || r.envs[1].Type != EnvRollbackTran || r.envs[1].TranDesc != r.envs[0].TranDesc {
		t.Fatalf("envchanges %+v", r.envs)
	}
	if s.TranDescriptor() != 0 {
		t.Fatal("transaction still open")
	}
	r = run(t, s, "BEGIN TRAN\nSELECT 1")
	if d := r.dones[len(r.dones)-1]; !d.InXact || s.TranDescriptor() != r.envs[0].TranDesc {
		t.Fatalf("done %+v desc %d", d, s.TranDescriptor())
	}
}
