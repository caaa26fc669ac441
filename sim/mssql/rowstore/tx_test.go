package rowstore

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pchatdr/harness/sqlerr"
)

// testStore is a store with its lock and gate, whose log keeps the records
// it was given (or fails with fail).
type testStore struct {
	mu, gate sync.RWMutex
	records  [][]byte
	fail     error
	st       *Store
}

func newTestStore() *testStore {
	s := &testStore{}
	s.st = NewStore(&s.mu, &s.gate, func(_ context.Context, ops []byte) error {
		if s.fail != nil {
			return s.fail
		}
		s.records = append(s.records, append([]byte(nil), ops...))
		return nil
	})
	return s
}

// change records op on st for tx: it appends op to *log now, and the undo
// step takes it off again.
func change(tx *Tx, s *testStore, log *[]string, op string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	*log = append(*log, op)
	n := len(*log) - 1
	tx.Record(s.st, []byte(op), func() { *log = (*log)[:n] }, nil)
}

func TestRollbackToSavepointUndoesOnlyLaterSteps(t *testing.T) {
	s := newTestStore()
	tx := NewTx(1, 51, nil)
	var applied []string
	change(tx, s, &applied, "a")
	sp := tx.Savepoint()
	change(tx, s, &applied, "b")
	change(tx, s, &applied, "c")
	tx.RollbackTo(sp)
	if got := len(applied); got != 1 || applied[0] != "a" {
		t.Fatalf("after RollbackTo(savepoint) the changes are %q, want [a]", applied)
	}
	change(tx, s, &applied, "d")
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(s.records) != 1 || string(s.records[0]) != "ad" {
		t.Fatalf("the log got %q, want one record \"ad\" (the rolled-back operations left out)", s.records)
	}
	if tx.State() != Committed {
		t.Fatalf("state %d after Commit, want Committed", tx.State())
	}
}

func TestCommitRunsCleanupOnceAndRollbackUndoesAll(t *testing.T) {
	s := newTestStore()
	tx := NewTx(1, 51, nil)
	cleaned := 0
	s.mu.Lock()
	tx.Record(s.st, []byte("x"), func() { t.Error("a committed step was undone") }, func() { cleaned++ })
	s.mu.Unlock()
	if err := tx.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	tx.Rollback() // no effect once committed
	if cleaned != 1 {
		t.Fatalf("commit cleanup ran %d times, want 1", cleaned)
	}

	tx2 := NewTx(2, 51, nil)
	var applied []string
	change(tx2, s, &applied, "a")
	change(tx2, s, &applied, "b")
	tx2.Rollback()
	if len(applied) != 0 || tx2.State() != Aborted {
		t.Fatalf("after Rollback: changes %q, state %d; want none, Aborted", applied, tx2.State())
	}
	if len(s.records) != 1 {
		t.Fatalf("the log has %d records, want only the first transaction's", len(s.records))
	}
}

func TestFailedLogAppendAbortsAndUndoes(t *testing.T) {
	s := newTestStore()
	s.fail = errors.New("disk full")
	tx := NewTx(1, 51, nil)
	var applied []string
	change(tx, s, &applied, "a")
	err := tx.Commit(context.Background())
	if !errors.Is(err, s.fail) {
		t.Fatalf("Commit = %v, want the log's error", err)
	}
	if len(applied) != 0 || tx.State() != Aborted {
		t.Fatalf("after a failed commit: changes %q, state %d; want none, Aborted", applied, tx.State())
	}
}

func TestWaitForEndsWhenTheOtherCommits(t *testing.T) {
	s := newTestStore()
	holder, waiter := NewTx(1, 51, nil), NewTx(2, 52, nil)
	var applied []string
	change(holder, s, &applied, "a")
	errc := make(chan error, 1)
	go func() { errc <- waiter.WaitFor(context.Background(), holder) }()
	select {
	case err := <-errc:
		t.Fatalf("WaitFor returned %v before the holder ended", err)
	case <-time.After(20 * time.Millisecond):
	}
	if err := holder.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("WaitFor = %v after the holder committed", err)
	}
}

