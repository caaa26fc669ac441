package engine

import (
	"context"
	"testing"
)

// LogState keeps its last decoding: every change through UpdateLogState
// (and a database's first backup) is seen at once, and the memo always
// answers what decoding the metadata afresh answers.
func TestLogStateMemoFollowsChanges(t *testing.T) {
	inst := newTestInstance(t, t.TempDir())
	defer inst.Close()
	s := login(t, inst, "memo")
	run(t, s, "CREATE DATABASE memo")
	d := inst.DB("memo")
	if d == nil {
		t.Fatal("no database memo")
	}
	check := func(when string) LogState {
		t.Helper()
		got, want := d.LogState(), logStateOf(d.Meta())
		if got != want {
			t.Fatalf("%s: LogState %+v, decoding the metadata gives %+v", when, got, want)
		}
		return got
	}
	check("created")
	for i := int64(1); i <= 3; i++ {
		before := check("before a change")
		if err := inst.UpdateLogState(context.Background(), d, func(_ *DBMeta, ls *LogState) {
			ls.Offset += 1000
			ls.StandbyFile = "undo" + string(rune('0'+i))
		}); err != nil {
			t.Fatal(err)
		}
		after := check("after a change")
		if after.Offset != before.Offset+1000 || after.StandbyFile != "undo"+string(rune('0'+i)) {
			t.Fatalf("change %d: LogState %+v after %+v: the change is not seen", i, after, before)
		}
	}
}
