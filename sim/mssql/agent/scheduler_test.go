package agent

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// recorder is an Executor that notes when each step ran.
type recorder struct {
	mu    sync.Mutex
	clock Clock
	runs  []string // "job/step@HHMMSS"
	fail  map[string]bool
}

func (r *recorder) RunStep(ctx context.Context, j Job, st Step) (string, int32, int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.runs = append(r.runs, fmt.Sprintf("%s/%d@%06d", j.Name, st.StepID, TimeInt(r.clock.Now())))
	if r.fail[st.StepName] {
		return "Msg 3201, Cannot open backup device.", 3201, 16, errors.New("step failed")
	}
	return "Processed 1 pages.", 0, 0, nil
}

func (r *recorder) got() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.runs...)
}

func lsJob(name string) Job {
	return Job{Name: name, Enabled: true, Category: "Log Shipping Backup", Owner: "sa",
		Steps: []Step{{StepID: 1, StepName: "Log shipping backup log job step.", Subsystem: "CmdExec", Command: "sqllogship.exe -Backup x"}}}
}

type fixture struct {
	clock *ManualClock
	exec  *recorder
	s     *Scheduler
}

func newFixture(t *testing.T, inline bool, start string) *fixture {
	t.Helper()
	c := NewManualClock(at(start))
	ex := &recorder{clock: c, fail: map[string]bool{}}
	s, err := New(Config{Clock: c, Executor: ex, InlineRuns: inline, ServerName: "BACKUPSQL"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Stop(context.Background()) })
	return &fixture{clock: c, exec: ex, s: s}
}

func (f *fixture) job(t *testing.T, j Job, scheds ...Schedule) Job {
	t.Helper()
	j, err := f.s.AddJob(j)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range scheds {
		sc, err := f.s.AddSchedule(sc)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.s.AttachSchedule(j.JobID, sc.ScheduleID); err != nil {
			t.Fatal(err)
		}
	}
	return j
}

func TestScheduledRuns(t *testing.T) {
	window := every15()
	window.FreqSubdayInterval, window.ActiveStartTime, window.ActiveEndTime = 30, 80000, 90000
	disabledSched := every15()
	disabledSched.Enabled = false
	disabledJob := lsJob("LSBackup_off")
	disabledJob.Enabled = false
	cases := []struct {
		name    string
		job     Job
		sched   Schedule
		advance time.Duration
		want    []string
	}{
		{"every 15 minutes", lsJob("LSBackup_mgc"), every15(), time.Hour,
			[]string{"LSBackup_mgc/1@101500", "LSBackup_mgc/1@103000", "LSBackup_mgc/1@104500", "LSBackup_mgc/1@110000"}},
		{"active window 08:00-09:00", lsJob("LSBackup_mgc"), window, 24 * time.Hour,
			[]string{"LSBackup_mgc/1@080000", "LSBackup_mgc/1@083000", "LSBackup_mgc/1@090000"}},
		{"disabled schedule", lsJob("LSBackup_mgc"), disabledSched, 2 * time.Hour, nil},
		{"disabled job", disabledJob, every15(), 2 * time.Hour, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, true, "2026-03-01 10:07:00")
			f.job(t, tc.job, tc.sched)
			if err := f.s.Start(context.Background()); err != nil {
				t.Fatal(err)
			}
			f.clock.Advance(tc.advance)
			if got := f.exec.got(); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("runs %v\nwant %v", got, tc.want)
			}
		})
	}
}

