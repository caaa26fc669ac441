// Package rowstore holds the simulator's transactions over its row
// versions: a transaction's state, its undo log with savepoints, the log
// operations it owes each database, its durable commit, and waiting for
// another transaction (with SQL Server's deadlock and lock-timeout
// errors, 1205 and 1222).
//
// It knows no instance, no session and no SQL: a database is a Store (the
// lock its changes are undone under, the gate that orders commits against
// checkpoints, the function that writes its log), and a change is an
// encoded log operation with the steps that undo it or clean up after its
// commit. The engine (sim/mssql/engine) owns the tables and calls Record
// for every change it makes.
//
// It also holds the rules over a row version (version.go: who sees it,
// whom a change to it waits for, its key in a unique index and the
// duplicate key errors) and over a table's identity counter
// (identity.go), as functions of plain values: the versions and key maps
// are the engine's, whose checkpoints, recovery and on-disk segments read
// them directly.
package rowstore

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pchatdr/harness/sqlerr"
)

// A transaction's states.
const (
	Active int32 = iota
	Committed
	Aborted
)

// Store is one database as transactions see it. Its lock guards the rows
// of its tables: undo and commit steps run under it. Its gate is held
// shared by a commit from its log append until its versions are published,
// so a checkpoint that holds it exclusively sees whole commits only.
type Store struct {
	mu   *sync.RWMutex
	gate *sync.RWMutex
	log  func(ctx context.Context, ops []byte) error
}

// NewStore is the store of a database whose rows mu guards, whose commits
// gate orders, and whose log log appends a committing transaction's
// operations to, durably, as one record (nil: the database is not
// durable). log's error is the commit's, as it is.
func NewStore(mu, gate *sync.RWMutex, log func(ctx context.Context, ops []byte) error) *Store {
	return &Store{mu: mu, gate: gate, log: log}
}

// Tx is one transaction: an explicit BEGIN TRAN or the implicit transaction
// of an autocommit statement. Its changes are applied to the shared tables
// at once, as invisible versions, and recorded twice: as undo steps (for
// statement and transaction rollback) and as encoded log operations per
// store (written to that store's log at commit).
type Tx struct {
	id          uint64
	spid        int
	lockTimeout func() time.Duration
	state       atomic.Int32
	done        chan struct{}

	mu      sync.Mutex
	waiting *Tx // the transaction this one waits for (deadlock detection)

	undo   []undoStep
	work   map[*Store]*work
	stores []*Store // in first-touch order

	onRollback func() // after every rollback (OnRollback)
}

type work struct {
	ops []byte // encoded log operations
}

type undoStep struct {
	st     *Store
	opsN   int
	fn     func() // undo, run under the store's lock
	commit func() // cleanup after a durable commit, run under the store's lock
}

// NewTx is a transaction numbered id (the transaction descriptor SQL
// Server reports) of session spid (1205 names it). lockTimeout is how long
// WaitFor waits, negative for ever; it is asked at each wait, as SET
// LOCK_TIMEOUT may change it during the transaction (nil: for ever).
func NewTx(id uint64, spid int, lockTimeout func() time.Duration) *Tx {
	return &Tx{id: id, spid: spid, lockTimeout: lockTimeout, done: make(chan struct{}), work: map[*Store]*work{}}
}

// ID is the transaction's number.
func (t *Tx) ID() uint64 { return t.id }

// State returns Active, Committed or Aborted.
func (t *Tx) State() int32 { return t.state.Load() }

// Record adds an encoded log operation of st and the steps that undo it
// (rollback) and clean up after it (once durably committed); either may be
// nil. The caller holds st's lock.
func (t *Tx) Record(st *Store, op []byte, undo, commit func()) {
	w := t.work[st]
	if w == nil {
		w = &work{}
		t.work[st] = w
		t.stores = append(t.stores, st)
	}
	n := len(w.ops)
	w.ops = append(w.ops, op...)
	t.undo = append(t.undo, undoStep{st: st, opsN: n, fn: undo, commit: commit})
}

// Savepoint marks the current position for statement rollback (and SAVE
// TRANSACTION).
func (t *Tx) Savepoint() int { return len(t.undo) }

// OnRollback makes fn run after every rollback of t, whole or to a
// savepoint, once the undo steps ran and outside every store's lock: the
// engine logs there what a rollback does not give back (the identity
// values the undone inserts took). Not after the rollback of a failed
// commit, which holds the stores' gates and whose log just failed.
func (t *Tx) OnRollback(fn func()) { t.onRollback = fn }

// RollbackTo undoes every step after sp, newest first, and forgets their
// log operations.
func (t *Tx) RollbackTo(sp int) {
	t.undoTo(sp)
	if t.onRollback != nil {
		t.onRollback()
	}
}

func (t *Tx) undoTo(sp int) {
	for i := len(t.undo) - 1; i >= sp; i-- {
		u := t.undo[i]
		u.st.mu.Lock()
		if u.fn != nil {
			u.fn()
		}
		u.st.mu.Unlock()
		if w := t.work[u.st]; w != nil {
			w.ops = w.ops[:u.opsN]
		}
	}
	t.undo = t.undo[:sp]
}

// finish ends t in state st and wakes its waiters.
func (t *Tx) finish(st int32) {
	t.state.Store(st)
	close(t.done)
}

// WaitFor blocks until other ends, failing with 1205 when waiting would
// close a cycle (a deadlock SQL Server would break by choosing a victim: we
// choose the waiter), with 1222 when the lock timeout passes first, or
// with ctx's error.
func (t *Tx) WaitFor(ctx context.Context, other *Tx) error {
	if other == t {
		return nil
	}
	select {
	case <-other.done:
		// Ended before the wait began: nothing to wait for, whatever the
		// lock timeout (a zero timer would otherwise race the closed
		// channel and fail half of the time with 1222).
		return nil
	default:
	}
	// Cycle check: follow the chain of waits from other.
	seen := 0
	for x := other; x != nil && seen < 1000; seen++ {
		if x == t {
			return sqlerr.New(sqlerr.Deadlock, t.spid, "lock")
		}
		x.mu.Lock()
		nx := x.waiting
		x.mu.Unlock()
		x = nx
	}
	t.mu.Lock()
	t.waiting = other
	t.mu.Unlock()
	defer func() {
		t.mu.Lock()
		t.waiting = nil
		t.mu.Unlock()
	}()
	var timeout <-chan time.Time
	if t.lockTimeout != nil {
		if d := t.lockTimeout(); d >= 0 {
			tm := time.NewTimer(d)
			defer tm.Stop()
			timeout = tm.C
		}
	}
	select {
	case <-other.done:
		return nil
	case <-timeout:
		return sqlerr.New(sqlerr.LockTimeout)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// AwaitConflict handles the error of a change t made: when it is a
// *ConflictError, AwaitConflict waits for the transaction holding the row
// (WaitFor) and reports true, for the caller to undo its change and run it
// again; otherwise, or when the wait fails, it reports false and the error
// to return (err itself, or the wait's).
func (t *Tx) AwaitConflict(ctx context.Context, err error) (retry bool, _ error) {
	var ce *ConflictError
	if !errors.As(err, &ce) {
		return false, err
	}
	if werr := t.WaitFor(ctx, ce.Other); werr != nil {
		return false, werr
	}
	return true, nil
}

// ConflictError is returned by a change that met another active
// transaction's change: the caller undoes its statement, waits for Other
// (WaitFor) and runs the statement again, as SQL Server's lock wait would.
type ConflictError struct{ Other *Tx }

func (c *ConflictError) Error() string { return "rowstore: row held by another transaction" }
