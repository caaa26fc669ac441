package topology

import (
	"errors"
	"os"
	"strings"
	"testing"
)

// lineEdit replaces line n (1-based) of the embedded topology.
func lineEdit(t *testing.T, n int, with string) []byte {
	t.Helper()
	b, err := os.ReadFile(repoFile(t, "topologies/embedded.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	if strings.TrimSpace(lines[n-1]) == "" {
		t.Fatalf("line %d of embedded.yaml is blank: the fixture moved", n)
	}
	lines[n-1] = with
	return []byte(strings.Join(lines, "\n"))
}

// A YAML syntax error points at the line that is wrong, not at the start
// of the block around it (yaml.v3 reports the block's line: a dedented key
// in pool: came out as line 5, eight lines away).
func TestSyntaxErrorsPointAtTheLine(t *testing.T) {
	for _, c := range []struct {
		name string
		line int
		with string
		msg  string
	}{
		{"a key dedented inside an instance", 53, "  host: sqlpri.dc1.contoso.test", "indentation"},
		{"a key dedented inside pool", 13, " activeServerIdentity: global", "indentation"},
		{"a key indented too far inside pool", 13, "    activeServerIdentity: global", "indentation"},
		{"a list item dedented", 16, "  - {fqdn: pc2.dc1.contoso.test, dataCenter: dc1}", "indentation"},
		{"a list item indented too far", 16, "      - {fqdn: pc2.dc1.contoso.test, dataCenter: dc1}", "indentation"},
		{"a key indented too far inside an instance", 51, "     role: primary", "indentation"},
		{"an unclosed flow mapping", 15, "    - {fqdn: pc1.dc1.contoso.test, dataCenter: dc1", "yaml syntax"},
		{"a missing colon", 13, "  activeServerIdentity global", "yaml syntax"},
	} {
		_, err := Parse("t.yaml", lineEdit(t, c.line, c.with))
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%s: %v, want a topology error", c.name, err)
			continue
		}
		if e.Line != c.line || !strings.Contains(e.Msg, c.msg) {
			t.Errorf("%s (line %d): reported as %v", c.name, c.line, err)
		}
	}
}

// A tab is named as a tab: YAML indents with spaces only, and "found
// character that cannot start any token" does not say which character.
func TestATabIsNamed(t *testing.T) {
	_, err := Parse("t.yaml", lineEdit(t, 9, "\tfqdn: pchat.contoso.test"))
	if err == nil || !strings.Contains(err.Error(), "t.yaml:9:") || !strings.Contains(err.Error(), "tab") || !strings.Contains(err.Error(), "spaces") {
		t.Errorf("a tab-indented line 9: %v", err)
	}
	_, err = Parse("t.yaml", lineEdit(t, 53, "\t  host: sqlpri.dc1.contoso.test"))
	if err == nil || !strings.Contains(err.Error(), "t.yaml:53:") || !strings.Contains(err.Error(), "tab") {
		t.Errorf("a tab-indented line 53: %v", err)
	}
}

// A missing secret names the instance, not only instances[0].
func TestMissingSecretNamesTheInstance(t *testing.T) {
	_, err := Parse("t.yaml", lineEdit(t, 56, "    # the password line removed"))
	if err == nil || !strings.Contains(err.Error(), "instance sql-primary") || !strings.Contains(err.Error(), "missing passwordEnv or passwordFile") {
		t.Errorf("missing secret: %v", err)
	}
	top, err := Load(repoFile(t, "topologies/embedded.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("PCHAT_SQL_PRIMARY_PASSWORD", "")
	_, err = top.Instances[0].Password.Resolve()
	if err == nil || !strings.Contains(err.Error(), "instance sql-primary (instances[0])") {
		t.Errorf("unresolvable secret: %v", err)
	}
}
