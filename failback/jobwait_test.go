package failback_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/memory"
)

// A copy job whose run succeeds without copying the newest log backup
// (its backup_source_directory is not where the backup job writes) cannot
// make step 5 progress: nothing changes the monitor until it runs again.
// The engine starts it once more; when that run too does nothing, step 5
// fails at once naming the job and the file it waited for, instead of
// waiting out JobTimeout in silence.
func TestJobWithoutEffectFailsNamingJobAndFile(t *testing.T) {
	f := newFixture(t)
	job := f.topo.LogShipping.CopyJob
	f.world.IdleJob("sql-backup", job, 2)
	rec := &recorder{}
	res, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv(), Sinks: []failback.Sink{rec}}).Run(context.Background())
	if err == nil || res.Failed != failback.StepLogShipping {
		t.Fatalf("failed at %q: %v, want step %s", res.Failed, err, failback.StepLogShipping)
	}
	if errors.Is(err, failback.ErrWaitTimeout) {
		t.Fatalf("waited out the job timeout: %v", err)
	}
	var ne *failback.JobNoEffectError
	if !errors.As(err, &ne) || ne.Job != job || ne.Instance != "sql-backup" || ne.Runs != 2 {
		t.Fatalf("error %v is not the copy job's JobNoEffectError (%+v)", err, ne)
	}
	for _, w := range []string{job + " on sql-backup ran 2 times and succeeded", "waiting for \"mgc_", ".trn\"", "cannot progress"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error lacks %q:\n%v", w, err)
		}
	}
	if failback.IsTransient(err) {
		t.Errorf("a job without effect is taken as transient (the step would be retried): %v", err)
	}
	for _, e := range rec.kind(failback.KindStepEnd) {
		if e.Step == failback.StepLogShipping && e.Seconds >= f.opts().JobTimeout.Seconds() {
			t.Errorf("step 5 took %.0fs, want well under the job timeout %v", e.Seconds, f.opts().JobTimeout)
		}
	}
	restarted := false
	for _, e := range rec.kind(failback.KindNote) {
		if strings.Contains(e.Message, job) && strings.Contains(e.Message, "starting it once more") {
			restarted = true
		}
	}
	if !restarted {
		t.Error("the journal does not say the engine started the job once more")
	}
}

// One run without effect (it raced with the file it was to take) is
// cured by the second run the engine starts: the failback completes.
func TestJobWithoutEffectOnceIsRunAgain(t *testing.T) {
	f := newFixture(t)
	f.world.IdleJob("sql-backup", f.topo.LogShipping.CopyJob, 1)
	res, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv()}).Run(context.Background())
	if err != nil || res.Outcome != failback.OutcomeOK {
		t.Fatalf("failback ended %s at %q: %v", res.Outcome, res.Failed, err)
	}
}

// A wait that goes on says what it waits for and what it last saw every
// WaitNoteInterval, long before its timeout: here step 1's wait for chat
// sessions that never leave the backup mgc.
func TestLongWaitSaysWhatItWaitsFor(t *testing.T) {
	f := newFixture(t)
	f.world.Lock(func(w *memory.World) { w.Pool.LingerReads = 1 << 20 })
	rec := &recorder{}
	_, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv(), Sinks: []failback.Sink{rec}}).Run(context.Background())
	if !errors.Is(err, failback.ErrWaitTimeout) {
		t.Fatalf("err = %v, want the session drain to time out", err)
	}
	timeout := f.opts().SessionDrainTimeout
	var notes []string
	for _, e := range rec.kind(failback.KindNote) {
		if strings.HasPrefix(e.Message, "still waiting for ") {
			notes = append(notes, e.Message)
		}
	}
	// WaitNoteInterval defaults to 30 s: a note at about 30 s and 60 s of a
	// one-minute wait (the last may coincide with the timeout).
	if len(notes) == 0 || int64(len(notes)) > int64(timeout/(30e9))+1 {
		t.Fatalf("%d still-waiting notes in a %v wait, want one every 30 s: %q", len(notes), timeout, notes)
	}
	if !strings.Contains(notes[0], "of at most "+timeout.String()) {
		t.Errorf("note %q does not say how long the wait may take", notes[0])
	}
}

// A primary mgc nothing was written to between step 4's restore and step
// 5's log backup: that backup ends where this run's tail-log backup ended,
// so the restore job skips it (the secondary holds all it holds) and
// restores nothing, as sqllogship does on SQL Server. Log shipping is
// working all the same: step 5 is confirmed, with a note that says why no
// log was restored, and the first write's log backup is restored.
func TestQuietPrimaryLogShippingConfirmed(t *testing.T) {
	f := newFixture(t)
	f.world.QuietLog("sql-primary", "mgc", true)
	rec := &recorder{}
	res, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv(), Sinks: []failback.Sink{rec}}).Run(context.Background())
	if err != nil || res.Outcome != failback.OutcomeOK {
		t.Fatalf("failback ended %s at %q: %v", res.Outcome, res.Failed, err)
	}
	noted := false
	for _, e := range rec.kind(failback.KindNote) {
		m := e.Message
		if strings.Contains(m, "logged nothing since this run's tail-log backup") && strings.Contains(m, "already holds everything") &&
			strings.Contains(m, "first log restore will follow the first write") {
			noted = true
		}
	}
	if !noted {
		t.Errorf("no note says the primary logged nothing since the tail-log backup: %+v", rec.kind(failback.KindNote))
	}
	// The first write: its log backup is shipped and restored.
	f.world.QuietLog("sql-primary", "mgc", false)
	ls := f.topo.LogShipping
	ctx := context.Background()
	for _, j := range []struct{ in, job string }{{"sql-primary", ls.BackupJob}, {"sql-backup", ls.CopyJob}, {"sql-backup", ls.RestoreJob}} {
		if err := f.world.SQL(j.in).StartJob(ctx, j.job); err != nil {
			t.Fatalf("start %s: %v", j.job, err)
		}
	}
	m, ok, err := f.world.SQL("sql-backup").SecondaryMonitor(ctx, "mgc")
	if err != nil || !ok || m.LastRestoredFile == "" {
		t.Errorf("after the first write the secondary restored %q (%v, %v), want its log backup", m.LastRestoredFile, ok, err)
	}
}

// A restore job that restores nothing while the primary's newest log
// backup holds log past the tail (the secondary is behind) is still
// refused: only "nothing to restore" is confirmed.
func TestRestoreJobBehindStillRefused(t *testing.T) {
	f := newFixture(t)
	job := f.topo.LogShipping.RestoreJob
	f.world.IdleJob("sql-backup", job, 2)
	res, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv()}).Run(context.Background())
	var ne *failback.JobNoEffectError
	if err == nil || res.Failed != failback.StepLogShipping || !errors.As(err, &ne) || ne.Job != job {
		t.Fatalf("failed at %q: %v, want step %s to fail with the restore job's JobNoEffectError", res.Failed, err, failback.StepLogShipping)
	}
}

// The engine's log backup in step 5 lands in the same second as the
// newest log backup file on the share (a scheduled run, or the engine's
// previous run before a resume): sqllogship appends it to that file as set
// 2, and the restore job, reading a file's first set only, never restores
// it. The engine takes the log backup again a second later, into a file
// of its own.
func TestLogBackupAppendedToSameSecondFileIsTakenAgain(t *testing.T) {
	f := newFixture(t)
	f.world.SameSecondLogBackup("sql-primary", 1)
	res, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv()}).Run(context.Background())
	if err != nil || res.Outcome != failback.OutcomeOK {
		t.Fatalf("failback ended %s at %q: %v", res.Outcome, res.Failed, err)
	}
}
