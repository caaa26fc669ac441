package sqlserver

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/golang-sql/sqlexp"
	mssql "github.com/microsoft/go-mssqldb"
)

// Message is one INFO message the server sent while a statement ran
// (class <= 10): "10 percent processed." (3211), "Processed N pages ..."
// (4035), "BACKUP DATABASE successfully processed ..." (3014), "The backup
// set on file 1 is valid." (3262).
type Message struct {
	Number int32
	State  uint8
	Class  uint8
	Text   string
}

// Statement is one statement as the observer sees it.
type Statement struct {
	Server       string // the Config.Address (or label) it ran on
	Kind         string // "exec" or "query"
	Text         string // exact text sent; holds no password
	Start        time.Time
	Duration     time.Duration
	RowsAffected int64 // exec: rows affected; query: rows read
	Messages     []Message
	Err          error
}

// Observer receives every statement after it finished, failed or not. It is
// called on the goroutine that ran the statement.
type Observer func(Statement)

// DB is a connection pool to one instance that records every statement.
type DB struct {
	sql      *sql.DB
	server   string
	observer Observer
	now      func() time.Time
}

// Open connects to cfg and pings, so a bad address, login or certificate is
// reported here rather than at the first step.
func Open(ctx context.Context, cfg Config) (*DB, error) {
	dsn, err := cfg.DSN()
	if err != nil {
		return nil, err
	}
	conn, err := mssql.NewConnector(dsn)
	if err != nil {
		// The parser's message never includes the password.
		return nil, fmt.Errorf("sqlserver open %s: %w", cfg.Address, err)
	}
	db := sql.OpenDB(conn)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlserver connect %s: %w", cfg.Address, err)
	}
	return &DB{sql: db, server: cfg.Address}, nil
}

// OpenDB wraps an existing pool (any driver; INFO messages are collected only
// with go-mssqldb). server labels the statements.
func OpenDB(db *sql.DB, server string) *DB {
	return &DB{sql: db, server: server}
}

// WithObserver returns a DB sharing the same pool whose statements go to o,
// so each engine step can attach its own journal.
func (d *DB) WithObserver(o Observer) *DB {
	c := *d
	c.observer = o
	return &c
}

// Server is the address or label statements are reported under.
func (d *DB) Server() string { return d.server }

// SQL is the underlying pool, for callers that need database/sql directly.
// Statements run through it are not observed.
func (d *DB) SQL() *sql.DB { return d.sql }

// Close closes the pool.
func (d *DB) Close() error { return d.sql.Close() }

func (d *DB) clock() time.Time {
	if d.now != nil {
		return d.now()
	}
	return time.Now()
}

func (d *DB) emit(st Statement) {
	if d.observer != nil {
		d.observer(st)
	}
}

// ExecResult is what Exec reports besides the error.
type ExecResult struct {
	RowsAffected int64
	Messages     []Message
}

// Exec runs a statement that returns no rows: BACKUP, RESTORE, ALTER
// DATABASE, procedure calls. It uses Exec, not Query, because go-mssqldb
// v1.11.2's Query can leave a connection hung after an error that is
// followed by more tokens (go-mssqldb issue #407), and a failed RESTORE is
// exactly that. The server's INFO messages come back in the result and the
// observer's event, with their numbers.
func (d *DB) Exec(ctx context.Context, query string) (ExecResult, error) {
	start, t0 := d.clock(), time.Now()
	res, err := d.exec(ctx, query)
	if err != nil {
		err = fmt.Errorf("sqlserver %s: %w", d.server, err)
	}
	d.emit(Statement{Server: d.server, Kind: "exec", Text: query, Start: start, Duration: time.Since(t0),
		RowsAffected: res.RowsAffected, Messages: res.Messages, Err: err})
	return res, err
}

// sentinel marks the end of a statement's messages in the queue.
type sentinel struct{}

type messagesKey struct{}

// WithMessages returns a context whose Exec hands each INFO message to fn
// as the server sends it, while the statement still runs: BACKUP and
// RESTORE report "N percent processed." (3211) per STATS step, which is
// how a caller shows live progress of an hours-long statement. fn runs on
// the goroutine that drains the driver's message queue, before the message
// is added to the result; it must not block.
func WithMessages(ctx context.Context, fn func(Message)) context.Context {
	return context.WithValue(ctx, messagesKey{}, fn)
}

func messagesFn(ctx context.Context) func(Message) {
	fn, _ := ctx.Value(messagesKey{}).(func(Message))
	return fn
}

