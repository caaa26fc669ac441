package securitytest

import (
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
