package lab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/fakes/lync/pool"
	"github.com/pchatdr/harness/loadtest"
)

// Phases of the acknowledged messages, by when they were acknowledged
// relative to the failback the operator ran: before its step 1 cleared the
// active list, while it ran (until the pool was Normal), after.
const (
	Before = iota
	During
	After
	phases
)

var phaseNames = [phases]string{"before", "during", "after"}

// CheckResult is what a check of the lab's chat history found.
type CheckResult struct {
	PoolState     string   `json:"poolState"`
	ActiveServers []string `json:"activeServers"`
	// Instance is the topology name of the instance whose mgc was checked:
	// the one the pool's state selects (primary when Normal, backup when
	// FailedOver).
	Instance string `json:"instance"`
	// FailbackStarted and FailbackEnded bound the failback the operator
	// ran (the active list cleared; the pool Normal again); zero when not
	// seen (yet).
	FailbackStarted time.Time `json:"failbackStarted,omitzero"`
	FailbackEnded   time.Time `json:"failbackEnded,omitzero"`
	// Acknowledged and Lost count messages per phase (Before, During,
	// After); Stored is what mgc holds.
	Acknowledged [phases]int `json:"acknowledged"`
	Lost         [phases]int `json:"lost"`
	Stored       int         `json:"stored"`
	Duplicated   int         `json:"duplicated"`
	// Phantom messages are stored but were never acknowledged (a post
	// whose commit's answer never reached its server): not a loss.
	Phantom int `json:"phantom"`
	// FirstLost names a few lost messages (msgId, server, time).
	FirstLost []string `json:"firstLost,omitempty"`
	Traffic   Traffic  `json:"traffic"`
}

// Traffic is what the lab's chat traffic did.
type Traffic struct {
	Rate         float64 `json:"rate"`
	Attempted    int     `json:"attempted"`
	Acknowledged int     `json:"acknowledged"`
	Refused      int     `json:"refused"`
	Failed       int     `json:"failed"`
	Errors       []string
}

// TotalAcknowledged is the number of acknowledged messages of every phase.
func (r CheckResult) TotalAcknowledged() int {
	return r.Acknowledged[Before] + r.Acknowledged[During] + r.Acknowledged[After]
}

// TotalLost is the number of acknowledged messages missing from mgc.
func (r CheckResult) TotalLost() int { return r.Lost[Before] + r.Lost[During] + r.Lost[After] }

// OK reports that mgc holds every acknowledged message exactly once.
func (r CheckResult) OK() bool { return r.TotalLost() == 0 && r.Duplicated == 0 }

// Write prints the result as `make lab-check` shows it.
func (r CheckResult) Write(w io.Writer) {
	fmt.Fprintf(w, "lab check: pool %s, active servers %s; checked mgc on %s\n", r.PoolState, strings.Join(r.ActiveServers, " "), r.Instance)
	switch {
	case r.FailbackStarted.IsZero():
		fmt.Fprintf(w, "failback: not run yet (every message counts as before it)\n")
	case r.FailbackEnded.IsZero():
		fmt.Fprintf(w, "failback: started %s (active list cleared), the pool is not Normal yet\n", r.FailbackStarted.UTC().Format(time.RFC3339))
	default:
		fmt.Fprintf(w, "failback: active list cleared %s, pool Normal %s (%s)\n", r.FailbackStarted.UTC().Format(time.RFC3339),
			r.FailbackEnded.UTC().Format(time.RFC3339), r.FailbackEnded.Sub(r.FailbackStarted).Round(time.Millisecond))
	}
	fmt.Fprintf(w, "acknowledged: %d (before the failback %d, during %d, after %d)\n",
		r.TotalAcknowledged(), r.Acknowledged[Before], r.Acknowledged[During], r.Acknowledged[After])
	fmt.Fprintf(w, "stored in mgc: %d\n", r.Stored)
	fmt.Fprintf(w, "lost: %d (before %d, during %d, after %d)\n", r.TotalLost(), r.Lost[Before], r.Lost[During], r.Lost[After])
	for _, s := range r.FirstLost {
		fmt.Fprintf(w, "  lost: %s\n", s)
	}
	fmt.Fprintf(w, "duplicated: %d\n", r.Duplicated)
	fmt.Fprintf(w, "phantom (stored, never acknowledged): %d\n", r.Phantom)
	t := r.Traffic
	fmt.Fprintf(w, "traffic: %g posts/s, %d posts: %d acknowledged, %d refused while no server was active, %d failed\n",
		t.Rate, t.Attempted, t.Acknowledged, t.Refused, t.Failed)
	for _, e := range t.Errors {
		fmt.Fprintf(w, "  failed: %s\n", e)
	}
	if r.OK() {
		fmt.Fprintf(w, "lab check: OK: every acknowledged message is in mgc, once\n")
		return
	}
	fmt.Fprintf(w, "lab check: FAILED: %d acknowledged messages lost, %d duplicated\n", r.TotalLost(), r.Duplicated)
}

