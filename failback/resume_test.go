package failback_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/memory"
)

func indexOf(calls []memory.Call, pred func(memory.Call) bool, last bool) int {
	idx := -1
	for i, c := range calls {
		if pred(c) {
			idx = i
			if !last {
				return i
			}
		}
	}
	return idx
}

func TestOrdering(t *testing.T) {
	f := newFixture(t)
	r := &failback.Runner{Plan: failback.FailbackPlan(), Env: f.env}
	if _, err := r.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	calls := f.world.Calls()
	op := func(target, name string) func(memory.Call) bool {
		return func(c memory.Call) bool { return c.Op == name && (target == "" || c.Target == target) }
	}
	clear := indexOf(calls, op("pool", "ClearActiveServers"), false)
	firstRestore := indexOf(calls, op("", "RestoreDatabase"), false)
	lastUnmirror := indexOf(calls, op("", "RemoveMirroring"), true)
	firstBackup := indexOf(calls, op("", "BackupDatabase"), false)
	normal := indexOf(calls, op("pool", "SetPoolState"), false)
	setActive := indexOf(calls, op("pool", "SetActiveServers"), false)
	if clear < 0 || firstRestore < 0 || lastUnmirror < 0 || firstBackup < 0 || normal < 0 || setActive < 0 {
		t.Fatalf("missing calls: %+v", calls)
	}
	if !(clear < firstRestore) {
		t.Error("the active list was not cleared before the restore")
	}
	if !(lastUnmirror < firstBackup && lastUnmirror < firstRestore) {
		t.Error("mirroring was not removed before backup and restore")
	}
	// Pool Normal is the last change of the documented procedure; only
	// the pre-disaster configuration's steps 8 and 9 come after it: step
	// 8's cmdlet, with the primary's log-shipping backup job disabled
	// before it and enabled after it, and step 9 on the primary-mirror.
	install := indexOf(calls, op("pool", "InstallMirrorDatabase"), false)
	pause, resume := -1, -1
	for i, c := range calls[normal+1:] {
		i += normal + 1
		switch {
		case c.Op == "InstallMirrorDatabase" || c.Target == "sql-primary-mirror":
		case c.Target == "sql-primary" && c.Op == "SetJobEnabled" && strings.HasSuffix(c.Text, "@enabled = 0;"):
			pause = i
		case c.Target == "sql-primary" && c.Op == "SetJobEnabled" && strings.HasSuffix(c.Text, "@enabled = 1;"):
			resume = i
		default:
			t.Errorf("after pool Normal, call %d is %s on %s: only steps 8 and 9 may follow it", i, c.Op, c.Target)
		}
	}
	if !(normal < pause && pause < install && install < resume) {
		t.Errorf("the primary's log-shipping backup job is not disabled before Install-CsMirrorDatabase and enabled after it: disable at call %d, cmdlet %d, enable %d", pause, install, resume)
	}
	if setActive > normal {
		t.Errorf("the active servers were set after pool Normal")
	}
	if n := f.world.CountCalls("sql-primary", "RestoreDatabase"); n != 1 {
		t.Errorf("%d restores over the primary mgc, want 1", n)
	}
}

// endState is what a finished failback leaves, compared between a clean run
// and a crashed-and-resumed one.
func endState(t *testing.T, f *fixture) string {
	t.Helper()
	var b strings.Builder
	f.world.Lock(func(w *memory.World) {
		p, bk := w.Instance("sql-primary").Databases["mgc"], w.Instance("sql-backup").Databases["mgc"]
		b.WriteString("primary=" + p.State + " backup=" + bk.State + " pool=" + string(w.Pool.State) + " active=" + strings.Join(w.Pool.Active, ","))
		for _, k := range []string{"dbo.tblChat", "dbo.tblNode", "dbo.tblPrincipa"} {
			if p.Tables[k] != memory.ContentTables[k] {
				b.WriteString(" primary " + k + " differs")
			}
		}
		if p.Mirror.Mirrored || bk.Mirror.Mirrored {
			b.WriteString(" mirrored")
		}
	})
	return b.String()
}