func TestEnableLaterAndMissedRuns(t *testing.T) {
	f := newFixture(t, true, "2026-03-01 10:07:00")
	j := lsJob("LSBackup_mgc")
	j.Enabled = false // sp_add_log_shipping_primary_database creates it disabled
	j = f.job(t, j, every15())
	f.s.Start(context.Background())
	f.clock.Advance(20 * time.Minute)
	if len(f.exec.got()) != 0 {
		t.Fatal("disabled job ran")
	}
	j.Enabled = true
	if err := f.s.UpdateJob(j); err != nil {
		t.Fatal(err)
	}
	f.clock.Advance(15 * time.Minute) // 10:27 -> 10:42
	if got := f.exec.got(); !reflect.DeepEqual(got, []string{"LSBackup_mgc/1@103000"}) {
		t.Fatalf("after enabling: %v", got)
	}
	// Stopped Agent: occurrences in between are not made up after restart.
	f.s.Stop(context.Background())
	f.clock.Advance(time.Hour) // 11:42
	f.s.Start(context.Background())
	f.clock.Advance(5 * time.Minute)
	got := f.exec.got()
	if len(got) != 2 || got[1] != "LSBackup_mgc/1@114500" {
		t.Fatalf("after restart: %v", got)
	}
	if nr, ok := f.s.NextRunTime(j.JobID); !ok || !nr.Equal(at("2026-03-01 12:00:00")) {
		t.Fatalf("next run %v %v", nr, ok)
	}
}

func TestHistoryRows(t *testing.T) {
	f := newFixture(t, false, "2026-03-01 10:00:00")
	gate := make(chan struct{})
	var calls atomic.Int32
	f.s.cfg.Executor = ExecutorFunc(func(ctx context.Context, j Job, st Step) (string, int32, int, error) {
		calls.Add(1)
		if st.StepID == 1 {
			<-gate
			return "Cannot open backup device.", 3201, 16, errors.New("failed")
		}
		return "Done.", 0, 0, nil
	})
	j := f.job(t, Job{Name: "LSCopy_PRIMARY_mgc", Enabled: true, Steps: []Step{
		{StepID: 1, StepName: "Copy", Subsystem: "CmdExec", OnFailAction: ActionGotoStep, OnFailStepID: 3, OnSuccessAction: ActionNextStep},
		{StepID: 2, StepName: "Never", Subsystem: "TSQL"},
		{StepID: 3, StepName: "Cleanup", Subsystem: "TSQL", OnSuccessAction: ActionQuitFailure},
	}})
	f.s.Start(context.Background())
	if err := f.s.StartJob(j.JobID, StartOptions{User: "sa"}); err != nil {
		t.Fatal(err)
	}
	for f.s.Activity(j.JobID).CurrentStepID != 1 {
		time.Sleep(time.Millisecond)
	}
	f.clock.Advance(2*time.Minute + 5*time.Second)
	close(gate)
	if err := f.s.WaitIdle(context.Background()); err != nil {
		t.Fatal(err)
	}
	h := f.s.History(j.JobID)
	type row struct {
		step, status, dur, rtime int
		msgID                    int32
		sev                      int
		msg                      string
	}
	want := []row{
		{1, StatusFailed, 205, 100000, 3201, 16, `Executed as user: NT SERVICE\SQLSERVERAGENT. Cannot open backup device.  The step failed.`},
		{3, StatusSucceeded, 0, 100205, 0, 0, `Executed as user: NT SERVICE\SQLSERVERAGENT. Done.  The step succeeded.`},
		{0, StatusFailed, 205, 100000, 0, 0, "The job failed.  The Job was invoked by User sa.  The last step to run was step 3 (Cleanup)."},
	}
	if len(h) != len(want) {
		t.Fatalf("%d rows: %+v", len(h), h)
	}
	for i, w := range want {
		g := h[i]
		if g.StepID != w.step || g.RunStatus != w.status || g.RunDuration != w.dur || g.RunTime != w.rtime || g.RunDate != 20260301 ||
			g.SQLMessageID != w.msgID || g.SQLSeverity != w.sev || g.Message != w.msg || g.InstanceID != i+1 || g.Server != "BACKUPSQL" || g.JobID != j.JobID {
			t.Errorf("row %d = %+v\nwant %+v", i, g, w)
		}
	}
	if calls.Load() != 2 {
		t.Fatalf("%d steps ran, want 2", calls.Load())
	}
}

