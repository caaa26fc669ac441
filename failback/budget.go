package failback

import (
	"context"
	"fmt"
	"time"

	"github.com/pchatdr/harness/failback/topology"
)

// Budgets of the steps that move mgc (issue 12, defect 7). A fixed budget
// (two hours, cancelled when spent) aborted a running BACKUP or RESTORE of
// a large mgc, throwing the work away in the middle of the outage; one
// that is generous everywhere says nothing. A step's budget comes from the
// database size over the topology's throughput (backups.throughputMBps),
// with a margin (backups.budgetFactor). Past it the engine warns, once, as
// an event and a CLI line; it never cancels the running statement.

// Budget is what a step may take before the engine warns.
type Budget struct {
	Bytes    int64         // data the step moves (full backups and restores of mgc)
	Copy     int64         // data one of its BACKUP or RESTORE statements moves
	Duration time.Duration // Bytes at the throughput, times the factor
	Why      string        // how it was computed, for the journal
}

// BudgetFor is the budget of moving bytes with the backups section's
// throughput and factor.
func BudgetFor(bytes int64, b topology.Backups) Budget {
	mb := float64(bytes) / (1 << 20)
	secs := mb / b.Throughput() * b.Factor()
	return Budget{Bytes: bytes, Copy: bytes, Duration: time.Duration(secs * float64(time.Second)),
		Why: fmt.Sprintf("%.1f MB at %g MB/s, times %g", mb, b.Throughput(), b.Factor())}
}

// sizeBudget budgets a step that moves the backup mgc copies times (a
// full backup and a restore each read or write it once).
func sizeBudget(copies int) func(ctx context.Context, e *Env) (Budget, error) {
	return func(ctx context.Context, e *Env) (Budget, error) {
		n, err := e.Backup.DatabaseSize(ctx, DBContent)
		if err != nil {
			return Budget{}, fmt.Errorf("size of the backup mgc for the step's budget: %w", err)
		}
		b := BudgetFor(n*int64(copies), e.Topo.Backups)
		b.Copy = n
		if copies > 1 {
			b.Why = fmt.Sprintf("%d copies of mgc: %s", copies, b.Why)
		}
		return b, nil
	}
}
