package failback_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"testing"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/memory"
	"github.com/pchatdr/harness/failback/topology"
)

// The sqllogship copy step's output when the Agent account cannot list the
// share, as SQL Server Agent records it in the step row.
const copyDenied = `2026-03-01 12:00:00.00	Starting transaction log copy. Secondary ID: 'D65F94E7-CDA3-4A97-9814-D3C01BABACFA'  ` +
	`2026-03-01 12:00:00.01	*** Error: Could not list the backup source directory '\\files.contoso.test\pchat-logship'. ` +
	`Operating system error 5(Access is denied.).(mscorlib) ***`

// A log-shipping job that fails in step 5 stops the step at once (not
// after JobTimeout) with what the job history says: the job, the failed
// step and its error, and what to check.
func TestLogShippingJobFailureStopsAtOnce(t *testing.T) {
	cases := []struct {
		name     string
		instance string
		job      func(t *topology.Topology) string
		msg      string
		want     []string
	}{
		{"copy job, Agent cannot read the share", "sql-backup", func(t *topology.Topology) string { return t.LogShipping.CopyJob }, copyDenied,
			[]string{"LSCopy_sqlpri_mgc failed on sql-backup", "step 1 (Log shipping copy job step.)", "Operating system error 5(Access is denied.)",
				`read access to \\files.contoso.test\pchat-logship`}},
		{"backup job, share not writable", "sql-primary", func(t *topology.Topology) string { return t.LogShipping.BackupJob },
			"*** Error: Backup failed for Server 'SQLPRI'. Operating system error 5(Access is denied.). ***",
			[]string{"LSBackup_mgc failed on sql-primary", "step 1 (Log shipping backup job step.)", "Backup failed for Server", "write access to the share"}},
		{"restore job, a log backup missing", "sql-backup", func(t *topology.Topology) string { return t.LogShipping.RestoreJob },
			"*** Error: The log in this backup set begins at LSN 42, which is too recent to apply to the database. ***",
			[]string{"LSRestore_sqlpri_mgc failed on sql-backup", "step 1 (Log shipping restore job step.)", "too recent to apply"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			job := c.job(f.topo)
			f.world.FailJob(c.instance, job, c.msg)
			rec := &recorder{}
			res, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv(), Sinks: []failback.Sink{rec}}).Run(context.Background())
			if err == nil || res.Failed != failback.StepLogShipping {
				t.Fatalf("failed at %q: %v, want step %s", res.Failed, err, failback.StepLogShipping)
			}
			if errors.Is(err, failback.ErrWaitTimeout) {
				t.Fatalf("waited out the job timeout: %v", err)
			}
			var jf *failback.JobFailedError
			if !errors.As(err, &jf) || jf.Job != job || jf.Instance != c.instance || jf.Step == nil || jf.Step.StepID != 1 {
				t.Fatalf("error %v is not the job's failure %+v", err, jf)
			}
			if failback.IsTransient(err) {
				t.Errorf("a failed job is taken as transient (the step would be retried): %v", err)
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
			for _, e := range rec.kind(failback.KindStepEnd) {
				if e.Step == failback.StepLogShipping && e.Seconds >= f.opts().JobTimeout.Seconds() {
					t.Errorf("step 5 took %.0fs, want well under the job timeout %v", e.Seconds, f.opts().JobTimeout)
				}
			}
			// The full step output is in the journal for the operator.
			found := false
			for _, e := range rec.kind(failback.KindNote) {
				if strings.Contains(e.Message, "job "+job) && strings.Contains(e.Message, "Executed as user") {
					found = true
				}
			}
			if !found {
				t.Error("the step's full output is not in the journal")
			}
		})
	}
}

