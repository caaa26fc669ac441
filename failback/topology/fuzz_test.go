package topology

import (
	"os"
	"testing"
)

// FuzzParse: any input gives a topology or an error, never a panic; a
// topology that parses validates again unchanged.
func FuzzParse(f *testing.F) {
	for _, p := range []string{"../../topologies/embedded.yaml", "../../topologies/example-production.yaml"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Add([]byte("version: 1\npool: {fqdn: a.b, servers: [{fqdn: x.y, dataCenter: d}]}\n"))
	f.Add([]byte("a: &x [*x]\n"))
	f.Add([]byte("- - - -\n"))
	f.Add([]byte("version: !!binary aGVsbG8=\n"))
	f.Add([]byte("instances: [{name: a, role: primary, password: x}]\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		top, err := Parse("fuzz.yaml", data)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if err := top.Validate(); err != nil {
			t.Fatalf("parsed topology fails Validate: %v", err)
		}
		if _, ok := top.InstanceByRole(RolePrimary); !ok {
			t.Fatal("parsed topology without a primary")
		}
	})
}
