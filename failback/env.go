package failback

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/topology"
)

// Options tune a run. Zero values mean the defaults below.
type Options struct {
	// AllowReplaceNewerPrimary overrides precondition primary-not-newer
	// (--allow-replace-newer-primary): the operator accepts that RESTORE
	// WITH REPLACE destroys data only the primary mgc holds.
	AllowReplaceNewerPrimary bool
	// PrimarySiteLost is the operator's decision that the primary site is
	// lost (--primary-site-lost). It overrides the failover's precondition
	// primary-site-lost when a primary-site instance answers but its mgc
	// cannot be read, not when the engine reached a primary mgc that is
	// ONLINE and writable.
	PrimarySiteLost bool
	// ForceWithLivePrimary (--force-with-live-primary, with
	// PrimarySiteLost) overrides primary-site-lost even for a reachable,
	// writable primary mgc: the operator accepts two writable copies
	// (split brain) and fences the primary by other means.
	ForceWithLivePrimary bool
	// PrimaryMayBeDown makes Connect accept an unreachable primary-site
	// instance (the failover expects one): its SQL then fails every call
	// with the connection error, which the failover reads as "down".
	PrimaryMayBeDown    bool
	MirrorTimeout       time.Duration // failover step 6: the new mirroring session synchronises (default 30m)
	SessionDrainTimeout time.Duration // step 1: chat sessions leave the backup mgc (default 5m)
	ChatArrivalTimeout  time.Duration // step 7: first chat session on the primary mgc (default 10m)
	JobTimeout          time.Duration // step 5: each log-shipping job's effect (default 10m)
	PollInterval        time.Duration // between state reads while waiting (default 2s)
	// WaitNoteInterval is how often a wait that goes on says what it
	// waits for and what it last saw (a note event; default 30s), so a
	// wait bounded by minutes is never silent until its timeout.
	WaitNoteInterval time.Duration
	StepTimeout      time.Duration // whole step, unless the step sets its own (default 2h)
	Backoff          lync.Backoff  // retries of transient failures
	Now              func() time.Time
	Sleep            func(ctx context.Context, d time.Duration) error
}

func (o Options) withDefaults() Options {
	if o.SessionDrainTimeout <= 0 {
		o.SessionDrainTimeout = 5 * time.Minute
	}
	if o.ChatArrivalTimeout <= 0 {
		o.ChatArrivalTimeout = 10 * time.Minute
	}
	if o.JobTimeout <= 0 {
		o.JobTimeout = 10 * time.Minute
	}
	if o.MirrorTimeout <= 0 {
		o.MirrorTimeout = 30 * time.Minute
	}
	if o.PollInterval <= 0 {
		o.PollInterval = 2 * time.Second
	}
	if o.WaitNoteInterval <= 0 {
		o.WaitNoteInterval = 30 * time.Second
	}
	if o.StepTimeout <= 0 {
		o.StepTimeout = 2 * time.Hour
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = lync.Sleep
	}
	if o.Backoff.Sleep == nil {
		o.Backoff.Sleep = o.Sleep
	}
	return o
}

// Env is what a plan's steps and preconditions act on: the topology and
// one SQL per instance role, the pool, the options, and the run's identity
// and facts (values a later step or a resumed run needs, journalled as
// fact events).
type Env struct {
	Topo    *topology.Topology
	Primary SQL // holds the primary mgc
	Backup  SQL // holds the backup mgc
	// PrimaryComp and BackupComp hold mgccomp; nil without compliance.
	// They may be the same values as Primary and Backup.
	PrimaryComp SQL
	BackupComp  SQL
	// PrimaryMirror holds the primary mgc's mirror; optional, read only by
	// the failover's primary-site-lost check (a live mirror that took over
	// is a writable copy too).
	PrimaryMirror SQL
	// BackupMirror and BackupMirrorComp are the backup-mirror instances
	// of mgc and mgccomp (the same value without dedicated compliance
	// instances); nil when the topology has none. The failover reads them
	// before Install-CsMirrorDatabase: a copy a failback left there must
	// be replaced, one that may hold data must not.
	BackupMirror     SQL
	BackupMirrorComp SQL
	Pool             Pool
	Options          Options

	runID string
	facts map[string]string
	emit  func(Event)
	// planning is set on the dry run's Env: an Apply that guards on the
	// effect of an earlier step (which a plan never makes) plans past it.
	planning bool
}

// RunID is the run's identity; file and backup-set names derive from it so
// a resumed run finds what the crashed one made.
func (e *Env) RunID() string { return e.runID }

// Fact returns a journalled fact.
func (e *Env) Fact(name string) (string, bool) {
	v, ok := e.facts[name]
	return v, ok
}

// SetFact records a fact in the journal.
func (e *Env) SetFact(name, value string) {
	if e.facts == nil {
		e.facts = map[string]string{}
	}
	e.facts[name] = value
	if e.emit != nil {
		e.emit(Event{Kind: KindFact, Name: name, Value: value})
	}
}

// Note records a remark (a skipped action, a warning) in the journal.
func (e *Env) Note(msg string) {
	if e.emit != nil {
		e.emit(Event{Kind: KindNote, Message: msg})
	}
}

// Deviation records where the step departs from Microsoft's documented
// step text, and why: `failback plan` shows it, the journal keeps it.
func (e *Env) Deviation(msg string) {
	if e.emit != nil {
		e.emit(Event{Kind: KindNote, Message: msg, Attrs: map[string]string{"deviation": "true"}})
	}
}

// Measure records a measured value for the metrics.
func (e *Env) Measure(name string, v float64) {
	if e.emit != nil {
		e.emit(Event{Kind: KindMeasure, Name: name, Seconds: v})
	}
}

func (e *Env) now() time.Time { return e.Options.Now() }

// NewRunID is a UTC timestamp and 6 random hex digits: sortable, unique
// enough per pool, and made only of characters safe in a file name.
func NewRunID(now time.Time) string {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// joinUNC appends a file name to a UNC or local directory.
func joinUNC(dir, name string) string {
	sep := `\`
	if strings.HasPrefix(dir, "/") {
		sep = "/"
	}
	return strings.TrimRight(dir, `\/`) + sep + name
}

// BackupPath is step 3's backup file on the share, unique per run.
func (e *Env) BackupPath() string {
	return joinUNC(e.Topo.Share.UNC, DBContent+"_failback_"+e.runID+".bak")
}

// BackupSetName is step 3's backup set name.
func (e *Env) BackupSetName() string { return DBContent + " failback " + e.runID }

// TailPath is step 3's tail-log backup of the backup mgc (taken WITH
// NORECOVERY right after the full backup), unique per run.
func (e *Env) TailPath() string {
	return joinUNC(e.Topo.Share.UNC, DBContent+"_failback_tail_"+e.runID+".trn")
}

// TailSetName is step 3's tail-log backup set name.
func (e *Env) TailSetName() string { return DBContent + " failback tail " + e.runID }

// complianceDBs lists (instance, database) pairs for mgc and mgccomp on one
// side.
func (e *Env) pairs(primary bool) []dbOn {
	out := []dbOn{}
	if primary {
		out = append(out, dbOn{e.Primary, DBContent})
		if e.Topo.Compliance && e.PrimaryComp != nil {
			out = append(out, dbOn{e.PrimaryComp, DBCompliance})
		}
	} else {
		out = append(out, dbOn{e.Backup, DBContent})
		if e.Topo.Compliance && e.BackupComp != nil {
			out = append(out, dbOn{e.BackupComp, DBCompliance})
		}
	}
	return out
}

type dbOn struct {
	sql SQL
	db  string
}