// TestCrashAtEveryBoundaryThenResume cancels the run right after each
// phase event (every step boundary and every phase inside a step), then
// resumes from the journal on disk with a fresh runner, as an operator
// would after a crash.
func TestCrashAtEveryBoundaryThenResume(t *testing.T) {
	clean := newFixture(t)
	if _, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: clean.env}).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := endState(t, clean)
	for k := 1; ; k++ {
		f := newFixture(t)
		path, resumed, more := crashAndResume(t, f, failback.FailbackPlan, k)
		if !more {
			break // k is past the last boundary
		}
		if !resumed {
			continue // cancelled after the very last event: nothing left to resume
		}
		if got := endState(t, f); got != want {
			t.Errorf("k=%d: end state %q, want %q", k, got, want)
		}
		if n := f.world.CountCalls("sql-primary", "RestoreDatabase"); n != 1 {
			t.Errorf("k=%d: %d restores over the primary mgc, want exactly 1", k, n)
		}
		all, _, _ := failback.ReadJournalFile(path)
		s := failback.Summarize(all, false)
		if s.Outcome != failback.OutcomeOK || s.Invocations != 2 {
			t.Errorf("k=%d: summary outcome %s invocations %d", k, s.Outcome, s.Invocations)
		}
		if k > 200 {
			t.Fatal("runaway")
		}
	}
}

// A destructive step verified in the journal is applied again only when its
// Redo rule says that loses nothing: the restore over the primary mgc while
// the primary never served the pool; never once this run set the pool
// Normal (chat servers may have written to it since).
func TestResumeReappliesVerifiedRestoreOnlyBeforePoolNormal(t *testing.T) {
	for _, tc := range []struct {
		name      string
		stopAfter string
		refuse    bool
	}{
		{"stopped after the restore, pool never Normal", failback.StepRestore, false},
		{"stopped after the pool went Normal", failback.StepPoolNormal, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			path := filepath.Join(t.TempDir(), "j.jsonl")
			j, _ := failback.OpenJournal(path)
			ctx, cancel := context.WithCancel(context.Background())
			stop := failback.SinkFunc(func(e failback.Event) {
				if e.Kind == failback.KindStepEnd && e.Step == tc.stopAfter {
					cancel()
				}
			})
			(&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv(), Journal: j, Sinks: []failback.Sink{stop}}).Run(ctx)
			j.Close()
			// Someone broke the primary mgc behind the engine's back.
			f.world.Lock(func(w *memory.World) {
				w.Instance("sql-primary").Databases["mgc"].State = "RECOVERY_PENDING"
			})
			prev, _, _ := failback.ReadJournalFile(path)
			res, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv(), Previous: prev}).Run(context.Background())
			restores := f.world.CountCalls("sql-primary", "RestoreDatabase")
			if tc.refuse {
				if err == nil || res.Failed != failback.StepRestore {
					t.Fatalf("resume: outcome %s failed %s err %v, want a refusal at %s", res.Outcome, res.Failed, err, failback.StepRestore)
				}
				if !strings.Contains(err.Error(), "refusing to apply it again") || !strings.Contains(err.Error(), "set the pool state Normal") {
					t.Errorf("error %v", err)
				}
				if restores != 1 {
					t.Errorf("%d restores, want 1", restores)
				}
				return
			}
			if err != nil || res.Outcome != failback.OutcomeOK {
				t.Fatalf("resume: outcome %s failed %s err %v", res.Outcome, res.Failed, err)
			}
			if restores != 2 {
				t.Errorf("%d restores, want 2 (the primary restored again)", restores)
			}
		})
	}
}