// The error keeps what the operator needs of a job's history: the job,
// the failed step, the marked errors of a sqllogship step or the SQL
// Server error of a T-SQL step, and the outcome.
func TestJobFailedErrorText(t *testing.T) {
	cases := []struct {
		name string
		err  failback.JobFailedError
		want []string
		not  []string
	}{
		{"sqllogship step: only the marked errors", failback.JobFailedError{Instance: "sql-backup", Job: "LSCopy_x", Status: failback.JobFailed, RunAt: "2026-03-01 12:00:00",
			Outcome: "The job failed.  The Job was invoked by Schedule 9.", Step: &failback.JobStepRun{StepID: 1, StepName: "Log shipping copy job step.", Message: "Executed as user: C\\a. " + copyDenied + "  Process Exit Code 1.  The step failed."}},
			[]string{"LSCopy_x failed on sql-backup at 2026-03-01 12:00:00: step 1 (Log shipping copy job step.): *** Error: Could not list", "Operating system error 5(Access is denied.).(mscorlib) ***", "job outcome: The job failed. The Job was invoked by Schedule 9."},
			[]string{"Starting transaction log copy", "Process Exit Code"}},
		{"T-SQL step: its error number", failback.JobFailedError{Instance: "sql-backup", Job: "J", Status: failback.JobFailed,
			Step: &failback.JobStepRun{StepID: 2, StepName: "restore", SQLMessage: 4305, Severity: 16, Message: "The log in this backup set begins at LSN 9. [SQLSTATE 42000] (Error 4305)"}},
			[]string{"J failed on sql-backup: step 2 (restore) SQL Server error 4305, severity 16: The log in this backup set begins at LSN 9."}, nil},
		{"canceled, no step rows", failback.JobFailedError{Instance: "i", Job: "J", Status: failback.JobCanceled, Outcome: "The job was stopped prior to completion by User sa.", Hint: "check it"},
			[]string{"J failed (canceled) on i; job outcome: The job was stopped prior to completion by User sa.; check it"}, []string{"step"}},
	}
	for _, c := range cases {
		got := c.err.Error()
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", c.name, got, w)
			}
		}
		for _, w := range c.not {
			if strings.Contains(got, w) {
				t.Errorf("%s: %q has %q", c.name, got, w)
			}
		}
	}
}

// Preconditions retry transient read errors (a WinRM 500, a reset
// connection) with the run's backoff, journal each retry, and refuse only
// on a definite answer or when the attempts run out.
func TestPreconditionsRetryTransient(t *testing.T) {
	http500 := &lync.HTTPStatusError{StatusCode: 500, Fault: "internal server error"}
	attempts := 4 // fixture Backoff.Attempts
	cases := []struct {
		name    string
		target  string
		op      string
		errs    []error
		refused string // "" means the run succeeds
		retries int    // retry notes expected
		check   string // the precondition that retried
	}{
		{"one WinRM 500 on the pool state", "pool", "PoolState", []error{http500}, "", 1, failback.PreNameDataCenterBack},
		{"three WinRM 500s", "pool", "PoolState", []error{http500, http500, http500}, "", 3, failback.PreNameDataCenterBack},
		{"a reset connection reading the Agent account", "sql-backup", "ServiceAccounts", []error{memory.ErrConnReset}, "", 1, failback.PreNameAgentAccount},
		{"WinRM 500 on every attempt", "pool", "PoolState", []error{http500, http500, http500, http500}, failback.PreNameDataCenterBack, attempts - 1, failback.PreNameDataCenterBack},
		{"a definite refusal is not retried", "sql-backup", "ServiceAccounts",
			[]error{memory.SQLError(297, "The user does not have permission to perform this action.")}, failback.PreNameAgentAccount, 0, failback.PreNameAgentAccount},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFixture(t)
			f.world.FailNext(c.target, c.op, c.errs...)
			rec := &recorder{}
			res, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv(), Sinks: []failback.Sink{rec}}).Run(context.Background())
			notes := 0
			for _, e := range rec.kind(failback.KindNote) {
				if e.Check == c.check && strings.Contains(e.Message, "will retry") {
					notes++
				}
			}
			if notes != c.retries {
				t.Errorf("%d retry notes for %s, want %d", notes, c.check, c.retries)
			}
			if c.refused == "" {
				if err != nil || res.Outcome != failback.OutcomeOK {
					t.Fatalf("outcome %s: %v, want the run to succeed after retrying", res.Outcome, err)
				}
				return
			}
			if !errors.Is(err, failback.ErrRefused) || !strings.Contains(err.Error(), c.refused) {
				t.Fatalf("outcome %s: %v, want refused by %s", res.Outcome, err, c.refused)
			}
			if c.retries > 0 && !strings.Contains(err.Error(), fmt.Sprintf("still failing after %d attempts", attempts)) {
				t.Errorf("refusal %v does not say the attempts ran out", err)
			}
			if n := len(f.world.Calls()); n != 0 {
				t.Errorf("a refused run made %d changes", n)
			}
		})
	}
}

