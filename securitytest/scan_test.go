package securitytest

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// Leaks finds a secret in clear, JSON-escaped, and anything shaped like a
// generated secret where the secret itself is unknown (another process's
// output); clean output has none.
func TestLeaksFindsSecrets(t *testing.T) {
	secret := `Sim-0123456789abcdef01234567!`
	quoted := `p"w\d<1>`
	outputs := map[string][]byte{
		"clear":   []byte("login failed for sa with " + quoted),
		"json":    []byte(`{"password":"p\"w\\d\u003c1\u003e"}`),
		"shape":   []byte("connection string ...;password=" + secret + ";"),
		"nothing": []byte("login failed for user 'sa'"),
	}
	got := strings.Join(Leaks(outputs, []string{quoted}), "\n")
	for _, want := range []string{"clear holds a secret", "json holds a secret", "shape holds a generated secret's shape"} {
		if !strings.Contains(got, want) {
			t.Errorf("Leaks missed %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "nothing") {
		t.Errorf("clean output flagged:\n%s", got)
	}
}

// A secret of the generated shape is reported as a secret (not only as the
// shape) wherever it appears, once per output, and a shaped string that is
// no known secret only as the shape.
func TestLeaksNamesShapedSecrets(t *testing.T) {
	a, b, stranger := `Sim-0123456789abcdef01234567!`, `Sim-76543210fedcba9876543210!`, `Sim-aaaaaaaaaaaaaaaaaaaaaaaa!`
	outputs := map[string][]byte{
		"twice":    []byte(a + " and again " + a + " and " + b),
		"json":     []byte(`{"password":"` + b + `"}`),
		"stranger": []byte("password=" + stranger),
		"clean":    []byte("login failed for user 'sa'"),
	}
	got := Leaks(outputs, []string{a, b, "not-shaped-secret"})
	count := func(prefix string) int {
		n := 0
		for _, l := range got {
			if strings.HasPrefix(l, prefix) {
				n++
			}
		}
		return n
	}
	for prefix, want := range map[string]int{
		"twice holds a secret": 2, "twice holds a generated secret's shape at byte 0": 1,
		"json holds a secret": 1, "json holds a generated secret's shape": 1,
		"stranger holds a secret": 0, "stranger holds a generated secret's shape at byte 9": 1,
		"clean": 0,
	} {
		if n := count(prefix); n != want {
			t.Errorf("%d findings %q, want %d:\n%s", n, prefix, want, strings.Join(got, "\n"))
		}
	}
}

// BenchmarkLeaks: the scenario suite's scan, in small: 400 generated
// secrets (80 worlds) over 4 MiB of output holding none of them.
func BenchmarkLeaks(b *testing.B) {
	var secrets []string
	for i := 0; i < 400; i++ {
		secrets = append(secrets, fmt.Sprintf("Sim-%024x!", i*7919))
	}
	line := []byte("2026-12-07T06:00:00Z engine sent RESTORE DATABASE [mgc] FROM DISK = N'\\\\share\\mgc.bak' WITH REPLACE\n")
	outputs := map[string][]byte{"report.html": bytes.Repeat(line, (4<<20)/len(line))}
	b.SetBytes(int64(len(outputs["report.html"])))
	for b.Loop() {
		if l := Leaks(outputs, secrets); len(l) != 0 {
			b.Fatal(l)
		}
	}
}