func TestRetryTransientOnly(t *testing.T) {
	t.Run("transient retried", func(t *testing.T) {
		f := newFixture(t)
		f.world.FailNext("pool", "ClearActiveServers", memory.ErrConnReset, memory.ErrWinRM503)
		f.world.FailNext("sql-primary", "RestoreDatabase", memory.ErrConnReset)
		rec := &recorder{}
		if _, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.env, Sinks: []failback.Sink{rec}}).Run(context.Background()); err != nil {
			t.Fatal(err)
		}
		retries := 0
		for _, e := range rec.kind(failback.KindNote) {
			if strings.HasPrefix(e.Message, "attempt ") {
				retries++
			}
		}
		if retries != 3 {
			t.Errorf("%d retries noted, want 3", retries)
		}
	})
	t.Run("sql error not retried", func(t *testing.T) {
		f := newFixture(t)
		f.world.FailNext("sql-primary", "RestoreDatabase", memory.SQLError(3201, "Cannot open backup device"), nil)
		res, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.env}).Run(context.Background())
		if err == nil || res.Failed != failback.StepRestore {
			t.Fatalf("outcome %s failed %q err %v", res.Outcome, res.Failed, err)
		}
		var se *failback.StepError
		if !errors.As(err, &se) || se.Phase != failback.PhaseApply {
			t.Fatalf("error %v is not an apply StepError", err)
		}
		if n := f.world.CountCalls("sql-primary", "RestoreDatabase"); n != 0 {
			t.Errorf("%d restores after a permanent error", n)
		}
	})
	t.Run("cmdlet error not retried", func(t *testing.T) {
		f := newFixture(t)
		f.world.FailNext("pool", "SetPoolState", &lync.CmdletError{Command: "Set-CsPersistentChatState", Message: "denied"}, memory.ErrConnReset)
		res, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.env}).Run(context.Background())
		if err == nil || res.Failed != failback.StepPoolNormal {
			t.Fatalf("outcome %s failed %q err %v", res.Outcome, res.Failed, err)
		}
	})
	t.Run("transient exhausted", func(t *testing.T) {
		f := newFixture(t)
		f.world.FailNext("pool", "ClearActiveServers", memory.ErrConnReset, memory.ErrConnReset, memory.ErrConnReset, memory.ErrConnReset, memory.ErrConnReset)
		_, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.env}).Run(context.Background())
		if !errors.Is(err, lync.ErrAttemptsExhausted) {
			t.Fatalf("err %v, want attempts exhausted", err)
		}
	})
}

func TestSessionDrainTimeoutNamesSessions(t *testing.T) {
	f := newFixture(t)
	f.world.Lock(func(w *memory.World) { w.Pool.StuckSessions = true })
	_, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.env}).Run(context.Background())
	if !errors.Is(err, failback.ErrWaitTimeout) {
		t.Fatalf("err %v, want a wait timeout", err)
	}
	if !strings.Contains(err.Error(), "pc5.dc2.contoso.test") || !strings.Contains(err.Error(), "sql-backup mgc") {
		t.Errorf("timeout does not name the sessions left: %v", err)
	}
	if n := f.world.CountCalls("", "RemoveMirroring"); n != 0 {
		t.Error("continued past step 1 with sessions left")
	}
}

func TestSessionsLingerThenDrain(t *testing.T) {
	f := newFixture(t)
	f.world.Lock(func(w *memory.World) { w.Pool.LingerReads = 3; w.Pool.ArrivalReads = 2 })
	rec := &recorder{}
	if _, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.env, Sinks: []failback.Sink{rec}}).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	var outage float64 = -1
	for _, e := range rec.kind(failback.KindMeasure) {
		if e.Name == failback.MeasureChatOutage {
			outage = e.Seconds
		}
	}
	if outage <= 0 {
		t.Errorf("chat outage %v, want > 0 (fake clock advances while waiting)", outage)
	}
}

