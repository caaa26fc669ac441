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

// TestErrorNumbersKnown: every message the engine raises (by its sqlerr
// name; archtest forbids literal numbers) has a catalogue entry in sqlerr,
// so no 2758 reaches a client.
func TestErrorNumbersKnown(t *testing.T) {
	numbers := map[string]int{}
	src, err := os.ReadFile(filepath.Join("..", "..", "..", "sqlerr", "numbers.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`(?m)^\t(\w+)\s*=\s*(\d+)`).FindAllStringSubmatch(string(src), -1) {
		n, _ := strconv.Atoi(m[2])
		numbers[m[1]] = n
	}
	files, _ := filepath.Glob("*.go")
	re := regexp.MustCompile(`newErr\(sqlerr\.(\w+)`)
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
			n, ok := numbers[m[1]]
			if !ok {
				t.Errorf("%s: sqlerr.%s is not in sqlerr/numbers.go", f, m[1])
				continue
			}
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
