package mssql_test

import (
	"context"
	"database/sql"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/mssql"
	"github.com/pchatdr/harness/sim/mssql/engine"
)

// BenchmarkSelect1VsEcho measures a SELECT 1 round trip through go-mssqldb
// next to a bare TCP echo round trip of a similar size on loopback, in the
// same run, and reports their ratio (goal: within 3x).
func BenchmarkSelect1VsEcho(b *testing.B) {
	ctx := context.Background()
	srv := startServer(b, "")
	db := openDB(b, srv, "master")
	db.SetMaxOpenConns(1)
	var n int
	if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&n); err != nil {
		b.Fatal(err)
	}
	echoAddr, stopEcho := startEcho(b)
	defer stopEcho()
	conn, err := net.Dial("tcp", echoAddr)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	// A SELECT 1 batch is about 46 bytes out and 50 back.
	msg := make([]byte, 48)
	buf := make([]byte, len(msg))

	b.ResetTimer()
	var echoTime, sqlTime time.Duration
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		if _, err := conn.Write(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(conn, buf); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		if err := db.QueryRowContext(ctx, "SELECT 1").Scan(&n); err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		echoTime += t1.Sub(t0)
		sqlTime += t2.Sub(t1)
	}
	b.StopTimer()
	b.ReportMetric(float64(echoTime.Nanoseconds())/float64(b.N), "echo-ns/op")
	b.ReportMetric(float64(sqlTime.Nanoseconds())/float64(b.N), "select1-ns/op")
	b.ReportMetric(float64(sqlTime)/float64(echoTime), "ratio")
}

func startEcho(b *testing.B) (string, func()) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer c.Close()
				io.Copy(c, c)
			}()
		}
	}()
	return ln.Addr().String(), func() { ln.Close(); wg.Wait() }
}

// BenchmarkInsertDurable8Conns: parameterized single-row INSERTs over 8
// connections with durable (fsynced) commits. Goal: >= 20,000 inserts/s.
func BenchmarkInsertDurable8Conns(b *testing.B) {
	b.ReportMetric(insert8Conns(b, startServer(b, b.TempDir())), "inserts/s")
}

// BenchmarkInsertNoSync8Conns and BenchmarkInsertMemory8Conns take the
// durable benchmark apart: the same inserts with the log written but never
// flushed, and with no log at all. Beside BenchmarkFloorRPC8Conns they show
// where a durable insert's time goes on the machine at hand.
func BenchmarkInsertNoSync8Conns(b *testing.B) {
	srv, err := mssql.Start(mssql.Config{Engine: engine.Config{Name: "SIMSQL", DataDir: b.TempDir(), SAPassword: testPassword, NoSync: true}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { srv.Close() })
	b.ReportMetric(insert8Conns(b, srv), "inserts/s")
}

func BenchmarkInsertMemory8Conns(b *testing.B) {
	b.ReportMetric(insert8Conns(b, startServer(b, "")), "inserts/s")
}

// insert8Conns creates the chat-message table and runs the single-row
// parameterized INSERT over 8 connections (closedLoop8).
func insert8Conns(b *testing.B, srv *mssql.Server) float64 {
	ctx := context.Background()
	db := openDB(b, srv, "master")
	for _, q := range []string{
		"CREATE DATABASE bench",
		"CREATE TABLE bench.dbo.msg (id bigint NOT NULL PRIMARY KEY, channel int NOT NULL, body nvarchar(200) NOT NULL)",
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	return closedLoop8(b, db, "INSERT bench.dbo.msg (id, channel, body) VALUES (@p1, @p2, @p3)")
}

// BenchmarkStartInstance: an in-process instance, listening, ready for a
// login (goal: under 50 ms).
func BenchmarkStartInstance(b *testing.B) {
	for _, durable := range []bool{false, true} {
		name := "memory"
		if durable {
			name = "datadir"
		}
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				dir := ""
				if durable {
					dir = b.TempDir()
				}
				srv, err := mssql.Start(mssql.Config{Engine: engine.Config{Name: "B", DataDir: dir, SAPassword: testPassword}})
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				srv.Close()
				b.StartTimer()
			}
		})
	}
}

// BenchmarkFloorRPC8Conns is the durable-insert benchmark's floor: the
// same parameterized RPC over 8 connections through go-mssqldb, with a
// statement that touches no table and writes no log. Whatever this
// reaches, durable inserts cannot beat on the same machine: it is the
// client library's, the kernel's loopback TCP and the server's request
// path cost, without the insert and the fsync.
func BenchmarkFloorRPC8Conns(b *testing.B) {
	srv := startServer(b, b.TempDir())
	db := openDB(b, srv, "master")
	b.ReportMetric(closedLoop8(b, db, "DECLARE @x bigint = @p1, @y int = @p2, @z nvarchar(200) = @p3"), "rpcs/s")
}

// closedLoop8 runs b.N executions of query with a chat message's three
// parameters over 8 connections, each sending its next as soon as the
// last is answered, and returns executions per second.
func closedLoop8(b *testing.B, db *sql.DB, query string) float64 {
	ctx := context.Background()
	const conns = 8
	db.SetMaxOpenConns(conns)
	db.SetMaxIdleConns(conns)
	var next atomic.Int64
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	per := b.N/conns + 1
	errs := make(chan error, conns)
	for c := 0; c < conns; c++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < per; i++ {
				id := next.Add(1)
				if _, err := db.ExecContext(ctx, query, id, id%16, "a chat message of a typical length for a persistent chat room"); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return float64(next.Load()) / elapsed.Seconds()
}
