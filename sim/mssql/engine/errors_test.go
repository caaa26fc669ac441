package engine

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/pchatdr/harness/sqlerr"
)

// TestErrorNumbersKnown: every message number the engine raises has a
// catalogue entry in sqlerr, so no 2758 reaches a
// client.
func TestErrorNumbersKnown(t *testing.T) {
	files, _ := filepath.Glob("*.go")
	re := regexp.MustCompile(`newErr\((\d+)`)
	seen := map[int]bool{}
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			n, _ := strconv.Atoi(m[1])
			seen[n] = true
		}
	}
	if len(seen) < 50 {
		t.Fatalf("only %d numbers found", len(seen))
	}
	for n := range seen {
		if _, ok := sqlerr.Lookup(int32(n)); !ok {
			t.Errorf("message %d has no catalogue entry", n)
		}
		if e := newErr(int32(n)); e.Number != int32(n) {
			t.Errorf("newErr(%d) = %d", n, e.Number)
		}
	}
}
