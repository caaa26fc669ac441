package failback_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/memory"
)

func TestLSN(t *testing.T) {
	big := "4294967295000000065535" // beyond int64
	cases := []struct {
		first, last, redo, want string
	}{
		{"100", "200", "150", "next"},
		{"100", "200", "100", "next"},
		{"100", "200", "200", "applied"},
		{"100", "200", "250", "applied"},
		{"201", "300", "200", "gap"},
		{big, big + "0", big, "next"},
		{"1" + big, "2" + big, big, "gap"},
	}
	for _, c := range cases {
		got, err := failback.LogApplies(c.first, c.last, c.redo)
		if err != nil || got != c.want {
			t.Errorf("LogApplies(%s, %s, %s) = %q %v, want %q", c.first, c.last, c.redo, got, err, c.want)
		}
	}
	for _, bad := range []string{"", "12a", "-5", "1.5", " "} {
		if _, err := failback.ParseLSN(bad); err == nil {
			t.Errorf("ParseLSN(%q) accepted", bad)
		}
	}
	if c, err := failback.CompareLSN("0009", "10"); err != nil || c != -1 {
		t.Errorf("CompareLSN leading zeros: %d %v", c, err)
	}
}

func FuzzLSN(f *testing.F) {
	f.Add("100", "200", "150")
	f.Add("", "x", "1e5")
	f.Add("4294967295000000065535", "00", "-1")
	f.Fuzz(func(t *testing.T, a, b, r string) {
		c1, err1 := failback.CompareLSN(a, b)
		c2, err2 := failback.CompareLSN(b, a)
		if (err1 == nil) != (err2 == nil) || (err1 == nil && c1 != -c2) {
			t.Fatalf("CompareLSN not antisymmetric: %q %q -> %d %v / %d %v", a, b, c1, err1, c2, err2)
		}
		if v, err := failback.LogApplies(a, b, r); err == nil && v != "next" && v != "applied" && v != "gap" {
			t.Fatalf("LogApplies = %q", v)
		}
	})
}

func TestFailoverBuilders(t *testing.T) {
	q, err := failback.RestoreLogSQL(failback.LogRestoreSpec{Database: "m]gc'; --", Path: `D:\c\mgc_x'y.trn`, File: 3})
	if err != nil || q != `RESTORE LOG [m]]gc'; --] FROM DISK = N'D:\c\mgc_x''y.trn' WITH FILE = 3, NORECOVERY` {
		t.Errorf("RestoreLogSQL = %q %v", q, err)
	}
	if _, err := failback.RestoreLogSQL(failback.LogRestoreSpec{Database: "mgc"}); err == nil {
		t.Error("empty path accepted")
	}
	if q, err := failback.RecoverDatabaseSQL("mgc"); err != nil || q != "RESTORE DATABASE [mgc] WITH RECOVERY" {
		t.Errorf("RecoverDatabaseSQL = %q %v", q, err)
	}
	if _, err := failback.RecoverDatabaseSQL(strings.Repeat("x", 129)); err == nil {
		t.Error("a 129-character name was accepted")
	}
	if q, err := failback.KillSQL(53); err != nil || q != "KILL 53" {
		t.Errorf("KillSQL = %q %v", q, err)
	}
	for _, id := range []int16{0, -1} {
		if _, err := failback.KillSQL(id); err == nil {
			t.Errorf("KILL %d accepted", id)
		}
	}
	if q := failback.ListFilesSQL(`\\s\x'; DROP--`); q != `EXEC master.sys.xp_dirtree N'\\s\x''; DROP--', 1, 1` {
		t.Errorf("ListFilesSQL = %q", q)
	}
	if q := failback.JobStatusSQL("a'b"); !strings.Contains(q, "WHERE j.name = N'a''b'") {
		t.Errorf("JobStatusSQL = %q", q)
	}
	if q := failback.RedoPointSQL("mgc'"); !strings.Contains(q, "h.destination_database_name = N'mgc'''") {
		t.Errorf("RedoPointSQL = %q", q)
	}
	if _, err := failback.PlanByName("sideways"); err == nil {
		t.Error("unknown plan accepted")
	}
}

// Hostile job names, folders, identities and log file names stay inside
// their literals in every statement the failover sends.
func TestFailoverHostileNamesStayInLiterals(t *testing.T) {
	// An edit changes the topology before the world exists; it returns a
	// name to give the newest log backup on the share ("" keeps it).
	type edit func(f *fixture, v string) string
	run := func(e edit, v string) []failback.Event {
		topo := loadTopo(t)
		f := &fixture{topo: topo, clock: newClock()}
		rename := e(f, v)
		f.world = memory.NewFailoverWorld(topo, memory.DefaultFailoverLogs)
		f.world.Now = f.clock.Now
		if rename != "" {
			share := topo.Share.UNC
			var last string
			for _, n := range f.world.Files(share) {
				if strings.HasSuffix(n, ".trn") {
					last = n
				}
			}
			if !f.world.RenameFile(share+`\`+last, share+`\mgc_`+rename+".trn") {
				t.Fatalf("no log backup %s to rename", last)
			}
		}
		f.env = f.newEnv()
		rec := &recorder{}
		failoverRunner(f, rec).Run(context.Background())
		return rec.kind(failback.KindSent)
	}
	edits := map[string]edit{
		"jobs": func(f *fixture, v string) string {
			f.topo.LogShipping.BackupJob, f.topo.LogShipping.CopyJob, f.topo.LogShipping.RestoreJob = "B"+v, "C"+v, "R"+v
			return ""
		},
		"copy directory": func(f *fixture, v string) string { f.topo.LogShipping.CopyDirectory = `D:\copy` + v; return "" },
		"share":          func(f *fixture, v string) string { f.topo.Share.UNC = `\\files\share` + v; return "" },
		"pool identities": func(f *fixture, v string) string {
			f.topo.Pool.StateIdentity, f.topo.Pool.ActiveServerIdentity = "service:"+v, "global"+v
			return ""
		},
		"log file name": func(f *fixture, v string) string { return v },
	}
	for name, e := range edits {
		baseline := map[string]bool{}
		for _, ev := range run(e, "plain") {
			baseline[skeleton(t, ev)] = true
		}
		for _, v := range hostile {
			if strings.ContainsAny(v, `\/`) && name != "jobs" && name != "pool identities" {
				continue // a path separator changes the folder, not the quoting
			}
			evs := run(e, v)
			carried := false
			for _, ev := range evs {
				if !baseline[skeleton(t, ev)] {
					t.Errorf("%s %q: statement structure changed:\n%s", name, v, ev.Text)
				}
				if literalsContain(t, ev, v) {
					carried = true
				}
			}
			if !carried {
				t.Errorf("%s %q: the value never reached a statement", name, v)
			}
		}
	}
}