func TestStartJobRules(t *testing.T) {
	f := newFixture(t, false, "2026-03-01 10:10:00")
	release := make(chan struct{})
	f.s.cfg.Executor = ExecutorFunc(func(ctx context.Context, j Job, st Step) (string, int32, int, error) {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return "", 0, 0, nil
	})
	j := f.job(t, lsJob("LSBackup_mgc"), every15())
	if err := f.s.StartJob(j.JobID, StartOptions{User: "sa"}); !errors.Is(err, ErrAgentStopped) {
		t.Fatalf("stopped agent: %v", err)
	}
	f.s.Start(context.Background())
	if err := f.s.StartJob(GUID{1}, StartOptions{User: "sa"}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("unknown job: %v", err)
	}
	if err := f.s.StartJob(j.JobID, StartOptions{User: "sa", StepName: "nope"}); err == nil {
		t.Fatal("unknown step accepted")
	}
	if err := f.s.StopJob(j.JobID, "sa"); err == nil || !strings.Contains(err.Error(), "not currently running") {
		t.Fatalf("stop idle job: %v", err)
	}
	if err := f.s.StartJob(j.JobID, StartOptions{User: `CONTOSO\admin`}); err != nil {
		t.Fatal(err)
	}
	err := f.s.StartJob(j.JobID, StartOptions{User: "sa"})
	var ar *AlreadyRunningError
	if !errors.As(err, &ar) || err.Error() != `SQLServerAgent Error: Request to run job LSBackup_mgc (from User sa) refused because the job is already running from a request by User CONTOSO\admin.` {
		t.Fatalf("second start: %v", err)
	}
	// the 10:15 occurrence comes due while the manual run is still going: skipped
	f.clock.Advance(10 * time.Minute)
	if a := f.s.Activity(j.JobID); !a.Running || a.InvokedBy != `User CONTOSO\admin` {
		t.Fatalf("activity %+v", a)
	}
	if err := f.s.StopJob(j.JobID, "sa"); err != nil {
		t.Fatal(err)
	}
	f.s.WaitIdle(context.Background())
	h := f.s.History(j.JobID)
	if len(h) != 2 || h[0].RunStatus != StatusCanceled || h[1].RunStatus != StatusCanceled ||
		!strings.HasPrefix(h[1].Message, "The job was stopped prior to completion by User sa.") {
		t.Fatalf("history %+v", h)
	}
	// next scheduled occurrence (10:30) runs normally
	close(release)
	f.clock.Advance(15 * time.Minute)
	f.s.WaitIdle(context.Background())
	h = f.s.History(j.JobID)
	if len(h) != 4 || h[3].RunStatus != StatusSucceeded || h[3].RunTime != 103000 || !strings.Contains(h[3].Message, "invoked by Schedule 1 (LSBackupSchedule)") {
		t.Fatalf("history after schedule %+v", h)
	}
}

func TestStopCancelsAndWaits(t *testing.T) {
	f := newFixture(t, false, "2026-03-01 10:00:00")
	var inFlight atomic.Int32
	f.s.cfg.Executor = ExecutorFunc(func(ctx context.Context, j Job, st Step) (string, int32, int, error) {
		inFlight.Add(1)
		defer inFlight.Add(-1)
		<-ctx.Done()
		return "", 0, 0, ctx.Err()
	})
	var ids []GUID
	for i := 0; i < 3; i++ {
		ids = append(ids, f.job(t, lsJob(fmt.Sprintf("job%d", i))).JobID)
	}
	ctx, cancel := context.WithCancel(context.Background())
	f.s.Start(ctx)
	for _, id := range ids {
		if err := f.s.StartJob(id, StartOptions{User: "sa"}); err != nil {
			t.Fatal(err)
		}
	}
	for inFlight.Load() != 3 {
		time.Sleep(time.Millisecond)
	}
	cancel() // the owner's context ends: the Agent stops
	deadline, stop := context.WithTimeout(context.Background(), 5*time.Second)
	defer stop()
	for f.s.IsRunning() {
		time.Sleep(time.Millisecond)
	}
	if err := f.s.Stop(deadline); err != nil {
		t.Fatal(err)
	}
	f.s.WaitIdle(deadline)
	if inFlight.Load() != 0 {
		t.Fatal("steps still running after Stop")
	}
	for _, id := range ids {
		h := f.s.History(id)
		if len(h) != 2 || h[1].RunStatus != StatusCanceled || !strings.Contains(h[1].Message, "the Agent shutting down") {
			t.Fatalf("history %+v", h)
		}
	}
	if f.clock.Pending() != 0 {
		t.Fatalf("%d timers armed after Stop", f.clock.Pending())
	}
}

