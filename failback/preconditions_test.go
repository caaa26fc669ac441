package failback_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/lync"
	"github.com/pchatdr/harness/failback/memory"
)

func precondition(t *testing.T, name string) failback.Precondition {
	for _, p := range failback.FailbackPreconditions() {
		if p.Name == name {
			return p
		}
	}
	t.Fatalf("no precondition %s", name)
	return failback.Precondition{}
}

func TestPreconditions(t *testing.T) {
	cases := []struct {
		check   string
		arrange func(f *fixture)
		want    string // "" means pass; else a substring of the operator message
	}{
		{failback.PreNameDataCenterBack, nil, ""},
		{failback.PreNameDataCenterBack, func(f *fixture) { f.world.Lock(func(w *memory.World) { w.Instance("sql-primary").Down = true }) }, "primary SQL instance sql-primary does not answer"},
		{failback.PreNameDataCenterBack, func(f *fixture) { f.world.Lock(func(w *memory.World) { w.Pool.Down = true }) }, "management endpoint"},
		{failback.PreNameBackupReachable, nil, ""},
		{failback.PreNameBackupReachable, func(f *fixture) { f.world.Lock(func(w *memory.World) { w.Instance("sql-backup").Down = true }) }, "the backup instance sql-backup does not answer"},
		{failback.PreNameDatabases, nil, ""},
		{failback.PreNameDatabases, func(f *fixture) {
			f.world.Lock(func(w *memory.World) { delete(w.Instance("sql-primary").Databases, "mgccomp") })
		}, "Topology Builder"},
		{failback.PreNameDatabases, func(f *fixture) {
			f.world.Lock(func(w *memory.World) { w.Instance("sql-primary").Databases["mgc"].State = "RECOVERY_PENDING" })
		}, "mgc on sql-primary is RECOVERY_PENDING"},
		{failback.PreNameNoNewServers, nil, ""},
		{failback.PreNameNoNewServers, func(f *fixture) {
			f.world.Lock(func(w *memory.World) {
				w.Instance("sql-backup").Databases["mgc"].Mirror.Partner = "TCP://sqlnew.dc2.contoso.test:5022"
			})
		}, "not the topology's backup-mirror"},
		{failback.PreNameNoNewServers, func(f *fixture) {
			f.world.Lock(func(w *memory.World) { w.Pool.Servers = append(w.Pool.Servers, "pc9.dc2.contoso.test") })
		}, "pc9.dc2.contoso.test is not in the topology"},
		{failback.PreNameAgentAccount, nil, ""},
		{failback.PreNameAgentAccount, func(f *fixture) {
			f.world.Lock(func(w *memory.World) { w.Instance("sql-backup").Services[1].Account = `NT SERVICE\SQLSERVERAGENT` })
		}, "built-in low-privilege account"},
		{failback.PreNameAgentAccount, func(f *fixture) {
			f.world.Lock(func(w *memory.World) { w.Instance("sql-backup").Services[1].Status = "Stopped" })
		}, ""}, // agents-running's refusal, not this one's
		{failback.PreNameAgentAccount, func(f *fixture) {
			f.world.Lock(func(w *memory.World) { w.Instance("sql-backup").Services[1].Account = `CONTOSO\someone` })
		}, "not among share.readers"},
		{failback.PreNamePlacement, nil, ""},
		{failback.PreNamePlacement, func(f *fixture) {
			f.topo.Placement.MaxRTTMs = 1
			f.topo.Pool.ActiveServers = []string{"pc5.dc2.contoso.test"}
		}, "placement allows 1 ms"},
		{failback.PreNamePlacement, func(f *fixture) {
			f.topo.Pool.ActiveServers = []string{"pc1.dc1.contoso.test", "pc2.dc1.contoso.test", "pc3.dc1.contoso.test", "pc4.dc1.contoso.test", "pc5.dc2.contoso.test"}
		}, "at most 4"},
		{failback.PreNamePlacement, func(f *fixture) { f.topo.Pool.ActiveServers = []string{"pcX.dc1.contoso.test"} }, "is not a server of pool"},
		{failback.PreNameFailedOver, nil, ""},
		{failback.PreNameFailedOver, func(f *fixture) { f.world.Lock(func(w *memory.World) { w.Pool.State = lync.PoolNormal }) }, "not FailedOver"},
		{failback.PreNameFailedOver, func(f *fixture) {
			f.world.Lock(func(w *memory.World) { w.Instance("sql-backup").Databases["mgc"].State = "RESTORING" })
		}, "failover did not complete"},
		{failback.PreNameShare, nil, ""},
		{failback.PreNameShare, func(f *fixture) {
			f.world.Lock(func(w *memory.World) { w.Instance("sql-primary").Dirs = map[string]bool{} })
		}, `sql-primary does not see \\files.contoso.test\pchat-logship`},
		{failback.PreNameShare, func(f *fixture) { f.world.Lock(func(w *memory.World) { w.Instance("sql-backup").FreeBytes = 1 << 20 }) }, "free space on the share"},
		{failback.PreNamePrimaryNewer, nil, ""},
		{failback.PreNamePrimaryNewer, func(f *fixture) {
			f.world.Lock(func(w *memory.World) {
				w.Instance("sql-primary").Databases["mgc"].Tables["dbo.tblChat"] = memory.Table{Rows: 5000, Checksum: 3}
			})
		}, "--allow-replace-newer-primary"},
		{failback.PreNamePrimaryNotMirrored, nil, ""},
		{failback.PreNamePrimaryNotMirrored, func(f *fixture) {
			f.world.Lock(func(w *memory.World) {
				w.Instance("sql-primary").Databases["mgccomp"].Mirror = failback.Mirroring{Mirrored: true, Role: "PRINCIPAL", Partner: "TCP://sqlprimir.dc1.contoso.test:5022"}
			})
		}, "3104"},
		{failback.PreNameFullRecovery, nil, ""},
		{failback.PreNameFullRecovery, func(f *fixture) {
			f.world.Lock(func(w *memory.World) { w.Instance("sql-backup").Databases["mgc"].RecoveryModel = "SIMPLE" })
		}, "mgc on sql-backup uses SIMPLE"},
		{failback.PreNameAgentsRunning, nil, ""},
		{failback.PreNameAgentsRunning, func(f *fixture) {
			f.world.Lock(func(w *memory.World) { w.Instance("sql-primary").Services[1].Status = "Stopped" })
		}, "SQL Server Agent on sql-primary is Stopped"},
		{failback.PreNameAgentsRunning, func(f *fixture) {
			f.world.Lock(func(w *memory.World) { w.Instance("sql-backup").Services[1].Status = "Stopped" })
		}, "SQL Server Agent on sql-backup is Stopped"},
		{failback.PreNamePrimaryDiskSpace, nil, ""},
		{failback.PreNamePrimaryDiskSpace, func(f *fixture) {
			f.world.Lock(func(w *memory.World) {
				w.Instance("sql-backup").Databases["mgc"].SizeBytes = 64 << 30
				w.Instance("sql-primary").FreeBytes = 1 << 30
			})
		}, "would fail with 3257"},
		{failback.PreNameActiveListReadable, nil, ""},
		{failback.PreNameActiveListReadable, func(f *fixture) { f.world.Lock(func(w *memory.World) { w.Pool.Down = true }) }, "cannot be read back"},
		{failback.PreNameLoginSysadmin, nil, ""},
		{failback.PreNameLoginSysadmin, func(f *fixture) {
			f.world.Lock(func(w *memory.World) {
				in := w.Instance("sql-backup")
				in.Login, in.NotSysadmin = `CONTOSO\pchatfb`, true
			})
		}, `the login CONTOSO\pchatfb on sql-backup is not a member of sysadmin: run ALTER SERVER ROLE sysadmin ADD MEMBER [CONTOSO\pchatfb] there`},
		{failback.PreNameLoginSysadmin, func(f *fixture) {
			f.world.Lock(func(w *memory.World) { w.Instance("sql-primary").NotSysadmin = true })
		}, "the login sa on sql-primary is not a member of sysadmin"},
		// The share probe's BACKUP refused to the login (262) is
		// login-sysadmin's refusal, not the share's.
		{failback.PreNameShare, func(f *fixture) {
			f.world.Lock(func(w *memory.World) { w.Instance("sql-primary").NotSysadmin = true })
		}, ""},
	}
	for _, c := range cases {
		name := c.check + "/pass"
		if c.want != "" {
			name = c.check + "/" + c.want
		}
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			if c.arrange != nil {
				c.arrange(f)
			}
			res := precondition(t, c.check).Run(context.Background(), f.newEnv())
			if c.want == "" {
				if !res.OK {
					t.Fatalf("refused: %s", res.Message)
				}
				return
			}
			if res.OK {
				t.Fatalf("passed (%s), want refusal containing %q", res.Message, c.want)
			}
			if !strings.Contains(res.Message, c.want) {
				t.Fatalf("message %q lacks %q", res.Message, c.want)
			}
		})
	}
}

