package engine

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

func insertCall(i int64) RPCCall {
	return RPCCall{Name: "sp_executesql", Params: []Param{
		{Type: sqltypes.NVarChar(4000), Value: "INSERT INTO dbo.msgs (body, n) VALUES (@p1, @p2)"},
		{Type: sqltypes.NVarChar(4000), Value: "@p1 nvarchar(100), @p2 bigint"},
		{Name: "@p1", Type: sqltypes.NVarChar(100), Value: fmt.Sprintf("message %d", i)},
		{Name: "@p2", Type: sqltypes.TypeBigInt, Value: i},
	}}
}

func setupMsgs(t testing.TB, inst *Instance) {
	s := login(t, inst, "setup")
	mustRun(t, s, "CREATE DATABASE mgc")
	mustRun(t, s, "USE mgc; CREATE TABLE dbo.msgs (id INT IDENTITY PRIMARY KEY, body NVARCHAR(100) NOT NULL, n BIGINT NOT NULL UNIQUE)")
	s.Close()
}

func loginDB(t testing.TB, inst *Instance, db string) *Session {
	s, err := inst.Login(context.Background(), LoginRequest{User: "sa", Password: "Pa55w.rd!", Database: db, AppName: "Persistent Chat"})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestConcurrentInserts(t *testing.T) {
	dir := t.TempDir()
	inst := openDir(t, dir, true)
	setupMsgs(t, inst)
	const workers, per = 8, 200
	var wg sync.WaitGroup
	var next atomic.Int64
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := loginDB(t, inst, "mgc")
			defer s.Close()
			for i := 0; i < per; i++ {
				r := &recorder{}
				if err := s.RPC(context.Background(), insertCall(next.Add(1)), r); err != nil {
					errs <- err
					return
				}
				if e := r.errors(); len(e) > 0 {
					errs <- e[0]
					return
				}
				if len(r.status) != 1 || r.status[0] != 0 {
					errs <- fmt.Errorf("return status %v", r.status)
					return
				}
			}
		}()
	}
	// A reader runs alongside and must only ever see committed rows.
	reader := loginDB(t, inst, "mgc")
	for i := 0; i < 20; i++ {
		r := run(t, reader, "SELECT COUNT(*), COUNT(DISTINCT id) FROM msgs")
		if row := r.last().rows[0]; row[0] != row[1] {
			t.Fatalf("duplicate identities visible: %v", row)
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	wantRows(t, reader, "SELECT COUNT(*), COUNT(DISTINCT id), MIN(id), MAX(id), COUNT(DISTINCT n) FROM msgs",
		fmt.Sprintf("%d|%d|1|%d|%d", workers*per, workers*per, workers*per, workers*per))
	reader.Close()
	if err := inst.Close(); err != nil {
		t.Fatal(err)
	}
	inst = openDir(t, dir, true)
	defer inst.Close()
	s := loginDB(t, inst, "mgc")
	wantRows(t, s, "SELECT COUNT(*) FROM msgs", fmt.Sprint(workers*per))
}

// TestConflictingWriters: a second writer on the same key waits for the
// first transaction, then gets 2627 once it commits.
func TestConflictingWriters(t *testing.T) {
	inst := newTestInstance(t, "")
	defer inst.Close()
	a := login(t, inst, "a")
	b := login(t, inst, "b")
	mustRun(t, a, "CREATE TABLE k (id INT PRIMARY KEY)")
	mustRun(t, a, "BEGIN TRAN; INSERT k VALUES (1)")
	done := make(chan *recorder)
	go func() { done <- run(t, b, "INSERT k VALUES (1)") }()
	mustRun(t, a, "WAITFOR DELAY '00:00:00.05'; COMMIT")
	r := <-done
	if got := r.errNums(); len(got) != 1 || got[0] != 2627 {
		t.Fatalf("second writer: %v", got)
	}
	// Rollback frees the key for the waiter.
	mustRun(t, a, "BEGIN TRAN; INSERT k VALUES (2)")
	go func() { done <- run(t, b, "INSERT k VALUES (2)") }()
	mustRun(t, a, "WAITFOR DELAY '00:00:00.05'; ROLLBACK")
	if r := <-done; len(r.errors()) != 0 {
		t.Fatalf("after rollback: %v", r.errors()[0])
	}
	// Uncommitted rows are invisible to others.
	mustRun(t, a, "BEGIN TRAN; INSERT k VALUES (3)")
	wantRows(t, b, "SELECT COUNT(*) FROM k", "2")
	wantRows(t, a, "SELECT COUNT(*) FROM k", "3")
	mustRun(t, a, "COMMIT")
	wantRows(t, b, "SELECT COUNT(*) FROM k", "3")
}

func BenchmarkInsertDurable8(b *testing.B) {
	dir := b.TempDir()
	inst, err := newInstance(Config{Name: "B", DataDir: dir, SAPassword: "Pa55w.rd!", NoSync: os.Getenv("BENCH_NOSYNC") != ""})
	if err != nil {
		b.Fatal(err)
	}
	defer inst.Close()
	setupMsgs(b, inst)
	const workers = 8
	var next atomic.Int64
	b.ResetTimer()
	var wg sync.WaitGroup
	per := (b.N + workers - 1) / workers
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := loginDB(b, inst, "mgc")
			defer s.Close()
			r := &nullResults{}
			for i := 0; i < per; i++ {
				if err := s.RPC(context.Background(), insertCall(next.Add(1)), r); err != nil {
					b.Error(err)
					return
				}
				if r.err != nil {
					b.Error(r.err)
					return
				}
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	b.ReportMetric(float64(per*workers)/b.Elapsed().Seconds(), "inserts/s")
}

// nullResults discards output but keeps the first error message.
type nullResults struct{ err *Error }

func (n *nullResults) Columns([]Column) error { return nil }
func (n *nullResults) Row([]Value) error      { return nil }
func (n *nullResults) Done(DoneInfo) error    { return nil }
func (n *nullResults) Message(m *Error) error {
	if m.Class > 10 && n.err == nil {
		n.err = m
	}
	return nil
}
func (n *nullResults) EnvChange(EnvChange) error     { return nil }
func (n *nullResults) ReturnStatus(int32) error      { return nil }
func (n *nullResults) ReturnValue(ReturnValue) error { return nil }

func TestLockTimeout(t *testing.T) {
	inst := newTestInstance(t, "")
	defer inst.Close()
	a := login(t, inst, "a")
	b := login(t, inst, "b")
	mustRun(t, a, "CREATE TABLE k (id INT PRIMARY KEY); INSERT k VALUES (1)")
	mustRun(t, a, "BEGIN TRAN; UPDATE k SET id = 2")
	r := run(t, b, "SET LOCK_TIMEOUT 50\nUPDATE k SET id = 3\nSELECT @@TRANCOUNT")
	if got := r.errNums(); len(got) != 1 || got[0] != 1222 {
		t.Fatalf("lock timeout: %v", got)
	}
	mustRun(t, a, "ROLLBACK")
}

func TestDeadlockVictim(t *testing.T) {
	inst := newTestInstance(t, "")
	defer inst.Close()
	a := login(t, inst, "a")
	b := login(t, inst, "b")
	mustRun(t, a, "CREATE TABLE k (id INT PRIMARY KEY, v INT); INSERT k VALUES (1, 0), (2, 0)")
	mustRun(t, a, "BEGIN TRAN; UPDATE k SET v = 1 WHERE id = 1")
	mustRun(t, b, "BEGIN TRAN; UPDATE k SET v = 2 WHERE id = 2")
	done := make(chan *recorder)
	go func() { done <- run(t, a, "UPDATE k SET v = 1 WHERE id = 2") }()
	r := run(t, b, "WAITFOR DELAY '00:00:00.05'; UPDATE k SET v = 2 WHERE id = 1")
	ra := <-done
	got := append(ra.errNums(), r.errNums()...)
	if len(got) != 1 || got[0] != 1205 {
		t.Fatalf("deadlock: a %v b %v", ra.errNums(), r.errNums())
	}
	// The victim's transaction was rolled back; the survivor commits.
	mustRun(t, a, "IF @@TRANCOUNT > 0 COMMIT")
	mustRun(t, b, "IF @@TRANCOUNT > 0 COMMIT")
}
