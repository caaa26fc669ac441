package engine

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

const (
	txActive int32 = iota
	txCommitted
	txAborted
)

// Tx is one transaction: an explicit BEGIN TRAN or the implicit transaction
// of an autocommit statement. Its changes are applied to the shared tables
// at once, as invisible versions, and recorded twice: as undo steps (for
// statement and transaction rollback) and as encoded log operations per
// database (written to that database's log at commit).
type Tx struct {
	id    uint64
	state atomic.Int32
	done  chan struct{}
	sess  *Session

	mu      sync.Mutex
	waiting *Tx // the transaction this one waits for (deadlock detection)

	undo []undoStep
	work map[*Database]*dbWork
	dbs  []*Database // in first-touch order
}

type dbWork struct {
	ops []byte // encoded log operations
}

type undoStep struct {
	db     *Database
	opsN   int
	fn     func() // undo, run under db.mu
	commit func() // cleanup after a durable commit, run under db.mu
}

// State returns txActive, txCommitted or txAborted.
func (t *Tx) State() int32 { return t.state.Load() }

func newTx(s *Session) *Tx {
	return &Tx{id: s.inst.txSeq.Add(1), done: make(chan struct{}), sess: s, work: map[*Database]*dbWork{}}
}

// touch returns the per-database work of t, creating it.
func (t *Tx) touch(db *Database) *dbWork {
	w := t.work[db]
	if w == nil {
		w = &dbWork{}
		t.work[db] = w
		t.dbs = append(t.dbs, db)
	}
	return w
}

// record adds an encoded log operation and its undo step. The caller holds
// db.mu.
func (t *Tx) record(db *Database, op []byte, undo, commit func()) {
	w := t.touch(db)
	n := len(w.ops)
	w.ops = append(w.ops, op...)
	t.undo = append(t.undo, undoStep{db: db, opsN: n, fn: undo, commit: commit})
}

// savepoint marks the current position for statement rollback.
func (t *Tx) savepoint() int { return len(t.undo) }

// rollbackTo undoes every step after sp, newest first.
func (t *Tx) rollbackTo(sp int) {
	for i := len(t.undo) - 1; i >= sp; i-- {
		u := t.undo[i]
		u.db.mu.Lock()
		if u.fn != nil {
			u.fn()
		}
		u.db.mu.Unlock()
		if w := t.work[u.db]; w != nil {
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

// waitFor blocks until other ends, failing with 1205 when waiting would
// close a cycle (a deadlock SQL Server would break by choosing a victim: we
// choose the waiter).
func (t *Tx) waitFor(ctx context.Context, other *Tx) error {
	if other == t {
		return nil
	}
	// Cycle check: follow the chain of waits from other.
	seen := 0
	for x := other; x != nil && seen < 1000; seen++ {
		if x == t {
			return errDeadlock(t)
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
	if t.sess != nil && t.sess.opts.LockTimeout >= 0 {
		tm := time.NewTimer(time.Duration(t.sess.opts.LockTimeout) * time.Millisecond)
		defer tm.Stop()
		timeout = tm.C
	}
	select {
	case <-other.done:
		return nil
	case <-timeout:
		return newErr(1222)
	case <-ctx.Done():
		return ctx.Err()
	}
}

// conflictError is returned by row operations that met another active
// transaction's change: the caller releases its locks, waits, and retries.
type conflictError struct{ other *Tx }

func (c *conflictError) Error() string { return "engine: row held by another transaction" }