func TestRefusedRunChangesNothingAndOverride(t *testing.T) {
	f := newFixture(t)
	f.world.Lock(func(w *memory.World) {
		w.Instance("sql-primary").Databases["mgc"].Tables["dbo.tblChat"] = memory.Table{Rows: 5000, Checksum: 3}
	})
	rec := &recorder{}
	r := &failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv(), Sinks: []failback.Sink{rec}}
	res, err := r.Run(context.Background())
	if err == nil || res.Outcome != failback.OutcomeRefused {
		t.Fatalf("outcome %s err %v, want refused", res.Outcome, err)
	}
	if n := len(f.world.Calls()); n != 0 {
		t.Fatalf("a refused run made %d changes", n)
	}
	env := f.newEnv()
	env.Options.AllowReplaceNewerPrimary = true
	r = &failback.Runner{Plan: failback.FailbackPlan(), Env: env, Sinks: []failback.Sink{rec}}
	if _, err := r.Run(context.Background()); err != nil {
		t.Fatalf("overridden run: %v", err)
	}
	found := false
	for _, e := range rec.kind(failback.KindPrecondition) {
		if e.Check == failback.PreNamePrimaryNewer && e.Outcome == failback.OutcomeOverridden {
			found = true
		}
	}
	if !found {
		t.Error("no overridden precondition event")
	}
}
