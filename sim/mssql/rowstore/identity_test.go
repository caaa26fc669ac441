package rowstore

import "testing"

// TestIdentity hands out values of IDENTITY(10, 5) and IDENTITY(0, -1),
// with explicit values inserted between them.
func TestIdentity(t *testing.T) {
	type counter struct {
		last       int64
		used       bool
		seed, incr int64
	}
	next := func(c *counter) int64 {
		c.last, c.used = NextIdentity(c.last, c.used, c.seed, c.incr), true
		return c.last
	}
	note := func(c *counter, v int64) {
		if MovesIdentity(c.last, c.used, v, c.incr) {
			c.last, c.used = v, true
		}
	}

	up := &counter{seed: 10, incr: 5}
	if got := []int64{next(up), next(up)}; got[0] != 10 || got[1] != 15 {
		t.Fatalf("IDENTITY(10,5) handed out %v, want [10 15]", got)
	}
	note(up, 12) // below the counter: no move
	if got := next(up); got != 20 {
		t.Fatalf("after an explicit 12 the next value is %d, want 20 (a lower value does not move the counter)", got)
	}
	note(up, 100)
	if got := next(up); got != 105 {
		t.Fatalf("after an explicit 100 the next value is %d, want 105", got)
	}

	down := &counter{seed: 0, incr: -1}
	note(down, 5) // the first value, explicit: the counter starts there
	if got := next(down); got != 4 {
		t.Fatalf("IDENTITY(0,-1) after an explicit 5 hands out %d, want 4", got)
	}
	note(down, 7) // above, against the increment: no move
	note(down, -3)
	if got := next(down); got != -4 {
		t.Fatalf("IDENTITY(0,-1) after an explicit -3 hands out %d, want -4", got)
	}
}
