package topology

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const secretValue = "S3cr3t-Value-42"

func TestResolve(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv("PCHAT_TEST_SECRET", secretValue)
	t.Setenv("PCHAT_TEST_EMPTY", "")
	os.Unsetenv("PCHAT_TEST_UNSET")
	tests := []struct {
		name    string
		ref     SecretRef
		want    string
		errPart string // the error must name this (variable or file)
	}{
		{"env", SecretRef{Env: "PCHAT_TEST_SECRET"}, secretValue, ""},
		{"file with newline", SecretRef{File: write("nl", secretValue+"\n")}, secretValue, ""},
		{"file with CRLF", SecretRef{File: write("crlf", secretValue+"\r\n")}, secretValue, ""},
		{"file keeps inner spaces", SecretRef{File: write("sp", " a b \n")}, " a b ", ""},
		{"env unset", SecretRef{Env: "PCHAT_TEST_UNSET", Key: "instances[0]"}, "", "instances[0]: environment variable PCHAT_TEST_UNSET is not set"},
		{"env empty", SecretRef{Env: "PCHAT_TEST_EMPTY"}, "", "PCHAT_TEST_EMPTY is empty"},
		{"file missing", SecretRef{File: filepath.Join(dir, "missing")}, "", filepath.Join(dir, "missing")},
		{"file empty", SecretRef{File: write("empty", "\n")}, "", filepath.Join(dir, "empty") + " is empty"},
		{"file too large", SecretRef{File: write("big", strings.Repeat(secretValue, 5000))}, "", "not a password file"},
		{"both", SecretRef{Env: "PCHAT_TEST_SECRET", File: write("both", secretValue)}, "", "both passwordEnv and passwordFile"},
		{"neither", SecretRef{}, "", "neither passwordEnv nor passwordFile"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.ref.Resolve()
			if tc.errPart == "" {
				if err != nil || got != tc.want {
					t.Fatalf("Resolve = %q, %v; want %q", got, err, tc.want)
				}
				return
			}
			if err == nil || !errors.Is(err, ErrSecret) || !strings.Contains(err.Error(), tc.errPart) {
				t.Fatalf("Resolve error %v, want ErrSecret naming %q", err, tc.errPart)
			}
			if strings.Contains(err.Error(), secretValue) {
				t.Fatalf("error leaks the secret: %v", err)
			}
		})
	}
}

// TestNoMessageCarriesASecret puts a secret-looking key holding a known
// value after every line of the embedded topology (so at every depth and in
// every section), plus the other places a secret tends to be pasted, and
// checks that no message quotes it.
func TestNoMessageCarriesASecret(t *testing.T) {
	base := embeddedText(t)
	lines := strings.Split(base, "\n")
	var docs []string
	for i := range lines {
		indent := lines[i][:len(lines[i])-len(strings.TrimLeft(lines[i], " -"))]
		indent = strings.ReplaceAll(indent, "-", " ")
		for _, key := range []string{"password", "sqlPassword", "secret", "pwd"} {
			out := append(append([]string{}, lines[:i+1]...), indent+key+": "+secretValue)
			docs = append(docs, strings.Join(append(out, lines[i+1:]...), "\n"))
		}
	}
	docs = append(docs,
		strings.Replace(base, "passwordEnv: PCHAT_LYNC_PASSWORD", "passwordEnv: '"+secretValue+"'", 1),
		strings.Replace(base, "passwordEnv: PCHAT_LYNC_PASSWORD", "passwordEnv: "+secretValue+"\n  passwordFile: /x", 1),
		strings.Replace(base, "url: https://127.0.0.1:0/wsman", "url: http://admin:"+secretValue+"@lync/wsman", 1),
		strings.Replace(base, "passwordEnv: PCHAT_LYNC_PASSWORD", "password: {value: "+secretValue+"}", 1),
		strings.Replace(base, "passwordEnv: PCHAT_LYNC_PASSWORD", "password: ["+secretValue+"]", 1),
		strings.Replace(base, "passwordEnv: PCHAT_LYNC_PASSWORD", "password: \""+secretValue, 1), // unterminated quote
	)
	refused := 0
	for i, doc := range docs {
		_, err := Parse("topology.yaml", []byte(doc))
		if err == nil {
			continue
		}
		refused++
		if strings.Contains(err.Error(), secretValue) || strings.Contains(fmt.Sprintf("%+v %#v", err, err), secretValue) {
			t.Fatalf("document %d: message carries the secret:\n%v", i, err)
		}
	}
	if refused < len(docs)*9/10 {
		t.Fatalf("only %d of %d documents with an inline secret were refused", refused, len(docs))
	}
	// A loaded topology never holds a secret value, even once resolved.
	t.Setenv("PCHAT_LYNC_PASSWORD", secretValue)
	top, err := Parse("topology.yaml", []byte(base))
	if err != nil {
		t.Fatal(err)
	}
	if v, err := top.Management.Password.Resolve(); err != nil || v != secretValue {
		t.Fatalf("Resolve = %q, %v", v, err)
	}
	if s := fmt.Sprintf("%+v %#v %s", top, top, top.Management.Password); strings.Contains(s, secretValue) {
		t.Fatal("printing a topology shows a secret")
	}
}

func TestLoadResolvesRelativePasswordFile(t *testing.T) {
	dir := t.TempDir()
	text := strings.Replace(embeddedText(t), "passwordEnv: PCHAT_LYNC_PASSWORD", "passwordFile: lync.password", 1)
	if err := os.WriteFile(filepath.Join(dir, "t.yaml"), []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "lync.password"), []byte(secretValue+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	top, err := Load(filepath.Join(dir, "t.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if top.Management.Password.File != filepath.Join(dir, "lync.password") {
		t.Fatalf("passwordFile = %q", top.Management.Password.File)
	}
	if v, err := top.Management.Password.Resolve(); err != nil || v != secretValue {
		t.Fatalf("Resolve = %q, %v", v, err)
	}
	if _, err := Load(filepath.Join(dir, "missing.yaml")); err == nil || !strings.Contains(err.Error(), "missing.yaml") {
		t.Fatalf("Load of a missing file: %v", err)
	}
}