func TestAgentStartSchedule(t *testing.T) {
	f := newFixture(t, true, "2026-03-01 10:00:00")
	sc := every15()
	sc.FreqType = FreqAgentStart
	f.job(t, lsJob("onstart"), sc)
	f.s.Start(context.Background())
	if got := f.exec.got(); !reflect.DeepEqual(got, []string{"onstart/1@100000"}) {
		t.Fatalf("runs %v", got)
	}
	f.clock.Advance(24 * time.Hour)
	if len(f.exec.got()) != 1 {
		t.Fatal("agent-start schedule ran again")
	}
}

func TestConcurrentStartJob(t *testing.T) {
	f := newFixture(t, false, "2026-03-01 10:00:00")
	var active sync.Map
	var overlaps, runs atomic.Int32
	f.s.cfg.Executor = ExecutorFunc(func(ctx context.Context, j Job, st Step) (string, int32, int, error) {
		if _, dup := active.LoadOrStore(j.JobID, true); dup {
			overlaps.Add(1)
		}
		runs.Add(1)
		time.Sleep(200 * time.Microsecond)
		active.Delete(j.JobID)
		return "", 0, 0, nil
	})
	var ids []GUID
	for i := 0; i < 4; i++ {
		ids = append(ids, f.job(t, lsJob(fmt.Sprintf("job%d", i)), every15()).JobID)
	}
	f.s.Start(context.Background())
	var wg sync.WaitGroup
	var accepted, refused atomic.Int32
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := 0; k < 50; k++ {
				err := f.s.StartJob(ids[(g+k)%len(ids)], StartOptions{User: "sa"})
				var ar *AlreadyRunningError
				switch {
				case err == nil:
					accepted.Add(1)
				case errors.As(err, &ar):
					refused.Add(1)
				default:
					t.Error(err)
				}
				if k%10 == 0 {
					f.clock.Advance(5 * time.Minute)
				}
				_ = f.s.Snapshot()
			}
		}()
	}
	wg.Wait()
	f.s.WaitIdle(context.Background())
	if overlaps.Load() != 0 {
		t.Fatalf("%d overlapping runs of one job", overlaps.Load())
	}
	if accepted.Load() == 0 || accepted.Load()+refused.Load() != 400 || runs.Load() < accepted.Load() {
		t.Fatalf("accepted %d refused %d runs %d", accepted.Load(), refused.Load(), runs.Load())
	}
}