// An instance that does not answer while connecting refuses under the
// precondition it breaks, by plan and by the instance's side.
func TestConnectRefusal(t *testing.T) {
	unreachable := func(role topology.Role) error {
		return fmt.Errorf("connect: %w", &failback.UnreachableError{What: "SQL instance x (" + string(role) + ")", Role: role, Err: syscall.ECONNREFUSED})
	}
	cases := []struct {
		plan  string
		err   error
		check string
		msg   string
	}{
		{failback.PlanFailback, unreachable(topology.RolePrimary), failback.PreNameDataCenterBack, "does not answer"},
		{failback.PlanFailback, unreachable(topology.RoleCompliancePrimary), failback.PreNameDataCenterBack, "does not answer"},
		{failback.PlanFailback, unreachable(topology.RoleBackup), failback.PreNameBackupReachable, "the backup instance does not answer"},
		{failback.PlanFailback, unreachable(topology.RoleComplianceBackup), failback.PreNameBackupReachable, "needs the backup instance"},
		{failback.PlanFailback, &failback.UnreachableError{What: "SQL instance sql-primary", Err: syscall.ECONNREFUSED}, failback.PreNameDataCenterBack, "sql-primary"},
		{failback.PlanFailover, unreachable(topology.RoleBackup), failback.PreNameBackupUp, "does not answer"},
		{failback.PlanFailback, errors.New("instance sql-primary: bad address"), "", ""},
	}
	for _, c := range cases {
		check, msg, ok := failback.ConnectRefusal(c.plan, c.err)
		if ok != (c.check != "") || check != c.check || !strings.Contains(msg, c.msg) {
			t.Errorf("%s, %v: %q %q %t, want %q containing %q", c.plan, c.err, check, msg, ok, c.check, c.msg)
		}
	}
	// plan lists the backup's reachability among the failback's checks.
	found := false
	for _, p := range failback.FailbackPreconditions() {
		found = found || p.Name == failback.PreNameBackupReachable
	}
	if !found {
		t.Errorf("the failback preconditions do not list %s", failback.PreNameBackupReachable)
	}
}

// Failover step 7 waits for a session from a server in the wanted active
// list; sessions of servers leaving the list (which followed the pool
// state to the backup mgc) do not count. A NetBIOS host_name matches the
// FQDN's first label.
func TestFailoverActiveWaitsForWantedServer(t *testing.T) {
	cases := []struct {
		name    string
		arrange func(w *memory.World)
		// atStep7 runs when step 7 starts (the world unlocked).
		atStep7 func(w *memory.World)
		want    string // "" means verified; else a substring of the error
		note    string // a substring of the step's note when verified
	}{
		{"only leaving servers hold sessions", func(w *memory.World) { w.Pool.LingerReads, w.Pool.ArrivalReads = 1<<20, 1<<20 }, nil,
			"a session from a failover active server", ""},
		{"leaving servers linger, wanted ones arrive later", func(w *memory.World) { w.Pool.LingerReads, w.Pool.ArrivalReads = 1<<20, 3 }, nil,
			"", "pc5.dc2.contoso.test"},
		{"a wanted server's session under its NetBIOS name", func(w *memory.World) { w.Pool.LingerReads, w.Pool.ArrivalReads = 1<<20, 1<<20 },
			func(w *memory.World) {
				d := w.Instance("sql-backup").Databases["mgc"]
				d.Other = append(d.Other, failback.Session{ID: 90, Login: `CONTOSO\pchatsvc`, Program: "Persistent Chat Server", Host: "PC6"})
			}, "", "PC6"},
		{"an unrelated host with a wanted server's domain", func(w *memory.World) { w.Pool.LingerReads, w.Pool.ArrivalReads = 1<<20, 1<<20 },
			func(w *memory.World) {
				d := w.Instance("sql-backup").Databases["mgc"]
				d.Other = append(d.Other, failback.Session{ID: 91, Login: `CONTOSO\admin`, Program: "SSMS", Host: "pc5.lab.contoso.test"})
			}, "a session from a failover active server", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFailoverFixture(t)
			f.world.Lock(c.arrange)
			rec := &recorder{}
			sinks := []failback.Sink{rec}
			if c.atStep7 != nil {
				sinks = append(sinks, failback.SinkFunc(func(e failback.Event) {
					if e.Kind == failback.KindStepStart && e.Step == failback.StepFailoverActive {
						f.world.Lock(c.atStep7)
					}
				}))
			}
			res, err := failoverRunner(f, sinks...).Run(context.Background())
			if c.want != "" {
				if err == nil || res.Failed != failback.StepFailoverActive || !strings.Contains(err.Error(), c.want) {
					t.Fatalf("failed at %q: %v, want step %s with %q", res.Failed, err, failback.StepFailoverActive, c.want)
				}
				if !strings.Contains(err.Error(), "pc1.dc1.contoso.test") {
					t.Errorf("the timeout does not name the leaving servers' sessions: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("failed at %q: %v", res.Failed, err)
			}
			found := false
			for _, e := range rec.kind(failback.KindNote) {
				if e.Step == failback.StepFailoverActive && strings.Contains(e.Message, "first chat session from") && strings.Contains(e.Message, c.note) {
					found = true
				}
			}
			if !found {
				t.Errorf("no note of the first session from %s", c.note)
			}
		})
	}
}