func TestWaitForCycleIs1205(t *testing.T) {
	a, b := NewTx(1, 51, nil), NewTx(2, 52, nil)
	// A generous guard, so that a missed cycle fails instead of hanging.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- a.WaitFor(ctx, b) }()
	// Wait until a is registered as waiting for b.
	for {
		a.mu.Lock()
		w := a.waiting
		a.mu.Unlock()
		if w == b {
			break
		}
		time.Sleep(time.Millisecond)
	}
	err := b.WaitFor(ctx, a)
	var se *sqlerr.Error
	if !errors.As(err, &se) || se.Number != sqlerr.Deadlock {
		t.Fatalf("the wait that closes a cycle = %v, want 1205", err)
	}
	if want := "Transaction (Process ID 52)"; !strings.Contains(se.Message, want) {
		t.Fatalf("1205 says %q, want it to name the waiter (%q)", se.Message, want)
	}
	b.Rollback()
	if err := <-errc; err != nil {
		t.Fatalf("the first waiter got %v after the victim rolled back", err)
	}
}

func TestWaitForLockTimeoutIs1222(t *testing.T) {
	holder := NewTx(1, 51, nil)
	waiter := NewTx(2, 52, func() time.Duration { return 0 })
	err := waiter.WaitFor(context.Background(), holder)
	var se *sqlerr.Error
	if !errors.As(err, &se) || se.Number != sqlerr.LockTimeout {
		t.Fatalf("WaitFor with LOCK_TIMEOUT 0 = %v, want 1222", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	forever := NewTx(3, 53, func() time.Duration { return -1 })
	if err := forever.WaitFor(ctx, holder); !errors.Is(err, context.Canceled) {
		t.Fatalf("WaitFor with a cancelled context = %v, want context.Canceled", err)
	}
}

func TestAwaitConflict(t *testing.T) {
	ctx := context.Background()
	tx := NewTx(1, 51, func() time.Duration { return 0 })
	other := errors.New("2627")
	if retry, err := tx.AwaitConflict(ctx, other); retry || err != other {
		t.Fatalf("AwaitConflict(another error) = %v, %v; want false and the error as it is", retry, err)
	}
	if retry, err := tx.AwaitConflict(ctx, nil); retry || err != nil {
		t.Fatalf("AwaitConflict(nil) = %v, %v; want false, nil", retry, err)
	}
	ended := NewTx(2, 52, nil)
	ended.Rollback()
	if retry, err := NewTx(4, 51, nil).AwaitConflict(ctx, &ConflictError{Other: ended}); !retry || err != nil {
		t.Fatalf("AwaitConflict(a conflict with an ended transaction) = %v, %v; want true, nil (run again)", retry, err)
	}
	active := NewTx(3, 53, nil)
	var se *sqlerr.Error
	if retry, err := tx.AwaitConflict(ctx, &ConflictError{Other: active}); retry || !errors.As(err, &se) || se.Number != sqlerr.LockTimeout {
		t.Fatalf("AwaitConflict with LOCK_TIMEOUT 0 on an active holder = %v, %v; want false and 1222", retry, err)
	}
}

// TestWaitForAnEndedTransactionNeverTimesOut: the holder a change met may
// end before the change waits for it. Under SET LOCK_TIMEOUT 0 the wait
// must then succeed (SQL Server grants a free lock at once), not race the
// zero timer and fail with 1222 half of the time.
func TestWaitForAnEndedTransactionNeverTimesOut(t *testing.T) {
	waiter := NewTx(1, 51, func() time.Duration { return 0 })
	for i := 0; i < 100; i++ {
		holder := NewTx(uint64(2+i), 52, nil)
		if i%2 == 0 {
			holder.Rollback()
		} else if err := holder.Commit(context.Background()); err != nil {
			t.Fatal(err)
		}
		if err := waiter.WaitFor(context.Background(), holder); err != nil {
			t.Fatalf("wait %d for a transaction that has ended, under LOCK_TIMEOUT 0: %v", i, err)
		}
	}
}
