package engine

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

var fuzzSeeds = []string{
	"SELECT 1",
	"SELECT a, b FROM t WHERE a > 1 ORDER BY b DESC",
	"INSERT t VALUES (1, N'x'), (2, NULL); SELECT COUNT(*), MAX(b) FROM t GROUP BY a HAVING COUNT(*) > 0",
	"UPDATE t SET b = b + N'y' WHERE a IN (1, 2); DELETE FROM t WHERE a = 1",
	"DECLARE @i INT = 0; WHILE @i < 3 BEGIN SET @i += 1; PRINT @i END",
	"BEGIN TRAN; INSERT t VALUES (3, 'z'); ROLLBACK",
	"IF EXISTS (SELECT * FROM sys.databases WHERE name = 'x') PRINT 'y' ELSE RAISERROR('e %d', 16, 1, 5)",
	"SELECT CAST('1' AS INT) + CONVERT(INT, 2.5), ISNULL(NULL, 'a'), COALESCE(NULL, 1)",
	"CREATE DATABASE f1; USE f1; CREATE TABLE q (id INT IDENTITY PRIMARY KEY, v VARCHAR(10) DEFAULT 'd'); INSERT q DEFAULT VALUES",
	"SELECT * FROM t x JOIN t y ON x.a = y.a LEFT JOIN sys.tables z ON z.name = 't'",
	"EXEC sp_executesql N'SELECT @p', N'@p INT', 1",
	"SELECT CHECKSUM_AGG(BINARY_CHECKSUM(*)) FROM t",
	"SELECT 1/0; SELECT CAST('x' AS INT)",
	"WAITFOR DELAY '00:00:00.001'",
	"SELECT DATEADD(day, 1, GETDATE()), DATEDIFF(hour, '2020-01-01', SYSUTCDATETIME())",
	"SELECT TOP 1 * FROM (SELECT a FROM t UNION SELECT 5) d (a) ORDER BY a",
	"ALTER DATABASE master SET RECOVERY FULL",
	"KILL 1",
	"EXEC('SELECT 1')",
	"SELECT SUBSTRING('abc', -1, 2), LEFT('a', 5), REPLACE('', '', 'x'), CHARINDEX('', 'a')",
	"BEGIN TRY INSERT t VALUES (1, 'x'); INSERT t VALUES (1, 'y') END TRY BEGIN CATCH SELECT ERROR_NUMBER(), ERROR_LINE(); THROW; END CATCH",
	"SELECT a, ROW_NUMBER() OVER (PARTITION BY b ORDER BY a DESC), COUNT(*) OVER () FROM t",
	"CREATE TABLE #x (v INT); INSERT #x SELECT a FROM t; SELECT * FROM #x; DROP TABLE #x",
	"UPDATE x SET b = y.b FROM t x JOIN t y ON y.a = x.a + 1; DELETE t FROM t JOIN sys.tables s ON s.name = 't'",
	"SET IDENTITY_INSERT t ON; SET XACT_ABORT ON; SET NOCOUNT ON; SET LOCK_TIMEOUT 10",
	"CREATE UNIQUE INDEX ux ON t (b); SELECT name FROM sys.indexes",
}

// panicLog keeps the engine's "panic in session" log lines. The engine
// turns a panic into an internal error for the request (recoverPanic),
// which a fuzz target would otherwise take for an ordinary SQL error; the
// target fails on any line kept while it ran an input.
type panicLog struct {
	mu    sync.Mutex
	lines []string
}

func (p *panicLog) logf(format string, args ...any) {
	if strings.Contains(format, "panic") {
		p.mu.Lock()
		p.lines = append(p.lines, fmt.Sprintf(format, args...))
		p.mu.Unlock()
	}
}

// take returns the lines kept since the last take.
func (p *panicLog) take() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.lines
	p.lines = nil
	return l
}

func FuzzBatch(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	panics := &panicLog{}
	inst, err := newInstance(Config{Name: "FUZZ", SAPassword: "p", Logf: panics.logf})
	if err != nil {
		f.Fatal(err)
	}
	defer inst.Close()
	setup, err := inst.Login(context.Background(), LoginRequest{User: "sa", Password: "p"})
	if err != nil {
		f.Fatal(err)
	}
	mustRun(f, setup, "CREATE TABLE t (a INT PRIMARY KEY, b NVARCHAR(50))")
	f.Fuzz(func(t *testing.T, text string) {
		s, err := inst.Login(context.Background(), LoginRequest{User: "sa", Password: "p"})
		if err != nil {
			t.Skip("session limit")
		}
		defer s.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		r := &recorder{}
		done := make(chan error, 1)
		go func() { done <- s.Batch(ctx, text, r) }()
		select {
		case err = <-done:
		case <-time.After(5 * time.Second):
			t.Fatalf("batch %q hangs", text)
		}
		if p := panics.take(); len(p) > 0 {
			t.Fatalf("batch %q: %s", text, strings.Join(p, "\n"))
		}
		if err != nil && ctx.Err() == nil && err != ErrSessionKilled {
			t.Fatalf("batch %q: %v", text, err)
		}
		if err == nil && len(r.dones) == 0 {
			t.Fatalf("batch %q: no DONE", text)
		}
	})
}

// FuzzExecuteSQL drives sp_executesql's declaration parser and parameter
// binding with random declarations and values.
func FuzzExecuteSQL(f *testing.F) {
	f.Add("SELECT @a + 1", "@a int", "@a", "5")
	f.Add("SELECT @b", "@a int, @b nvarchar(10) OUTPUT", "@b", "x")
	f.Add("SELECT @d", "@d decimal(10, 2) = 1.5", "", "")
	f.Add("SELECT @t", "@t datetimeoffset(7)", "@t", "2020-01-01")
	f.Add("SELECT 1", "", "@zz", "1")
	f.Add("SELECT @x", "@x varchar(max) OUT, ", "@x", "y")
	panics := &panicLog{}
	inst, err := newInstance(Config{Name: "FUZZ", SAPassword: "p", Logf: panics.logf})
	if err != nil {
		f.Fatal(err)
	}
	defer inst.Close()
	s, err := inst.Login(context.Background(), LoginRequest{User: "sa", Password: "p"})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, stmt, decls, name, val string) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		r := &recorder{}
		call := RPCCall{Name: "sp_executesql", Params: []Param{
			{Type: sqltypes.NVarChar(4000), Value: stmt},
			{Type: sqltypes.NVarChar(4000), Value: decls},
			{Name: name, Type: sqltypes.NVarChar(100), Value: val, Output: strings.HasPrefix(name, "@x")},
		}}
		err := s.RPC(ctx, call, r)
		if p := panics.take(); len(p) > 0 {
			t.Fatalf("rpc %q %q: %s", stmt, decls, strings.Join(p, "\n"))
		}
		if err != nil && ctx.Err() == nil {
			t.Fatalf("rpc %q %q: %v", stmt, decls, err)
		}
		if err == nil && len(r.dones) == 0 {
			t.Fatalf("rpc %q %q: no DONE", stmt, decls)
		}
	})
}
