package topology

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"
)

func embeddedText(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(repoFile(t, "topologies/embedded.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// edit is a text change to the embedded topology.
type edit func(t *testing.T, s string) string

func replace(old, new string) edit {
	return func(t *testing.T, s string) string {
		t.Helper()
		if n := strings.Count(s, old); n != 1 {
			t.Fatalf("edit: %q occurs %d times, want once", old, n)
		}
		return strings.Replace(s, old, new, 1)
	}
}

func appendText(text string) edit {
	return func(t *testing.T, s string) string { return s + text }
}

func edits(es ...edit) edit {
	return func(t *testing.T, s string) string {
		for _, e := range es {
			s = e(t, s)
		}
		return s
	}
}

// lineOf is the 1-based line of the first line containing marker.
func lineOf(t *testing.T, s, marker string) int {
	t.Helper()
	for i, l := range strings.Split(s, "\n") {
		if strings.Contains(l, marker) {
			return i + 1
		}
	}
	t.Fatalf("marker %q not in the edited text", marker)
	return 0
}

const (
	pc4     = "    - {fqdn: pc4.dc1.contoso.test, dataCenter: dc1}\n"
	pc8     = "    - {fqdn: pc8.dc2.contoso.test, dataCenter: dc2}\n"
	active  = "  activeServers: [pc1.dc1.contoso.test, pc2.dc1.contoso.test]\n"
	failAct = "  failoverActiveServers: [pc5.dc2.contoso.test, pc6.dc2.contoso.test]\n"
)

func TestRefusals(t *testing.T) {
	base := embeddedText(t)
	tests := []struct {
		name   string
		edit   edit
		key    string // key path the message must name
		marker string // text on the line the message must name
		msg    string // part of the message
	}{
		// unknown keys at any depth
		{"unknown top-level key", appendText("colour: blue\n"), "colour", "colour:", "unknown key"},
		{"unknown key in a flow mapping", replace(pc4, "    - {fqdn: pc4.dc1.contoso.test, dataCenter: dc1, rack: 7}\n"),
			"pool.servers[3].rack", "rack: 7", "unknown key"},
		{"unknown key in an instance", replace("    host: sqlbak.dc2.contoso.test\n", "    host: sqlbak.dc2.contoso.test\n    port: 1433\n"),
			"instances[2].port", "port: 1433", "unknown key (known keys: name, role"},
		{"misspelt key", replace("    rttMs: 4\n", "    rtt: 4\n"), "links[0].rtt", "rtt: 4", "unknown key"},
		{"unknown key deep in objectives", replace("  rpo: 0s", "  rpoo: 0s"), "objectives.rpoo", "rpoo:", "unknown key"},
		{"duplicate key", replace("compliance: true\n", "compliance: true\ncompliance: false\n"), "compliance", "compliance: false", "duplicate key (first at line"},
		{"merge key", replace("placement:\n", "placement:\n  <<: {maxRttMs: 3}\n"), "placement.<<", "<<:", "merge keys"},
		{"unknown key in backups", appendText("backups:\n  compresion: true\n"), "backups.compresion", "compresion:", "unknown key (known keys: compression, throughputMBps, budgetFactor"},
		{"negative throughput", appendText("backups:\n  throughputMBps: -5\n"), "backups.throughputMBps", "throughputMBps: -5", "must not be negative"},
		{"budget factor below 1", appendText("backups:\n  budgetFactor: 0.5\n"), "backups.budgetFactor", "budgetFactor: 0.5", "at least 1"},

		// pool
		{"duplicate server", replace(pc4, "    - {fqdn: pc3.dc1.contoso.test,  dataCenter: dc1}\n"),
			"pool.servers[3].fqdn", "contoso.test,  dataCenter", "duplicate server pc3.dc1.contoso.test (first at line"},
		{"duplicate server differing in case", replace(pc4, "    - {fqdn: PC3.dc1.contoso.test, dataCenter: dc1}\n"),
			"pool.servers[3].fqdn", "PC3.dc1", "duplicate server PC3.dc1.contoso.test"},
		{"nine servers", replace(pc8, pc8+"    - {fqdn: pc9.dc2.contoso.test, dataCenter: dc2}\n"),
			"pool.servers", "  servers:", "9 servers; a Persistent Chat pool has at most 8"},
		{"five active servers", replace(active, "  activeServers: [pc1.dc1.contoso.test, pc2.dc1.contoso.test, pc3.dc1.contoso.test, pc4.dc1.contoso.test, pc5.dc2.contoso.test]\n"),
			"pool.activeServers", "  activeServers:", "5 active servers; a Persistent Chat pool has at most 4"},
		{"five failover active servers", replace(failAct, "  failoverActiveServers:\n    - pc5.dc2.contoso.test\n    - pc6.dc2.contoso.test\n    - pc7.dc2.contoso.test\n    - pc8.dc2.contoso.test\n    - pc1.dc1.contoso.test\n"),
			"pool.failoverActiveServers", "  failoverActiveServers:", "5 active servers"},
		{"active server outside the pool", replace(active, "  activeServers: [pc1.dc1.contoso.test, pc9.dc1.contoso.test]\n"),
			"pool.activeServers[1]", "  activeServers:", "pc9.dc1.contoso.test is not a server of the pool"},
		{"failover active server outside the pool (block list)", replace(failAct, "  failoverActiveServers:\n    - pc5.dc2.contoso.test\n    - pc5.dc3.contoso.test\n"),
			"pool.failoverActiveServers[1]", "- pc5.dc3", "pc5.dc3.contoso.test is not a server of the pool"},
		{"active server twice", replace(active, "  activeServers: [pc1.dc1.contoso.test, PC1.dc1.contoso.test]\n"),
			"pool.activeServers[1]", "  activeServers:", "listed twice"},
		{"no active servers", replace(active, "  activeServers: []\n"), "pool.activeServers", "  activeServers:", "at least one active server"},
		{"server in an undeclared data center", replace(pc8, "    - {fqdn: pc8.dc2.contoso.test, dataCenter: dc3}\n"),
			"pool.servers[7].dataCenter", "pc8.dc2", `data center "dc3" is not declared`},
		{"server list is not a list", replace("  servers:\n", "  servers: pc1.dc1.contoso.test\n  serverz:\n"),
			"pool.servers", "  servers:", "want a list"},
		{"pool fqdn not qualified", replace("  fqdn: pchat.contoso.test\n", "  fqdn: pchat\n"), "pool.fqdn", "fqdn: pchat", "fully qualified"},

		// data centers and links
		{"link to an unknown data center", replace("  - between: [dc1, dc2]\n", "  - between: [dc1, dc3]\n"),
			"links[0].between[1]", "between:", `data center "dc3" is not declared`},
		{"link with three ends", replace("  - between: [dc1, dc2]\n", "  - between: [dc1, dc2, dc1]\n"),
			"links[0].between", "between:", "exactly two"},
		{"unknown data-center role", replace("    role: backup\n\nlinks", "    role: tertiary\n\nlinks"),
			"dataCenters[1].role", "role: tertiary", `unknown data-center role "tertiary"`},
		{"rtt not a number", replace("    rttMs: 4\n", "    rttMs: fast\n"), "links[0].rttMs", "rttMs:", `want a number, got "fast"`},

		// instances
		{"instance without a role key", replace("    role: backup-mirror\n", ""),
			"instances[3].role", "- name: sql-backup-mirror", "missing required key"},
		{"instance with an empty role", replace("    role: backup-mirror\n", "    role: \"\"\n"),
			"instances[3].role", `role: ""`, "the instance has no role"},
		{"instance with a null role", replace("    role: backup-mirror\n", "    role:   # none\n"),
			"instances[3].role", "# none", "want a string"},
		{"unknown role", replace("    role: backup-mirror\n", "    role: tertiary\n"),
			"instances[3].role", "role: tertiary", `unknown role "tertiary" (want one of primary, primary-mirror`},
		{"CA file without encryption", replace("    role: backup-mirror\n", "    role: backup-mirror\n    encrypt: disable\n    caFile: /etc/ca.pem   # no tls\n"),
			"instances[3].caFile", "# no tls", "only meaningful when encrypt is not disable"},
		{"CA file beside trustServerCertificate", replace("    role: backup-mirror\n", "    role: backup-mirror\n    trustServerCertificate: true\n    caFile: /etc/ca.pem   # both\n"),
			"instances[3].caFile", "# both", "set one of them"},
		{"sa that is not sysadmin", replace("    role: backup-mirror\n", "    role: backup-mirror\n    userSysadmin: false   # sa\n"),
			"instances[3].userSysadmin", "# sa", "sa is always a member of sysadmin"},
		{"userSysadmin not a boolean", replace("    role: backup-mirror\n", "    role: backup-mirror\n    userSysadmin: maybe\n"),
			"instances[3].userSysadmin", "userSysadmin: maybe", "want true or false"},
		{"duplicate role", replace("    role: backup-mirror\n", "    role: backup   # dup\n"),
			"instances[3].role", "# dup", "duplicate role backup (already instance sql-backup)"},
		{"no primary instance", replace("sql-primary\n    role: primary\n", "sql-primary\n    role: compliance-primary\n"),
			"instances", "instances:", "no instance has role primary"},
		{"no backup instance", replace("sql-backup\n    role: backup\n", "sql-backup\n    role: compliance-backup\n"),
			"instances", "instances:", "no instance has role backup"},
		{"compliance role without compliance", edits(replace("compliance: true\n", "compliance: false\n"), replace("    role: backup-mirror\n", "    role: compliance-backup-mirror\n")),
			"instances[3].role", "role: compliance-backup-mirror", "compliance is not enabled"},
		{"instance in an undeclared data center", replace("    dataCenter: dc2\n    host: sqlbak.", "    dataCenter: dc9\n    host: sqlbak."),
			"instances[2].dataCenter", "dataCenter: dc9", `data center "dc9" is not declared`},
		{"bad address", replace("    host: sqlbak.dc2.contoso.test\n    address: 127.0.0.1:0\n", "    host: sqlbak.dc2.contoso.test\n    address: 'sqlbak\\9bad'\n"),
			"instances[2].address", `sqlbak\9bad`, "not a SQL Server instance name"},
		{"bad port", replace("    host: sqlbak.dc2.contoso.test\n    address: 127.0.0.1:0\n", "    host: sqlbak.dc2.contoso.test\n    address: 127.0.0.1:99999\n"),
			"instances[2].address", "99999", "0 to 65535"},

		// share
		{"hostPaths for an unknown instance", replace("    sql-backup-mirror: share\n", "    sql-backup-mirror: share\n    sql-witness: share\n"),
			"share.hostPaths.sql-witness", "sql-witness:", "no instance is named sql-witness"},
		{"hostPaths without the primary", replace("    sql-primary: share\n", ""),
			"share.hostPaths", "hostPaths:", "no entry for the primary instance sql-primary"},
		{"hostPaths without the backup", replace("    sql-backup: share\n", ""),
			"share.hostPaths", "hostPaths:", "no entry for the backup instance sql-backup"},
		{"hostPaths key given twice", replace("    sql-backup: share\n", "    sql-backup: share\n    sql-backup: other\n"),
			"share.hostPaths.sql-backup", "sql-backup: other", "duplicate key"},
		{"share not UNC", replace(`  unc: '\\files.contoso.test\pchat-logship'`, "  unc: /mnt/share"), "share.unc", "unc:", "UNC path"},

		// durations
		{"duration without unit", replace("  rto: 5m ", "  rto: 300 "), "objectives.rto", "rto: 300", `bad duration "300"`},
		{"duration in words", replace("  outage: 2m ", "  outage: two minutes "), "objectives.outage", "outage: two", `bad duration "two minutes"`},
		{"negative duration", replace("  rpo: 0s ", "  rpo: -1s "), "objectives.rpo", "rpo: -1s", "must not be negative"},
		{"duration as a list", replace("  rpo: 0s ", "  rpo: [1s] "), "objectives.rpo", "rpo: [1s]", "want a duration"},
		{"outage longer than rto", replace("  outage: 2m ", "  outage: 6m "), "objectives.outage", "outage: 6m", "cannot exceed"},

		// secrets
		{"both passwordEnv and passwordFile", replace("    passwordEnv: PCHAT_SQL_BACKUP_PASSWORD\n", "    passwordEnv: PCHAT_SQL_BACKUP_PASSWORD\n    passwordFile: /run/secrets/sql\n"),
			"instances[2].passwordFile", "passwordFile: /run", "both passwordEnv and passwordFile"},
		{"neither passwordEnv nor passwordFile", replace("  passwordEnv: PCHAT_LYNC_PASSWORD\n", ""),
			"management", "management:", "missing passwordEnv or passwordFile"},
		{"inline password", replace("    passwordEnv: PCHAT_SQL_BACKUP_PASSWORD\n", "    password: Sup3rS3cret!\n"),
			"instances[2].password", "password: Sup3r", "inline secrets are not allowed: name an environment variable with passwordEnv or a file with passwordFile"},
		{"inline secret under another name", replace("  passwordEnv: PCHAT_LYNC_PASSWORD\n", "  passwordEnv: PCHAT_LYNC_PASSWORD\n  apiToken: abc123\n"),
			"management.apiToken", "apiToken:", "inline secrets are not allowed"},
		{"a password in passwordEnv", replace("  passwordEnv: PCHAT_LYNC_PASSWORD\n", "  passwordEnv: 'Sup3r S3cret!'\n"),
			"management.passwordEnv", "Sup3r", "not an environment variable name"},

		// management and the file as a whole
		{"management url not http", replace("  url: https://127.0.0.1:0/wsman\n", "  url: ftp://lync/wsman\n"), "management.url", "ftp://", "want an http:// or https://"},
		{"credentials in the url", replace("  url: https://127.0.0.1:0/wsman\n", "  url: http://admin:Sup3rS3cret!@lync/wsman\n"), "management.url", "admin:", "credentials in the URL"},
		{"unknown winrm auth", replace("  auth: ntlm ", "  auth: kerberos "), "management.auth", "auth: kerberos", `want ntlm or basic, got "kerberos"`},
		{"boolean as text", replace("  insecureSkipVerify: false\n", "  insecureSkipVerify: nope\n"), "management.insecureSkipVerify", "nope", `want true or false, got "nope"`},
		{"version 2", replace("version: 1\n", "version: 2\n"), "version", "version: 2", "unsupported version 2"},
		{"unknown product", replace("  activeServerIdentity: global\n", "  activeServerIdentity: global\n  product: lync2010\n"), "pool.product", "product: lync2010", `unknown product "lync2010" (want lync2013`},
		{"restore mode", replace("  restoreMode: norecovery", "  restoreMode: recovery"), "logShipping.restoreMode", "restoreMode: recovery", `unknown restore mode "recovery"`},
		{"zero schedule", replace("  scheduleMinutes: 15\n", "  scheduleMinutes: 0\n"), "logShipping.scheduleMinutes", "scheduleMinutes: 0", "greater than 0"},
		{"missing section", replace("objectives:\n", "objectivez:\n"), "objectives", "version: 1", "missing required key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			text := tc.edit(t, base)
			_, err := Parse("topology.yaml", []byte(text))
			if err == nil {
				t.Fatal("Parse accepted the topology")
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error does not match ErrInvalid: %v", err)
			}
			// A key under a named list item reads "instance NAME (key): ".
			want := regexp.MustCompile(fmt.Sprintf(`^topology\.yaml:%d: (%s: |[a-z ]+ \S+ \(%s\): )`, lineOf(t, text, tc.marker), regexp.QuoteMeta(tc.key), regexp.QuoteMeta(tc.key)))
			for _, line := range strings.Split(err.Error(), "\n") {
				if want.MatchString(line) && strings.Contains(line, tc.msg) {
					if strings.Contains(line, "Sup3r") {
						t.Fatalf("message quotes a secret: %s", line)
					}
					return
				}
			}
			t.Fatalf("want a line matching %s containing %q, got:\n%v", want, tc.msg, err)
		})
	}
}

func TestFileLevelRefusals(t *testing.T) {
	tests := []struct {
		name, text, want string
	}{
		{"empty", "", "topology.yaml: empty file"},
		{"only a comment", "# nothing\n", "topology.yaml: empty file"},
		{"a list at the top", "- a\n- b\n", "topology.yaml:1: want a mapping of keys, got a list"},
		{"syntax error", "version: 1\npool: [\n", "topology.yaml:2: yaml syntax:"},
		{"tab indentation", "version: 1\npool:\n\tfqdn: x\n", "topology.yaml:3: line 3 is indented with a tab: YAML indents with spaces only"},
		{"two documents", "version: 1\n---\nversion: 1\n", "topology.yaml:2: more than one YAML document"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("topology.yaml", []byte(tc.text))
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Fatalf("Parse: %v, want prefix %q", err, tc.want)
			}
		})
	}
}

func TestErrorsAreTyped(t *testing.T) {
	text := strings.Replace(embeddedText(t), "version: 1\n", "version: 1\nextra: 1\n", 1)
	_, err := Parse("t.yaml", []byte(text))
	var e *Error
	if !errors.As(err, &e) || e.Key != "extra" || e.Line != 7 || e.File != "t.yaml" {
		t.Fatalf("errors.As: %+v from %v", e, err)
	}
}