// ErrBusy is a check asked for while the lab cannot answer it truthfully
// (starting, stopping, or a failback between its steps 1 and 6).
var ErrBusy = errors.New("lab busy")

// check compares the mgc the pool's state selects with every message the
// lab's chat servers acknowledged. The traffic pauses for it, so no post
// is between its commit and its acknowledgement while mgc is read: the
// comparison is exact (phantoms included).
func (l *lab) check(ctx context.Context) (CheckResult, error) {
	l.checks.Lock()
	defer l.checks.Unlock()
	if p := l.phase(); p != PhaseReady {
		return CheckResult{}, fmt.Errorf("%w: the lab is %s", ErrBusy, p)
	}
	st, err := l.d.Pool().State(ctx)
	if err != nil {
		return CheckResult{}, fmt.Errorf("lab check: %w", err)
	}
	if len(st.ActiveServers) == 0 {
		// Between the failback's steps 1 and 6 the databases are being
		// backed up and restored: a check's session would get in the way
		// (a RESTORE needs mgc to itself), and no store is the pool's.
		return CheckResult{}, fmt.Errorf("%w: the pool has no active server, so a failback (or failover) is under way; check when `failback status` says it is done", ErrBusy)
	}
	role := topology.RoleBackup
	if st.PoolState == pool.Normal {
		role = topology.RolePrimary
	}
	l.stopTraffic()
	defer func() {
		if err := l.startTraffic(); err != nil {
			l.printf("%v", err)
		}
	}()
	db, name, err := l.d.mgc(role)
	if err != nil {
		return CheckResult{}, fmt.Errorf("lab check: %w", err)
	}
	// Closed at once: a session left on the backup mgc would hold up the
	// failback's step 1 (it waits for every session to leave).
	defer db.Close()
	rep, err := l.d.ledger().Check(ctx, db, true)
	if err != nil {
		return CheckResult{}, fmt.Errorf("lab check: mgc on %s: %w", name, err)
	}
	evs, err := l.d.Pool().Events(ctx)
	if err != nil {
		return CheckResult{}, fmt.Errorf("lab check: %w", err)
	}
	r := CheckResult{
		PoolState: string(st.PoolState), ActiveServers: st.ActiveServers, Instance: name,
		Stored: rep.Stored, Duplicated: len(rep.Duplicated), Phantom: len(rep.Phantom),
	}
	r.FailbackStarted, r.FailbackEnded = failbackBounds(evs, l.readyAt)
	lost := map[string]bool{}
	for _, id := range rep.Lost {
		lost[id.String()] = true
	}
	for _, m := range l.d.ledger().Messages() {
		ph := r.phaseOf(m.AckedAt)
		r.Acknowledged[ph]++
		if lost[m.ID.String()] {
			r.Lost[ph]++
			if len(r.FirstLost) < 5 {
				r.FirstLost = append(r.FirstLost, fmt.Sprintf("%s acknowledged by %s at %s (%s the failback)",
					m.ID, m.Server, m.AckedAt.UTC().Format(time.RFC3339Nano), phaseNames[ph]))
			}
		}
	}
	r.Traffic = trafficOf(l.cfg.Rate, l.traffic())
	return r, nil
}

func (r CheckResult) phaseOf(t time.Time) int {
	switch {
	case r.FailbackStarted.IsZero() || t.Before(r.FailbackStarted):
		return Before
	case r.FailbackEnded.IsZero() || t.Before(r.FailbackEnded):
		return During
	}
	return After
}

// failbackBounds finds the failback the operator ran in the endpoint's
// events since the lab was ready: its step 1 (the active list cleared)
// and its step 7 (the pool Normal).
func failbackBounds(evs []pool.Event, since time.Time) (start, end time.Time) {
	for _, e := range evs {
		if e.Time.Before(since) {
			continue
		}
		switch {
		case start.IsZero() && e.Kind == pool.KindActiveServers && len(e.NewList) == 0:
			start = e.Time
		case !start.IsZero() && e.Kind == pool.KindPoolState && e.New == string(pool.Normal):
			return start, e.Time
		}
	}
	return start, time.Time{}
}

// trafficOf is a Traffic from a generator's figures.
func trafficOf(rate float64, s loadtest.Stats) Traffic {
	return Traffic{Rate: rate, Attempted: s.Attempted, Acknowledged: s.Acknowledged, Refused: s.Refused, Failed: s.Failed, Errors: s.Errors}
}