func TestJournalRoundTripTornLine(t *testing.T) {
	f := newFixture(t)
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, err := failback.OpenJournal(path, "s3cret-pw")
	if err != nil {
		t.Fatal(err)
	}
	rec := &recorder{}
	if _, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.env, Journal: j, Sinks: []failback.Sink{rec}}).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	j.Write(failback.Event{Kind: failback.KindNote, Message: "password is s3cret-pw"})
	j.Close()
	b, _ := os.ReadFile(path)
	if strings.Contains(string(b), "s3cret-pw") {
		t.Fatal("secret in the journal")
	}
	// Tear the last line as a crash mid-write would.
	torn := append(append([]byte{}, b...), []byte(`{"seq":999,"kind":"no`)...)
	os.WriteFile(path, torn, 0o600)
	evs, isTorn, err := failback.ReadJournalFile(path)
	if err != nil || !isTorn {
		t.Fatalf("torn=%v err=%v", isTorn, err)
	}
	if len(evs) != len(rec.all())+1 {
		t.Fatalf("%d events read, %d written", len(evs), len(rec.all())+1)
	}
	for i, e := range rec.all() {
		if evs[i].Seq != e.Seq || evs[i].Kind != e.Kind || evs[i].Text != e.Text || evs[i].Step != e.Step {
			t.Fatalf("event %d differs: %+v vs %+v", i, evs[i], e)
		}
	}
	// Reopening after a crash sets the torn tail aside (in path+".torn",
	// nothing lost) and appends after the last whole event, so the journal
	// stays readable through any number of later crashes and resumes; a
	// torn line that stayed in the middle made the next read fail with
	// ErrJournalCorrupt (seen in CI: "journal corrupt: line 82: unexpected
	// end of JSON input" after a kill and a resume).
	j2, err := failback.OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	j2.Write(failback.Event{Kind: failback.KindNote, Message: "after"})
	j2.Close()
	evs2, torn2, err := failback.ReadJournalFile(path)
	if err != nil || torn2 {
		t.Fatalf("after a reopen: torn=%v err=%v", torn2, err)
	}
	if len(evs2) != len(evs)+1 || evs2[len(evs2)-1].Message != "after" {
		t.Fatalf("after a reopen: %d events, want %d ending in the new one", len(evs2), len(evs)+1)
	}
	if aside, err := os.ReadFile(path + ".torn"); err != nil || !strings.Contains(string(aside), `{"seq":999,"kind":"no`) {
		t.Fatalf("the torn tail was not kept aside: %q, %v", aside, err)
	}
	// Damage in the middle (not a crash) is still an error.
	b2, _ := os.ReadFile(path)
	mid := bytes.Replace(b2, []byte("\n"), []byte("\n{\"kind\n"), 1)
	if _, _, err := failback.ReadJournal(bytes.NewReader(mid)); !errors.Is(err, failback.ErrJournalCorrupt) {
		t.Fatalf("a bad line in the middle: err %v, want ErrJournalCorrupt", err)
	}
	// Every sent statement that changes something is in the journal.
	changes := 0
	for _, e := range evs {
		if e.Kind == failback.KindSent && e.Attrs["change"] == "true" {
			changes++
		}
	}
	if changes != len(f.world.Calls()) {
		t.Errorf("%d change events journalled, world saw %d changes", changes, len(f.world.Calls()))
	}
}

func FuzzJournal(f *testing.F) {
	f.Add([]byte(`{"seq":1,"kind":"run-start","run":"x"}` + "\n"))
	f.Add([]byte(`{"seq":1,"kind":"run-start"}` + "\n" + `{"seq":2,"kind":"st`))
	f.Add([]byte("\n\n{}\n"))
	f.Add([]byte(`{"seq":"x","kind":1}`))
	f.Add([]byte{0xff, 0xfe, '\n', '{'})
	f.Fuzz(func(t *testing.T, data []byte) {
		evs, torn, err := failback.ReadJournal(strings.NewReader(string(data)))
		if err != nil && torn {
			t.Fatal("error and torn together")
		}
		s := failback.Summarize(evs, torn)
		_ = s.String()
	})
}