// exec runs query on one connection with a sqlexp.ReturnMessage attached.
//
// Why this route: go-mssqldb hands INFO tokens to the caller either through
// a process-wide logger (text only, no numbers, and global state shared by
// every pool in the process) or through sqlexp.ReturnMessage. The latter is
// per statement and keeps the numbers, but the driver initialises the queue
// inside CheckNamedValue and its reader blocks when the 15-slot queue is
// full, so someone must drain it while Exec runs. Going through the raw
// driver connection lets us initialise the queue on this goroutine before
// the drainer starts (no data race), and a sentinel enqueued after Exec
// returns tells the drainer it has seen every message.
func (d *DB) exec(ctx context.Context, query string) (ExecResult, error) {
	conn, err := d.sql.Conn(ctx)
	if err != nil {
		return ExecResult{}, err
	}
	defer conn.Close()
	var out ExecResult
	err = conn.Raw(func(dc any) error {
		mc, ok := dc.(*mssql.Conn)
		if !ok {
			return errNotMSSQL
		}
		var rerr error
		out, rerr = execWithMessages(ctx, mc, query)
		return rerr
	})
	if errors.Is(err, errNotMSSQL) {
		r, err := conn.ExecContext(ctx, query)
		if err != nil {
			return ExecResult{}, err
		}
		n, _ := r.RowsAffected()
		return ExecResult{RowsAffected: n}, nil
	}
	return out, err
}

var errNotMSSQL = errors.New("driver connection is not go-mssqldb")

func execWithMessages(ctx context.Context, mc *mssql.Conn, query string) (ExecResult, error) {
	stmt, err := mc.PrepareContext(ctx, query)
	if err != nil {
		return ExecResult{}, err
	}
	defer stmt.Close()
	se, ok := stmt.(driver.StmtExecContext)
	if !ok {
		return ExecResult{}, fmt.Errorf("go-mssqldb statement has no ExecContext")
	}
	var rm sqlexp.ReturnMessage
	if err := mc.CheckNamedValue(&driver.NamedValue{Ordinal: 1, Value: &rm}); !errors.Is(err, driver.ErrRemoveArgument) {
		return ExecResult{}, fmt.Errorf("attach message queue: %v", err)
	}
	execCtx, cancelExec := context.WithCancel(ctx)
	defer cancelExec()
	drainCtx, stopDrain := context.WithCancel(context.Background())
	defer stopDrain()

	var msgs []Message
	live := messagesFn(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			m := rm.Message(drainCtx)
			if drainCtx.Err() != nil {
				return
			}
			switch v := m.(type) {
			case sentinel:
				return
			case sqlexp.MsgNotice:
				var m Message
				if e, ok := v.Message.(mssql.Error); ok {
					m = Message{Number: e.Number, State: e.State, Class: e.Class, Text: e.Message}
				} else if v.Message != nil {
					m = Message{Text: v.Message.String()}
				} else {
					continue
				}
				if live != nil {
					live(m)
				}
				msgs = append(msgs, m)
			}
		}
	}()
	res, err := se.ExecContext(execCtx, nil)
	// Every message the reader enqueued before Exec returned is ahead of
	// the sentinel. Stragglers after an early error return are dropped:
	// cancelExec makes their enqueue give up instead of blocking.
	cancelExec()
	if qerr := sqlexp.ReturnMessageEnqueue(drainCtx, &rm, sentinel{}); qerr != nil {
		stopDrain()
	}
	wg.Wait()
	out := ExecResult{Messages: msgs}
	if err != nil {
		return out, err
	}
	out.RowsAffected, _ = res.RowsAffected()
	return out, nil
}

// Query runs a statement that returns one result set and calls scanRow for
// each row (scanRow calls rows.Scan). The rows are always closed. Use it for
// catalog reads, not for BACKUP/RESTORE (see Exec).
func (d *DB) Query(ctx context.Context, query string, scanRow func(*sql.Rows) error) error {
	start, t0 := d.clock(), time.Now()
	var n int64
	err := func() error {
		rows, err := d.sql.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			n++
			if err := scanRow(rows); err != nil {
				return fmt.Errorf("row %d: %w", n, err)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return rows.Close()
	}()
	if err != nil {
		err = fmt.Errorf("sqlserver %s: %w", d.server, err)
	}
	d.emit(Statement{Server: d.server, Kind: "query", Text: query, Start: start, Duration: time.Since(t0), RowsAffected: n, Err: err})
	return err
}
