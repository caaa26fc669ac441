package failback_test

import (
	"context"
	"strings"
	"testing"

	"github.com/pchatdr/harness/failback"
)

// skeletonTSQL replaces every N'...' literal with L and every [...]
// identifier with I, following T-SQL's doubling rules; what remains is
// the statement's structure. A value that broke out of its literal would
// change the skeleton.
func skeletonTSQL(t *testing.T, s string) (string, []string) {
	var b strings.Builder
	var lits []string
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		switch {
		case rs[i] == 'N' && i+1 < len(rs) && rs[i+1] == '\'':
			var lit strings.Builder
			j := i + 2
			for ; j < len(rs); j++ {
				if rs[j] == '\'' {
					if j+1 < len(rs) && rs[j+1] == '\'' {
						lit.WriteRune('\'')
						j++
						continue
					}
					break
				}
				lit.WriteRune(rs[j])
			}
			if j >= len(rs) {
				t.Fatalf("unterminated literal in %q", s)
			}
			lits = append(lits, lit.String())
			b.WriteString("L")
			i = j
		case rs[i] == '[':
			j := i + 1
			for ; j < len(rs); j++ {
				if rs[j] == ']' {
					if j+1 < len(rs) && rs[j+1] == ']' {
						j++
						continue
					}
					break
				}
			}
			b.WriteString("I")
			i = j
		default:
			b.WriteRune(rs[i])
		}
	}
	return b.String(), lits
}

// skeletonPS does the same for PowerShell single-quoted literals (every
// quote character PowerShell accepts, doubled inside).
func skeletonPS(t *testing.T, s string) (string, []string) {
	isQ := func(r rune) bool {
		return r == '\'' || r == '\u2018' || r == '\u2019' || r == '\u201A' || r == '\u201B'
	}
	var b strings.Builder
	var lits []string
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if !isQ(rs[i]) {
			b.WriteRune(rs[i])
			continue
		}
		var lit strings.Builder
		j := i + 1
		for ; j < len(rs); j++ {
			if isQ(rs[j]) {
				if j+1 < len(rs) && isQ(rs[j+1]) {
					lit.WriteRune(rs[j])
					j++
					continue
				}
				break
			}
			lit.WriteRune(rs[j])
		}
		if j >= len(rs) {
			t.Fatalf("unterminated literal in %q", s)
		}
		lits = append(lits, lit.String())
		b.WriteString("L")
		i = j
	}
	return b.String(), lits
}

var hostile = []string{
	`x'; DROP DATABASE mgc; --`,
	`a]; SHUTDOWN; --`,
	"job`$(Remove-Item C:\\ -Recurse)`",
	`q’; Stop-Computer; ‘`,
	`semi;colon"double"quote`,
	"new\nline'; EXEC xp_cmdshell 'calc'",
}

// journalTexts runs the plan (dry) and the real run over the memory world
// with the given topology edits and returns every text sent, by target.
func sentTexts(t *testing.T, edit func(f *fixture, v string), v string) []failback.Event {
	f := newFixture(t)
	edit(f, v)
	rec := &recorder{}
	r := &failback.Runner{Plan: failback.FailbackPlan(), Env: f.newEnv(), Sinks: []failback.Sink{rec}}
	r.Run(context.Background())
	return rec.kind(failback.KindSent)
}

func TestHostileNamesStayInLiterals(t *testing.T) {
	edits := map[string]func(f *fixture, v string){
		"jobs": func(f *fixture, v string) {
			f.topo.LogShipping.BackupJob, f.topo.LogShipping.CopyJob, f.topo.LogShipping.RestoreJob = "B"+v, "C"+v, "R"+v
		},
		"copy directory": func(f *fixture, v string) {
			f.topo.LogShipping.CopyDirectory = `D:\copy` + v
			f.world.Instance("sql-backup").Dirs[strings.ToLower(f.topo.LogShipping.CopyDirectory)] = true
		},
		"share": func(f *fixture, v string) {
			old := strings.ToLower(f.topo.Share.UNC)
			f.topo.Share.UNC = `\\files\share` + v
			for _, n := range []string{"sql-primary", "sql-backup"} {
				d := f.world.Instance(n).Dirs
				delete(d, old)
				d[strings.ToLower(f.topo.Share.UNC)] = true
			}
		},
		"pool identities": func(f *fixture, v string) {
			f.topo.Pool.StateIdentity, f.topo.Pool.ActiveServerIdentity = "service:"+v, "global"+v
		},
	}
	for name, edit := range edits {
		baseline := map[string]bool{}
		for _, e := range sentTexts(t, edit, "plain") {
			sk := skeleton(t, e)
			baseline[sk] = true
		}
		for _, v := range hostile {
			evs := sentTexts(t, edit, v)
			if len(evs) == 0 {
				t.Fatalf("%s %q: nothing sent", name, v)
			}
			carried := false
			for _, e := range evs {
				sk := skeleton(t, e)
				if !baseline[sk] {
					t.Errorf("%s %q: statement structure changed:\n%s", name, v, e.Text)
				}
				if strings.Contains(e.Text, v) || literalsContain(t, e, v) {
					carried = true
				}
			}
			if !carried {
				t.Errorf("%s %q: the value never reached a statement", name, v)
			}
		}
	}
}

func skeleton(t *testing.T, e failback.Event) string {
	if e.Target == failback.PoolTarget {
		s, _ := skeletonPS(t, e.Text)
		return s
	}
	s, _ := skeletonTSQL(t, e.Text)
	return s
}

func literalsContain(t *testing.T, e failback.Event, v string) bool {
	var lits []string
	if e.Target == failback.PoolTarget {
		_, lits = skeletonPS(t, e.Text)
	} else {
		_, lits = skeletonTSQL(t, e.Text)
	}
	for _, l := range lits {
		if strings.Contains(l, v) {
			return true
		}
	}
	return false
}

func TestQuotedDatabaseName(t *testing.T) {
	q, err := failback.RestoreDatabaseSQL(failback.RestoreSpec{Database: "m]gc'; --", Path: `\\s\x'y`, File: 2,
		Moves: []failback.Move{{LogicalName: "a'b", To: `E:\d]'.mdf`}}, Replace: true, Recovery: true})
	if err != nil {
		t.Fatal(err)
	}
	want := `RESTORE DATABASE [m]]gc'; --] FROM DISK = N'\\s\x''y' WITH FILE = 2, MOVE N'a''b' TO N'E:\d]''.mdf', REPLACE, RECOVERY, STATS = 10`
	if q != want {
		t.Fatalf("got  %s\nwant %s", q, want)
	}
	if _, err := failback.RemoveMirroringSQL(strings.Repeat("x", 129)); err == nil {
		t.Error("a 129-character name was accepted")
	}
}
