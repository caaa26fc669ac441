package main

import (
	"bytes"
	"strings"
	"testing"
)

// TestSortsByConcurrency: the engine (goroutines of its own: the
// checkpointer, sessions) must run under -race; the T-SQL parser (no
// goroutine, no sync, nothing concurrent in what its tests reach) runs
// plain. Each list must hold the one and not the other.
func TestSortsByConcurrency(t *testing.T) {
	const engine = "github.com/pchatdr/harness/sim/mssql/engine"
	const parser = "github.com/pchatdr/harness/sim/mssql/tsql"
	for _, plain := range []bool{false, true} {
		var out bytes.Buffer
		if err := run(&out, plain, []string{"../../sim/mssql/engine", "../../sim/mssql/tsql"}); err != nil {
			t.Fatal(err)
		}
		got := strings.Fields(out.String())
		want := engine
		if plain {
			want = parser
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("plain=%v: got %q, want [%s]", plain, got, want)
		}
	}
}

func TestNoPatterns(t *testing.T) {
	if err := run(&bytes.Buffer{}, false, nil); err == nil || !strings.Contains(err.Error(), "no package patterns") {
		t.Errorf("no patterns: err = %v, want one naming the missing patterns", err)
	}
}