func TestHistoryLimits(t *testing.T) {
	c := NewManualClock(at("2026-03-01 00:00:00"))
	ex := &recorder{clock: c}
	s, _ := New(Config{Clock: c, Executor: ex, InlineRuns: true, MaxHistoryRowsPerJob: 6, MaxHistoryRows: 10})
	f := &fixture{clock: c, exec: ex, s: s}
	a := f.job(t, lsJob("a"), every15())
	b := f.job(t, lsJob("b"), every15())
	s.Start(context.Background())
	defer s.Stop(context.Background())
	c.Advance(3 * time.Hour)
	ha, hb, all := s.History(a.JobID), s.History(b.JobID), s.History(GUID{})
	if len(all) != 10 || len(ha)+len(hb) != 10 || len(ha) > 6 || len(hb) > 6 {
		t.Fatalf("rows a=%d b=%d all=%d", len(ha), len(hb), len(all))
	}
	// 12 runs of each job wrote 48 rows; the 10 kept are the newest
	if last := all[len(all)-1]; last.RunTime != 30000 || last.StepID != 0 || last.JobID != b.JobID || last.InstanceID != 48 {
		t.Fatalf("newest row %+v", last)
	}
	for i := 1; i < len(all); i++ {
		if all[i].InstanceID != all[i-1].InstanceID+1 {
			t.Fatalf("kept rows are not the newest: %+v", all)
		}
	}
}

func TestSnapshotRestoreJSON(t *testing.T) {
	f := newFixture(t, true, "2026-03-01 10:00:00")
	j := f.job(t, lsJob("LSBackup_mgc"), every15())
	f.job(t, Job{Name: "two", Steps: []Step{{StepID: 1, StepName: "s", Subsystem: "TSQL", Command: "SELECT 1", DatabaseName: "master"}}})
	f.s.Start(context.Background())
	f.clock.Advance(time.Hour)
	f.s.Stop(context.Background())
	st := f.s.Snapshot()
	b, err := json.Marshal(st)
	if err != nil {
		t.Fatal(err)
	}
	var back State
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	s2, _ := New(Config{Clock: f.clock, Executor: f.exec, InlineRuns: true})
	if err := s2.Restore(back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(s2.Snapshot(), st) {
		t.Fatalf("restored state differs:\n%+v\n%+v", s2.Snapshot(), st)
	}
	// ids keep counting from where they were
	sc, _ := s2.AddSchedule(every15())
	if sc.ScheduleID != 2 {
		t.Fatalf("new schedule id %d", sc.ScheduleID)
	}
	s2.Start(context.Background())
	defer s2.Stop(context.Background())
	f.clock.Advance(15 * time.Minute)
	h := s2.History(j.JobID)
	if h[len(h)-1].InstanceID != len(st.History)+2 {
		t.Fatalf("instance ids restarted: %+v", h[len(h)-1])
	}
	bad := st
	bad.Attachments = append(bad.Attachments, Attachment{JobID: GUID{9}, ScheduleID: 1})
	s3, _ := New(Config{Executor: f.exec})
	if err := s3.Restore(bad); err == nil {
		t.Fatal("inconsistent state restored")
	}
}

func TestJobValidation(t *testing.T) {
	f := newFixture(t, true, "2026-03-01 10:00:00")
	f.job(t, lsJob("LSBackup_mgc"))
	cases := []struct {
		name string
		job  Job
	}{
		{"duplicate name", lsJob("lsbackup_MGC")},
		{"empty name", lsJob(" ")},
		{"step gap", Job{Name: "x", Steps: []Step{{StepID: 2, StepName: "a", Subsystem: "TSQL"}}}},
		{"bad subsystem", Job{Name: "x", Steps: []Step{{StepID: 1, StepName: "a", Subsystem: "Bash"}}}},
		{"goto self", Job{Name: "x", Steps: []Step{{StepID: 1, StepName: "a", Subsystem: "TSQL", OnFailAction: ActionGotoStep, OnFailStepID: 1}}}},
		{"goto missing", Job{Name: "x", Steps: []Step{{StepID: 1, StepName: "a", Subsystem: "TSQL", OnSuccessAction: ActionGotoStep, OnSuccessStepID: 5}}}},
	}
	for _, tc := range cases {
		if _, err := f.s.AddJob(tc.job); err == nil {
			t.Errorf("%s: accepted", tc.name)
		}
	}
	if err := f.s.AttachSchedule(GUID{1}, 1); err == nil {
		t.Error("attach to a missing job accepted")
	}
}
