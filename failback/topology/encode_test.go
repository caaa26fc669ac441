package topology

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// comparable strips what names the source rather than the deployment: the
// file name, the key-line index, and the key paths of secret references.
func comparable(t *Topology) Topology {
	c := *t
	c.File, c.Digest, c.lines = "", "", nil
	c.Management.Password.Key = ""
	c.Instances = append([]Instance(nil), t.Instances...)
	for i := range c.Instances {
		c.Instances[i].Password.Key = ""
	}
	return c
}

func roundTrip(t *testing.T, top *Topology) *Topology {
	t.Helper()
	b, err := Marshal(top)
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse("encoded.yaml", b)
	if err != nil {
		t.Fatalf("encoded topology does not parse: %v\n%s", err, b)
	}
	if got, want := comparable(back), comparable(top); !reflect.DeepEqual(got, want) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v\n%s", got, want, b)
	}
	b2, err := Marshal(back)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != string(b2) {
		t.Fatalf("encoding is not stable:\n%s\n---\n%s", b, b2)
	}
	return back
}

func TestMarshalRoundTrip(t *testing.T) {
	hostile := func(top *Topology) {
		top.LogShipping.BackupJob = "LSBackup_mgc'; DROP DATABASE mgc;--"
		top.LogShipping.CopyJob = "LSCopy_[x]`y`; \"z\""
		top.Share.UNC = `\\files.contoso.test\pchat'; [x]`
		top.Share.Readers = []string{}
		top.Pool.FailoverActiveServers = nil
		top.Links = nil
		top.Instances[0].Password = SecretRef{File: "/run/secrets/sql primary: 'x'.password"}
		top.Instances[0].TrustServerCertificate = true
		top.Instances[0].Encrypt = "true"
		top.Instances[1].Encrypt = "true"
		top.Instances[1].CAFile = "/etc/pki/sql ca'.pem"
		top.Management.InsecureSkipVerify = true
		top.Management.CAFile = "/etc/ssl/true"
		top.Objectives.RPO = 0
	}
	tests := []struct {
		name string
		file string
		edit func(*Topology)
	}{
		{"embedded", "topologies/embedded.yaml", nil},
		{"example-production", "topologies/example-production.yaml", nil},
		{"hostile names and empty lists", "topologies/embedded.yaml", hostile},
		{"numbers that look like other types", "topologies/embedded.yaml", func(top *Topology) {
			top.Pool.StateIdentity = "true"
			top.Instances[1].User = "0123"
			top.Links[0].RTTMs = 2.5
			top.Share.MinFreeBytes = 0
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := os.ReadFile(repoFile(t, tt.file))
			if err != nil {
				t.Fatal(err)
			}
			top, err := Parse(tt.file, data)
			if err != nil {
				t.Fatal(err)
			}
			if tt.edit != nil {
				tt.edit(top)
				if err := top.Validate(); err != nil {
					t.Fatalf("edited topology invalid: %v", err)
				}
			}
			roundTrip(t, top)
		})
	}
}

// WriteFile's output loads with Load, and secret values never appear in
// it: only where they live.
func TestWriteFileKeepsSecretsOut(t *testing.T) {
	dir := t.TempDir()
	secret := filepath.Join(dir, "pw")
	if err := os.WriteFile(secret, []byte("Sim-deadbeef!\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	top, err := Load(repoFile(t, "topologies/embedded.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range top.Instances {
		top.Instances[i].Password = SecretRef{File: secret}
	}
	top.Management.Password = SecretRef{File: secret}
	path := filepath.Join(dir, "t.yaml")
	if err := WriteFile(path, top); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	if st, _ := os.Stat(path); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	if len(b) == 0 || strings.Contains(string(b), "deadbeef") {
		t.Fatalf("secret value in the file:\n%s", b)
	}
	back, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	pw, err := back.Instances[0].Password.Resolve()
	if err != nil || pw != "Sim-deadbeef!" {
		t.Fatalf("resolve = %q, %v", pw, err)
	}
}

// FuzzMarshalRoundTrip: whatever parses encodes to a file that parses to
// an equal topology.
func FuzzMarshalRoundTrip(f *testing.F) {
	for _, p := range []string{"../../topologies/embedded.yaml", "../../topologies/example-production.yaml"} {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		top, err := Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		roundTrip(t, top)
	})
}
