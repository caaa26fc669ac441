package engine

import (
	"context"
	"strings"
	"testing"
)

// A feature's server-level state that cannot be read is refused, never
// overwritten: the logins or endpoints it held are not lost by the next
// change.
func TestUpdateMasterExtRefusesUnreadableState(t *testing.T) {
	inst := newTestInstance(t, "")
	defer inst.Close()
	ctx := context.Background()
	type state struct{ Names []string }
	if err := UpdateMasterExt(ctx, inst, "test_state", func(s *state) error {
		s.Names = append(s.Names, "a")
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	got, err := MasterExt[state](inst, "test_state")
	if err != nil || len(got.Names) != 1 || got.Names[0] != "a" {
		t.Fatalf("MasterExt = %+v, %v; want [a]", got, err)
	}
	if err := inst.UpdateMeta(ctx, inst.master, func(m *DBMeta) {
		ext := cloneExt(m)
		ext["test_state"] = []byte("{not json")
		m.Ext = ext
	}); err != nil {
		t.Fatal(err)
	}
	called := false
	err = UpdateMasterExt(ctx, inst, "test_state", func(s *state) error { called = true; return nil })
	if err == nil || !strings.Contains(err.Error(), `master metadata "test_state"`) {
		t.Fatalf("update over unreadable state: err %v, want a refusal naming the key", err)
	}
	if called {
		t.Fatal("change was called on a value that could not be read")
	}
	if b := string(inst.master.Meta().Ext["test_state"]); b != "{not json" {
		t.Fatalf("stored value %q, want it left as it was", b)
	}
}
