package failback_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/memory"
	"github.com/pchatdr/harness/failback/topology"
)

func failoverPrecondition(t *testing.T, name string) failback.Precondition {
	for _, p := range failback.FailoverPreconditions() {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no precondition %s", name)
	return failback.Precondition{}
}

func up(name string) func(f *fixture) {
	return func(f *fixture) { f.world.Lock(func(w *memory.World) { w.Instance(name).Down = false }) }
}

func TestFailoverPreconditions(t *testing.T) {
	cases := []struct {
		check   string
		arrange func(f *fixture)
		want    string // "" means pass; else a substring of the message
		warn    string // a substring of a warning, when set
	}{
		{failback.PreNameBackupUp, nil, "", ""},
		{failback.PreNameBackupUp, func(f *fixture) { f.world.Lock(func(w *memory.World) { w.Instance("sql-backup").Down = true }) }, "backup SQL instance sql-backup does not answer", ""},
		{failback.PreNameBackupUp, func(f *fixture) { f.world.Lock(func(w *memory.World) { w.Pool.Down = true }) }, "management endpoint", ""},

		{failback.PreNamePrimaryLost, nil, "", ""},
		{failback.PreNamePrimaryLost, up("sql-primary"), "sql-primary answers and its mgc is ONLINE and writable", ""},
		{failback.PreNamePrimaryLost, func(f *fixture) {
			up("sql-primary")(f)
			f.world.Lock(func(w *memory.World) { w.Instance("sql-primary").Databases["mgc"].State = "SUSPECT" })
		}, "", ""},
		{failback.PreNamePrimaryLost, func(f *fixture) {
			up("sql-primary")(f)
			f.world.FailNext("sql-primary", "ServerName", memory.SQLError(18456, "Login failed for user 'sa'."))
		}, "answers but cannot be read", ""},
		{failback.PreNamePrimaryLost, func(f *fixture) {
			up("sql-primary-mirror")(f)
			f.world.Lock(func(w *memory.World) {
				d := w.Instance("sql-primary-mirror").Databases["mgc"]
				d.State, d.Mirror.Role = "ONLINE", "PRINCIPAL" // the mirror took over before the site died
			})
		}, "sql-primary-mirror answers and its mgc is ONLINE", ""},
		{failback.PreNamePrimaryLost, up("sql-primary-mirror"), "", ""}, // up but still the RESTORING mirror

		{failback.PreNameBackupSecondary, nil, "", ""},
		{failback.PreNameBackupSecondary, func(f *fixture) {
			f.world.Lock(func(w *memory.World) { w.Instance("sql-backup").Databases["mgc"].State = "ONLINE" })
		}, "already recovered", ""},
		{failback.PreNameBackupSecondary, func(f *fixture) {
			f.world.Lock(func(w *memory.World) { delete(w.Instance("sql-backup").Databases, "mgc") })
		}, "holds no mgc", ""},
		{failback.PreNameBackupSecondary, func(f *fixture) {
			f.world.Lock(func(w *memory.World) {
				w.Instance("sql-backup").Databases["mgc"].Mirror = failback.Mirroring{Mirrored: true, Role: "MIRROR", Partner: "TCP://x:5022"}
			})
		}, "is a mirroring MIRROR", ""},
		{failback.PreNameBackupSecondary, func(f *fixture) {
			f.world.SQL("sql-backup").RemoveLogShippingSecondary(context.Background(), "mgc")
		}, "", "no log-shipping secondary entry"},

		{failback.PreNamePoolNormal, nil, "", ""},
		{failback.PreNamePoolNormal, func(f *fixture) { f.world.Lock(func(w *memory.World) { w.Pool.State = lync.PoolFailedOver }) }, "not Normal", ""},

		{failback.PreNameFailoverPlacement, nil, "", ""},
		{failback.PreNameFailoverPlacement, func(f *fixture) { f.topo.Pool.FailoverActiveServers = nil }, "is empty", ""},
		{failback.PreNameFailoverPlacement, func(f *fixture) {
			f.topo.Pool.FailoverActiveServers = []string{"pc4.dc1.contoso.test", "pc5.dc2.contoso.test", "pc6.dc2.contoso.test", "pc7.dc2.contoso.test", "pc8.dc2.contoso.test"}
		}, "at most 4", ""},
		{failback.PreNameFailoverPlacement, func(f *fixture) {
			f.topo.Placement.MaxRTTMs = 1
			f.topo.Pool.FailoverActiveServers = []string{"pc1.dc1.contoso.test"}
		}, "pc1.dc1.contoso.test is in dc1, 4 ms from dc2", ""},
		{failback.PreNameFailoverPlacement, func(f *fixture) {
			f.world.Lock(func(w *memory.World) { w.Pool.Servers = w.Pool.Servers[:5] }) // pc6 left the running pool
		}, "pc6.dc2.contoso.test is not a server of the running pool", ""},

		{failback.PreNameBackupMirror, nil, "", ""},
		{failback.PreNameBackupMirror, func(f *fixture) { dropInstance(f.topo, topology.RoleBackupMirror) }, "", "without a mirror"},
		{failback.PreNameBackupMirror, func(f *fixture) {
			in, _ := f.topo.InstanceByRole(topology.RoleBackupMirror)
			in.Host = "sqlbak.dc2.contoso.test"
		}, "another server", ""},
		{failback.PreNameBackupMirror, func(f *fixture) { f.topo.Share.UNC = `D:\not-unc` }, "not a UNC path", ""},
		{failback.PreNameBackupMirror, func(f *fixture) {
			f.world.Lock(func(w *memory.World) { w.Instance("sql-backup-mirror").Down = true })
		}, "sql-backup-mirror (sqlbakmir.dc2.contoso.test) does not answer", ""},
		{failback.PreNameBackupMirror, func(f *fixture) { // what every failback leaves
			f.world.Lock(func(w *memory.World) {
				w.Instance("sql-backup-mirror").Databases["mgc"] = &memory.Database{Name: "mgc", State: "RESTORING", RecoveryModel: "FULL"}
			})
		}, "", ""},
		{failback.PreNameBackupMirror, func(f *fixture) {
			f.world.Lock(func(w *memory.World) {
				w.Instance("sql-backup-mirror").Databases["mgccomp"] = &memory.Database{Name: "mgccomp", State: "ONLINE", RecoveryModel: "FULL"}
			})
		}, "mgccomp on the backup-mirror instance sql-backup-mirror is ONLINE", ""},
		{failback.PreNameBackupMirror, func(f *fixture) {
			f.world.Lock(func(w *memory.World) {
				w.Instance("sql-backup-mirror").Databases["mgc"] = &memory.Database{Name: "mgc", State: "RESTORING", RecoveryModel: "FULL",
					Mirror: failback.Mirroring{Mirrored: true, Role: "MIRROR", Partner: "TCP://sqlold.dc2.contoso.test:5022"}}
			})
		}, "is a mirroring MIRROR with TCP://sqlold.dc2.contoso.test:5022", ""},
		{failback.PreNameBackupMirror, func(f *fixture) {
			f.world.Lock(func(w *memory.World) { delete(w.Instance("sql-backup").Databases, "mgccomp") })
		}, "holds no mgccomp", ""},
	}
	for _, c := range cases {
		f := newFailoverFixture(t)
		if c.arrange != nil {
			c.arrange(f)
		}
		res := failoverPrecondition(t, c.check).Run(context.Background(), f.newEnv())
		switch {
		case c.want == "" && !res.OK:
			t.Errorf("%s: refused: %s", c.check, res.Message)
		case c.want != "" && res.OK:
			t.Errorf("%s: passed (%s), want a refusal with %q", c.check, res.Message, c.want)
		case c.want != "" && !strings.Contains(res.Message, c.want):
			t.Errorf("%s: message %q lacks %q", c.check, res.Message, c.want)
		}
		if c.warn != "" && !strings.Contains(strings.Join(res.Warnings, "; "), c.warn) {
			t.Errorf("%s: warnings %q lack %q", c.check, res.Warnings, c.warn)
		}
	}
}

func dropInstance(t *topology.Topology, r topology.Role) {
	for i := range t.Instances {
		if t.Instances[i].Role == r {
			t.Instances = append(t.Instances[:i], t.Instances[i+1:]...)
			return
		}
	}
}

// --primary-site-lost acknowledges the decision; it does not silence a
// primary mgc the engine reaches ONLINE and writable (split brain): that
// refuses, changing nothing, unless --force-with-live-primary is given
// too. A primary that answers but whose mgc cannot be read is what
// --primary-site-lost alone overrides.
func TestFailoverPrimaryAliveNeedsForce(t *testing.T) {
	unreadable := func(f *fixture) {
		up("sql-primary")(f)
		for i := 0; i < 10; i++ { // every attempt of the check, and more
			f.world.FailNext("sql-primary", "DatabaseState", memory.SQLError(916, `The server principal "failback" is not able to access the database "mgc" under the current security context.`))
		}
	}
	cases := []struct {
		name            string
		arrange         func(f *fixture)
		siteLost, force bool
		want            string // "refused" or the precondition's outcome in a run that went on
	}{
		{"writable primary, no flag", up("sql-primary"), false, false, "refused"},
		{"writable primary, --primary-site-lost alone", up("sql-primary"), true, false, "refused"},
		{"writable primary, --force-with-live-primary alone", up("sql-primary"), false, true, "refused"},
		{"writable primary, both flags", up("sql-primary"), true, true, failback.OutcomeOverridden},
		{"unreadable primary, no flag", unreadable, false, false, "refused"},
		{"unreadable primary, --primary-site-lost", unreadable, true, false, failback.OutcomeOverridden},
		{"primary down, no flag", nil, false, false, failback.OutcomeOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := newFailoverFixture(t)
			if c.arrange != nil {
				c.arrange(f)
			}
			o := f.opts()
			o.PrimarySiteLost, o.ForceWithLivePrimary = c.siteLost, c.force
			rec := &recorder{}
			r := &failback.Runner{Plan: failback.FailoverPlan(), Env: f.world.Env(o), Sinks: []failback.Sink{rec}}
			res, err := r.Run(context.Background())
			if c.want == "refused" {
				if !errors.Is(err, failback.ErrRefused) || res.Outcome != failback.OutcomeRefused {
					t.Fatalf("outcome %s err %v, want refused", res.Outcome, err)
				}
				if n := len(f.world.Calls()); n != 0 {
					t.Fatalf("a refused failover made %d changes", n)
				}
				if !strings.Contains(err.Error(), failback.PreNamePrimaryLost) {
					t.Fatalf("refusal %v does not name %s", err, failback.PreNamePrimaryLost)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			for _, e := range rec.kind(failback.KindPrecondition) {
				if e.Check == failback.PreNamePrimaryLost {
					got = e.Outcome
				}
			}
			if got != c.want {
				t.Errorf("precondition %s journalled %q, want %q", failback.PreNamePrimaryLost, got, c.want)
			}
		})
	}
}

// failoverEnd is what a finished failover leaves, compared between runs.
func failoverEnd(t *testing.T, f *fixture) string {
	t.Helper()
	var b strings.Builder
	f.world.Lock(func(w *memory.World) {
		bk := w.Instance("sql-backup").Databases["mgc"]
		b.WriteString("backup=" + bk.State + " pool=" + string(w.Pool.State) + " active=" + strings.Join(w.Pool.Active, ","))
		if bk.ReadOnly || bk.Standby {
			b.WriteString(" read-only")
		}
		b.WriteString(" mirror=" + bk.Mirror.Role + "/" + bk.Mirror.State + "/" + bk.Mirror.Partner)
		if m := w.Instance("sql-backup-mirror").Databases["mgc"]; m != nil {
			b.WriteString(" mirrorside=" + m.State + "/" + m.Mirror.Role)
		}
		for k, v := range w.LoggedContent {
			if bk.Tables[k] != v {
				b.WriteString(" " + k + " differs from the last log backup")
			}
		}
	})
	for _, j := range []string{f.topo.LogShipping.CopyJob, f.topo.LogShipping.RestoreJob} {
		if f.world.JobExists("sql-backup", j) {
			b.WriteString(" job " + j + " left")
		}
	}
	return b.String()
}

func TestFailoverEndState(t *testing.T) {
	f := newFailoverFixture(t)
	rec := &recorder{}
	res, err := failoverRunner(f, rec).Run(context.Background())
	if err != nil || res.Outcome != failback.OutcomeOK {
		t.Fatalf("outcome %s: %v", res.Outcome, err)
	}
	want := "backup=ONLINE pool=FailedOver active=pc5.dc2.contoso.test,pc6.dc2.contoso.test mirror=PRINCIPAL/SYNCHRONIZED/TCP://sqlbakmir.dc2.contoso.test:5022 mirrorside=RESTORING/MIRROR"
	if got := failoverEnd(t, f); got != want {
		t.Fatalf("end state\n got %s\nwant %s", got, want)
	}
	// Nothing acknowledged before the last log backup was lost; what came
	// after it could not be (the primary is gone).
	f.world.Lock(func(w *memory.World) {
		if w.LoggedContent["dbo.tblChat"] == w.PrimaryContent["dbo.tblChat"] {
			t.Error("the fixture has no post-backup writes: RPO is not exercised")
		}
	})
	if f.world.SessionsNow("sql-backup", "mgc") == 0 {
		t.Error("no chat session on the new primary")
	}
	// mgccomp is mirrored too: the failback removes mirroring on both.
	f.world.Lock(func(w *memory.World) {
		if m := w.Instance("sql-backup").Databases["mgccomp"].Mirror; m.Role != "PRINCIPAL" || m.State != "SYNCHRONIZED" || m.Partner != "TCP://sqlbakmir.dc2.contoso.test:5022" {
			t.Errorf("mgccomp on the backup: mirroring %+v, want the SYNCHRONIZED principal with the backup-mirror", m)
		}
	})
	// The documented commands, in the journal.
	var texts []string
	for _, e := range rec.kind(failback.KindSent) {
		texts = append(texts, e.Text)
	}
	all := strings.Join(texts, "\n")
	for _, w := range []string{
		"EXEC msdb.dbo.sp_start_job @job_name = N'LSCopy_sqlpri_mgc';",
		"EXEC master.dbo.sp_delete_log_shipping_secondary_database @secondary_database = N'mgc';",
		"RESTORE LOG [mgc] FROM DISK = N'D:\\PChatLogShipCopy\\mgc_",
		"WITH FILE = 1, NORECOVERY",
		"RESTORE DATABASE [mgc] WITH RECOVERY",
		"Set-CsPersistentChatState -Identity 'service:pchat.contoso.test' -PoolState 'FailedOver'",
		"Install-CsMirrorDatabase -DatabaseType 'PersistentChat' -SqlServerFqdn 'sqlbak.dc2.contoso.test' -FileShare '\\\\files.contoso.test\\pchat-logship'",
		"Install-CsMirrorDatabase -DatabaseType 'PersistentChatCompliance' -SqlServerFqdn 'sqlbak.dc2.contoso.test' -FileShare '\\\\files.contoso.test\\pchat-logship'",
		"Set-CsPersistentChatActiveServer -Identity 'global' -ActiveServers @{Replace=@('pc5.dc2.contoso.test','pc6.dc2.contoso.test')}",
		"EXEC master.sys.xp_dirtree N'D:\\PChatLogShipCopy', 1, 1",
		"RESTORE HEADERONLY FROM DISK = N'",
	} {
		if !strings.Contains(all, w) {
			t.Errorf("journal lacks %q", w)
		}
	}
	if n := f.world.CountCalls("sql-backup", "RestoreLog"); n != 2 {
		t.Errorf("%d log restores, want 2 (one copied, one from the share)", n)
	}
}

func TestFailoverOrdering(t *testing.T) {
	f := newFailoverFixture(t)
	if _, err := failoverRunner(f).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	calls := f.world.Calls()
	at := func(op string, last bool) int {
		return indexOf(calls, func(c memory.Call) bool { return c.Op == op }, last)
	}
	order := []struct {
		op   string
		last bool
	}{{"StartJob", true}, {"RemoveLogShippingSecondary", false}, {"RestoreLog", false}, {"RestoreLog", true},
		{"RecoverDatabase", false}, {"SetPoolState", false}, {"SetActiveServers", false}, {"InstallMirrorDatabase", false}}
	prev := -1
	for _, o := range order {
		i := at(o.op, o.last)
		if i < 0 || i < prev {
			t.Fatalf("%s at %d, after %d: %+v", o.op, i, prev, calls)
		}
		prev = i
	}
	var logs []string
	for _, c := range calls {
		if c.Op == "RestoreLog" {
			logs = append(logs, c.Text)
		}
	}
	if len(logs) != 2 || logs[0] >= logs[1] {
		t.Errorf("log restores out of order: %q", logs)
	}
	if at("ClearActiveServers", false) >= 0 {
		t.Error("the failover cleared the active list; the reference replaces it in step 7")
	}
}

func runFailover(t *testing.T, f *fixture, o *failback.Options) (failback.Result, *recorder, error) {
	t.Helper()
	opts := f.opts()
	if o != nil {
		opts = *o
	}
	rec := &recorder{}
	r := &failback.Runner{Plan: failback.FailoverPlan(), Env: f.world.Env(opts), Sinks: []failback.Sink{rec}}
	res, err := r.Run(context.Background())
	return res, rec, err
}

func notes(rec *recorder) string {
	var n []string
	for _, e := range rec.kind(failback.KindNote) {
		n = append(n, e.Message)
	}
	for _, e := range rec.kind(failback.KindStepEnd) {
		n = append(n, e.Message)
	}
	return strings.Join(n, "\n")
}

func TestFailoverSteps(t *testing.T) {
	share := `\\files.contoso.test\pchat-logship`
	copyDir := `D:\PChatLogShipCopy`
	cases := []struct {
		name    string
		arrange func(f *fixture)
		opts    func(o *failback.Options)
		failed  string // "" means the run succeeds
		want    string // substring of the error, or of the notes when it succeeds
		check   func(t *testing.T, f *fixture)
	}{
		{name: "share lost with the primary site: copy skipped, copied logs applied", arrange: func(f *fixture) {
			f.world.Lock(func(w *memory.World) { delete(w.Instance("sql-backup").Dirs, strings.ToLower(share)) })
		}, want: "not reachable from sql-backup", check: func(t *testing.T, f *fixture) {
			if n := f.world.CountCalls("sql-backup", "RestoreLog"); n != 1 {
				t.Errorf("%d log restores, want 1 (the copied one)", n)
			}
			if f.world.CountCalls("sql-backup", "StartJob") != 0 {
				t.Error("ran the copy job against an unreachable share")
			}
		}},
		{name: "agent stopped: copy job cannot start", arrange: func(f *fixture) {
			f.world.Lock(func(w *memory.World) { w.Instance("sql-backup").Services[1].Status = "Stopped" })
		}, failed: failback.StepCopyLogs, want: "22022"},
		{name: "log shipping removed by hand: copy job gone, step goes on", arrange: func(f *fixture) {
			f.world.SQL("sql-backup").RemoveLogShippingSecondary(context.Background(), "mgc")
		}, want: "no longer exists", check: func(t *testing.T, f *fixture) {
			// The uncopied log is read from the share: nothing lost.
			if got := failoverEnd(t, f); strings.Contains(got, "differs") {
				t.Errorf("end state %s", got)
			}
		}},
		{name: "missing log backup: 4305 gap stops before recovery", arrange: func(f *fixture) {
			fs := f.world.Files(copyDir)
			name := fs[len(fs)-1] // copied, not restored
			f.world.RemoveFile(copyDir + `\` + name)
			f.world.RemoveFile(share + `\` + name)
		}, failed: failback.StepRestoreLogs, want: "4305", check: func(t *testing.T, f *fixture) {
			if f.world.CountCalls("", "RecoverDatabase") != 0 {
				t.Error("recovered past a gap")
			}
		}},
		{name: "restore history forgotten: 4326 answers mark applied logs", arrange: func(f *fixture) {
			f.world.ForgetRestoreHistory("sql-backup")
		}, want: "too early for mgc (4326)", check: func(t *testing.T, f *fixture) {
			if got := failoverEnd(t, f); strings.Contains(got, "differs") {
				t.Errorf("end state %s", got)
			}
		}},
		{name: "a reader holds a session: killed before recovery", arrange: func(f *fixture) {
			f.world.Lock(func(w *memory.World) {
				w.Instance("sql-backup").Databases["mgc"].Other = []failback.Session{{ID: 77, Login: `CONTOSO\dba`, Program: "SSMS", Host: "adm1"}}
			})
		}, want: "ending sql-backup mgc: session 77", check: func(t *testing.T, f *fixture) {
			if f.world.CountCalls("sql-backup", "KillSession") != 1 {
				t.Error("KILL 77 not sent")
			}
		}},
		{name: "a session reconnects once: 3101 then recovered", arrange: func(f *fixture) {
			f.world.FailNext("sql-backup", "RecoverDatabase", memory.SQLError(3101, "Exclusive access could not be obtained because the database is in use."))
		}, want: "reconnected to mgc before the recovery (3101)"},
		{name: "sessions keep coming back: 3101 is reported", arrange: func(f *fixture) {
			e := memory.SQLError(3101, "Exclusive access could not be obtained because the database is in use.")
			f.world.FailNext("sql-backup", "RecoverDatabase", e, e, e)
		}, failed: failback.StepRecover, want: "3101"},
		{name: "Set-CsPersistentChatState refused", arrange: func(f *fixture) {
			f.world.FailNext("pool", "SetPoolState", &lync.CmdletError{Command: "Set-CsPersistentChatState", Message: "denied"})
		}, failed: failback.StepPoolFailedOver, want: "denied"},
		{name: "no backup-mirror instance: mirroring skipped", arrange: func(f *fixture) {
			dropInstance(f.topo, topology.RoleBackupMirror)
		}, want: "skip: the topology has no backup-mirror instance", check: func(t *testing.T, f *fixture) {
			if f.world.CountCalls("pool", "InstallMirrorDatabase") != 0 {
				t.Error("installed a mirror with no mirror instance")
			}
		}},
		{name: "stale mgc on the mirror: replaced with -DropExistingDatabasesOnMirror", arrange: func(f *fixture) {
			f.world.Lock(func(w *memory.World) {
				w.Instance("sql-backup-mirror").Databases["mgc"] = &memory.Database{Name: "mgc", State: "RESTORING", RecoveryModel: "FULL"}
			})
		}, want: "holds a copy of mgc left RESTORING by an earlier mirroring session", check: func(t *testing.T, f *fixture) {
			var texts []string
			for _, c := range f.world.Calls() {
				if c.Op == "InstallMirrorDatabase" {
					texts = append(texts, c.Text)
				}
			}
			if len(texts) != 2 || !strings.Contains(texts[0], "-DatabaseType 'PersistentChat' ") || !strings.Contains(texts[0], " -DropExistingDatabasesOnMirror") ||
				strings.Contains(texts[1], "DropExisting") {
				t.Errorf("Install-CsMirrorDatabase calls %q: want mgc's with -DropExistingDatabasesOnMirror, then mgccomp's without (nothing on the mirror)", texts)
			}
		}},
		{name: "Install-CsMirrorDatabase fails after the pool switched: chat is already up", arrange: func(f *fixture) {
			f.world.FailNext("pool", "InstallMirrorDatabase", &lync.CmdletError{Command: "Install-CsMirrorDatabase", Message: "The server network address \"TCP://sqlbakmir.dc2.contoso.test:5022\" can not be reached or does not exist."})
		}, failed: failback.StepInstallMirror, want: "can not be reached", check: func(t *testing.T, f *fixture) {
			f.world.Lock(func(w *memory.World) {
				if strings.Join(w.Pool.Active, ",") != "pc5.dc2.contoso.test,pc6.dc2.contoso.test" {
					t.Errorf("active servers %v when mirroring failed: chat waits for the mirror", w.Pool.Active)
				}
			})
			if f.world.SessionsNow("sql-backup", "mgc") == 0 {
				t.Error("no chat session on the new primary when mirroring failed")
			}
		}},
		{name: "active servers refused by the cmdlet", arrange: func(f *fixture) {
			f.world.FailNext("pool", "SetActiveServers", &lync.CmdletError{Command: "Set-CsPersistentChatActiveServer", Message: "not a pool server"})
		}, failed: failback.StepFailoverActive, want: "not a pool server"},
		{name: "no chat server connects to the new primary", arrange: func(f *fixture) {
			f.world.Lock(func(w *memory.World) { w.Pool.ArrivalReads = 1 << 20 })
		}, failed: failback.StepFailoverActive, want: "wait timed out"},
		{name: "standby secondary", arrange: nil, want: "verified"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var f *fixture
			if c.name == "standby secondary" {
				topo := loadTopo(t)
				topo.LogShipping.RestoreMode = topology.RestoreStandby
				c2 := newClock()
				w := memory.NewFailoverWorld(topo, memory.DefaultFailoverLogs)
				w.Now = c2.Now
				f = &fixture{topo: topo, world: w, clock: c2}
			} else {
				f = newFailoverFixture(t)
			}
			if c.arrange != nil {
				c.arrange(f)
			}
			var o *failback.Options
			if c.opts != nil {
				x := f.opts()
				c.opts(&x)
				o = &x
			}
			res, rec, err := runFailover(t, f, o)
			if c.failed == "" {
				if err != nil {
					t.Fatalf("failed at %s: %v", res.Failed, err)
				}
				if !strings.Contains(notes(rec), c.want) && !strings.Contains(stepOutcomes(rec), c.want) {
					t.Errorf("notes lack %q:\n%s", c.want, notes(rec))
				}
			} else {
				if err == nil || res.Failed != c.failed {
					t.Fatalf("outcome %s failed %q err %v, want a failure at %s", res.Outcome, res.Failed, err, c.failed)
				}
				if !strings.Contains(err.Error(), c.want) {
					t.Errorf("error %v lacks %q", err, c.want)
				}
			}
			if c.check != nil {
				c.check(t, f)
			}
		})
	}
}

func stepOutcomes(rec *recorder) string {
	var o []string
	for _, e := range rec.kind(failback.KindStepEnd) {
		o = append(o, e.Outcome)
	}
	return strings.Join(o, " ")
}

// A copy job that fails (its account lost write on the copy folder) stops
// the failover before log shipping is removed, with the job's message; a
// resume after the operator fixed it finishes without losing a log.
func TestFailoverCopyJobFailsThenResume(t *testing.T) {
	f := newFailoverFixture(t)
	f.world.FailJob("sql-backup", f.topo.LogShipping.CopyJob, "Access to the path 'D:\\PChatLogShipCopy' is denied.")
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, _ := failback.OpenJournal(path)
	res, err := (&failback.Runner{Plan: failback.FailoverPlan(), Env: f.newEnv(), Journal: j}).Run(context.Background())
	j.Close()
	if err == nil || res.Failed != failback.StepCopyLogs || !strings.Contains(err.Error(), "is denied") {
		t.Fatalf("failed %q err %v, want the copy step with the job's message", res.Failed, err)
	}
	if f.world.CountCalls("", "RemoveLogShippingSecondary") != 0 {
		t.Fatal("log shipping removed after the copy job failed")
	}
	prev, _, _ := failback.ReadJournalFile(path)
	if _, err := (&failback.Runner{Plan: failback.FailoverPlan(), Env: f.newEnv(), Previous: prev}).Run(context.Background()); err != nil {
		t.Fatalf("resume: %v", err)
	}
	if got := failoverEnd(t, f); strings.Contains(got, "differs") {
		t.Errorf("end state %s", got)
	}
}

// A log backup the copy job did not bring over is restored from the share.
func TestFailoverRestoresFromShareWhenNotCopied(t *testing.T) {
	f := newFailoverFixture(t)
	copyDir := f.topo.LogShipping.CopyDirectory
	rec := &recorder{}
	stop := failback.SinkFunc(func(e failback.Event) {
		// The job ran, then the copied file vanished (antivirus, a
		// cleanup job): the share still has it.
		if e.Kind == failback.KindPhase && e.Phase == failback.PhaseApply && e.Step == failback.StepCopyLogs {
			fs := f.world.Files(copyDir)
			f.world.RemoveFile(copyDir + `\` + fs[len(fs)-1])
		}
	})
	if _, err := failoverRunner(f, rec, stop).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(notes(rec), "restores them from the share") {
		t.Errorf("notes:\n%s", notes(rec))
	}
	found := false
	for _, c := range f.world.Calls() {
		if c.Op == "RestoreLog" && strings.Contains(c.Text, f.topo.Share.UNC) {
			found = true
		}
	}
	if !found {
		t.Error("no RESTORE LOG from the share")
	}
	if got := failoverEnd(t, f); strings.Contains(got, "differs") {
		t.Errorf("end state %s", got)
	}
}

// TestFailoverCrashAtEveryBoundaryThenResume cancels the run right after
// each phase and step end, then resumes from the journal on disk with a
// fresh runner; every resumed run must end as a clean one does, with one
// recovery, one mirror install and each log restored once.
func TestFailoverCrashAtEveryBoundaryThenResume(t *testing.T) {
	clean := newFailoverFixture(t)
	if _, err := failoverRunner(clean).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	want := failoverEnd(t, clean)
	for k := 1; ; k++ {
		f := newFailoverFixture(t)
		_, resumed, more := crashAndResume(t, f, failback.FailoverPlan, k)
		if !more {
			break
		}
		if !resumed {
			continue
		}
		if got := failoverEnd(t, f); got != want {
			t.Errorf("k=%d: end state\n got %s\nwant %s", k, got, want)
		}
		// InstallMirrorDatabase: once for mgc, once for mgccomp.
		for op, n := range map[string]int{"RecoverDatabase": 1, "InstallMirrorDatabase": 2, "RestoreLog": 2, "RemoveLogShippingSecondary": 1} {
			if got := f.world.CountCalls("", op); got != n {
				t.Errorf("k=%d: %d %s, want %d", k, got, op, n)
			}
		}
		if k > 200 {
			t.Fatal("runaway")
		}
	}
}

// The failback journal cannot be resumed as a failover and vice versa.
func TestResumeRefusesOtherPlan(t *testing.T) {
	f := newFailoverFixture(t)
	path := filepath.Join(t.TempDir(), "j.jsonl")
	j, _ := failback.OpenJournal(path)
	ctx, cancel := context.WithCancel(context.Background())
	stop := failback.SinkFunc(func(e failback.Event) {
		if e.Kind == failback.KindStepEnd {
			cancel()
		}
	})
	(&failback.Runner{Plan: failback.FailoverPlan(), Env: f.newEnv(), Journal: j, Sinks: []failback.Sink{stop}}).Run(ctx)
	j.Close()
	prev, _, _ := failback.ReadJournalFile(path)
	_, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv(), Previous: prev}).Run(context.Background())
	if err == nil || !strings.Contains(err.Error(), "journal is for plan failover") {
		t.Fatalf("err %v", err)
	}
}

// plan (dry run) of the failover shows every change and makes none.
func TestFailoverDryRun(t *testing.T) {
	f := newFailoverFixture(t)
	rec := &recorder{}
	res, err := (&failback.Runner{Plan: failback.FailoverPlan(), Env: f.env, Sinks: []failback.Sink{rec}}).DryRun(context.Background())
	if err != nil || res.Outcome != failback.OutcomeOK {
		t.Fatalf("dry run %s: %v", res.Outcome, err)
	}
	if n := len(f.world.Calls()); n != 0 {
		t.Fatalf("dry run changed %d things", n)
	}
	var changes []string
	for _, e := range rec.kind(failback.KindSent) {
		if e.Attrs["change"] == "true" {
			changes = append(changes, e.Text)
		}
	}
	all := strings.Join(changes, "\n")
	for _, w := range []string{"sp_start_job", "sp_delete_log_shipping_secondary_database", "RESTORE LOG [mgc]", "RESTORE DATABASE [mgc] WITH RECOVERY",
		"-PoolState 'FailedOver'", "Install-CsMirrorDatabase", "@{Replace=@('pc5.dc2.contoso.test','pc6.dc2.contoso.test')}"} {
		if !strings.Contains(all, w) {
			t.Errorf("plan lacks %q:\n%s", w, all)
		}
	}
}

func TestFailbackAfterFailover(t *testing.T) {
	// Both directions in one world: fail over, rebuild the primary, fail
	// back. The failback's preconditions must accept what the failover
	// left (backup mgc ONLINE and mirrored, pool FailedOver).
	f := newFailoverFixture(t)
	if _, err := failoverRunner(f).Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.world.Lock(func(w *memory.World) {
		p := w.Instance("sql-primary")
		p.Down = false
		p.Databases = map[string]*memory.Database{
			"mgc":     {Name: "mgc", State: "ONLINE", RecoveryModel: "FULL", Family: "rebuilt-mgc", Tables: map[string]memory.Table{"dbo.tblChat": {}}, LSN: 100},
			"mgccomp": {Name: "mgccomp", State: "ONLINE", RecoveryModel: "FULL", Family: "rebuilt-mgccomp", Tables: map[string]memory.Table{}, LSN: 100},
		}
	})
	rec := &recorder{}
	res, err := (&failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv(), Sinks: []failback.Sink{rec}}).Run(context.Background())
	if err != nil {
		for _, e := range rec.kind(failback.KindPrecondition) {
			t.Log(e.Check, e.Outcome, e.Message)
		}
		t.Fatalf("failback after failover: %s at %s: %v", res.Outcome, res.Failed, err)
	}
	f.world.Lock(func(w *memory.World) {
		p := w.Instance("sql-primary").Databases["mgc"]
		if p.Tables["dbo.tblChat"] != w.LoggedContent["dbo.tblChat"] {
			t.Errorf("the primary after failback holds %+v, want the failed-over content %+v", p.Tables["dbo.tblChat"], w.LoggedContent["dbo.tblChat"])
		}
	})
}
