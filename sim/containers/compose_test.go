package containers

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"
)

// composeCmd finds `docker compose` (v2) or Debian's `docker-compose` (v1).
func composeCmd(t *testing.T) []string {
	t.Helper()
	if err := exec.Command("docker", "compose", "version").Run(); err == nil {
		return []string{"docker", "compose"}
	}
	if p, err := exec.LookPath("docker-compose"); err == nil {
		return []string{p}
	}
	t.Skip("neither `docker compose` nor `docker-compose` is installed")
	return nil
}

type composeRun struct {
	t       *testing.T
	cmd     []string
	dir     string
	file    string
	project string
	env     []string
}

// newComposeRun prepares env files with test passwords in a temp dir and a
// project name unique to this run.
func newComposeRun(t *testing.T, file string, extraEnv ...string) *composeRun {
	t.Helper()
	cmd := composeCmd(t)
	root, err := ModuleRoot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sqlEnv, lyncEnv := filepath.Join(dir, "sql.env"), filepath.Join(dir, "lync.env")
	if err := os.WriteFile(sqlEnv, []byte("MSSQL_SA_PASSWORD="+testSAPassword+"\nMSSQLSIM_SA_PASSWORD="+testSAPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(lyncEnv, []byte("LYNCFAKE_PASSWORD="+testLyncPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := append(os.Environ(), "PCHAT_SQL_ENV_FILE="+sqlEnv, "PCHAT_LYNC_ENV_FILE="+lyncEnv)
	env = append(env, extraEnv...)
	return &composeRun{t: t, cmd: cmd, dir: root, file: filepath.Join(root, file),
		project: "pchattest" + randomSuffix(), env: env}
}

func (c *composeRun) run(ctx context.Context, args ...string) (string, error) {
	full := append(append([]string{}, c.cmd[1:]...), "-p", c.project, "-f", c.file)
	cmd := exec.CommandContext(ctx, c.cmd[0], append(full, args...)...)
	cmd.Dir, cmd.Env = c.dir, c.env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	return out.String(), err
}

type composeFile struct {
	Services map[string]struct {
		Image       string            `yaml:"image"`
		Environment map[string]string `yaml:"environment"`
		Ports       []string          `yaml:"ports"`
		Command     []string          `yaml:"command"`
		Volumes     []string          `yaml:"volumes"`
	} `yaml:"services"`
	Volumes map[string]any `yaml:"volumes"`
}

// TestComposeConfig validates both compose files with the compose tool and
// checks the lab's rules on the rendered result.
func TestComposeConfig(t *testing.T) {
	tests := []struct {
		name     string
		file     string
		env      []string
		services []string
		sqlImage string
	}{
		{"real lab", "docker-compose.yml", nil,
			[]string{"share-init", "sql-primary", "sql-backup", "lyncfake", "pushgateway"}, RealSQLImage},
		{"real lab with the simulator", "docker-compose.yml", []string{SQLImageEnv + "=" + SimulatorImage},
			[]string{"share-init", "sql-primary", "sql-backup", "lyncfake", "pushgateway"}, SimulatorImage},
		{"offline lab", "docker-compose.sim.yml", nil,
			[]string{"sql-primary", "sql-primary-mirror", "sql-backup", "sql-backup-mirror", "lyncfake"}, SimulatorImage},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			env := tc.env
			if tc.file == "docker-compose.sim.yml" {
				env = append(env, seededEnv(t)...)
			}
			c := newComposeRun(t, tc.file, env...)
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			out, err := c.run(ctx, "config")
			if err != nil {
				t.Fatalf("%s config: %v (output withheld: it holds the test passwords)", tc.file, err)
			}
			var cf composeFile
			if err := yaml.Unmarshal([]byte(out), &cf); err != nil {
				t.Fatalf("rendered config: %v", err)
			}
			if len(cf.Services) != len(tc.services) {
				t.Errorf("services: got %d, want %v", len(cf.Services), tc.services)
			}
			for _, name := range tc.services {
				s, ok := cf.Services[name]
				if !ok {
					t.Errorf("service %s missing", name)
					continue
				}
				for _, p := range s.Ports {
					if !strings.HasPrefix(p, "127.0.0.1:") {
						t.Errorf("%s publishes %q beyond loopback", name, p)
					}
				}
				if tc.file == "docker-compose.sim.yml" && !strings.HasPrefix(s.Image, "pchat-harness/") {
					t.Errorf("offline lab service %s uses non-local image %s", name, s.Image)
				}
			}
			for _, name := range []string{"sql-primary", "sql-backup"} {
				s := cf.Services[name]
				if s.Image != tc.sqlImage {
					t.Errorf("%s image %s, want %s", name, s.Image, tc.sqlImage)
				}
				// The env file reached the service (compose renders it inline).
				if s.Environment["MSSQLSIM_SA_PASSWORD"] != testSAPassword {
					t.Errorf("%s: SA password not taken from the env file", name)
				}
				if tc.file == "docker-compose.yml" && s.Environment["MSSQL_SA_PASSWORD"] != testSAPassword {
					t.Errorf("%s: SA password for the real image not taken from the env file", name)
				}
				if !hasVolume(s.Volumes, ":/share") || !hasVolume(s.Volumes, ":/var/opt/mssql") {
					t.Errorf("%s volumes %v lack the share or the data folder", name, s.Volumes)
				}
			}
			if _, ok := cf.Volumes["share"]; tc.file == "docker-compose.yml" && !ok {
				t.Error("no shared share volume")
			}
		})
	}
}

// seededEnv is what `lab up --target compose` hands the offline lab's
// compose file (its folders as host paths, env files, user), with the
// test's env file for every SQL service.
func seededEnv(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	sqlEnv := filepath.Join(dir, "sql.env")
	if err := os.WriteFile(sqlEnv, []byte("MSSQLSIM_SA_PASSWORD="+testSAPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	lyncEnv := filepath.Join(dir, "lync.env")
	if err := os.WriteFile(lyncEnv, []byte("LYNCFAKE_PASSWORD="+testLyncPassword+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"PCHAT_UID=10001", "PCHAT_GID=10001", "PCHAT_SHARE=" + dir, "PCHAT_LYNC_DIR=" + dir, "PCHAT_LYNC_ENV=" + lyncEnv}
	for _, p := range []string{"PRIMARY", "PRIMARY_MIRROR", "BACKUP", "BACKUP_MIRROR"} {
		for _, v := range []string{"DATA", "C", "D", "TLS"} {
			env = append(env, "PCHAT_"+p+"_"+v+"="+dir)
		}
		env = append(env, "PCHAT_"+p+"_ENV="+sqlEnv)
	}
	return env
}

// TestComposeSimNeedsTheSeededLab: the offline lab's compose file refuses to
// start without the folders `lab up --target compose` seeds (lab's
// end-to-end test brings it up for real).
func TestComposeSimNeedsTheSeededLab(t *testing.T) {
	c := newComposeRun(t, "docker-compose.sim.yml")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := c.run(ctx, "config")
	if err == nil || !strings.Contains(out, "seed the lab first") {
		t.Errorf("compose config without the seeded lab's variables: err %v, want one saying \"seed the lab first\":\n%s", err, out)
	}
}

// TestComposeFilesHoldNoSecrets reads the files themselves: passwords come
// from env files only.
func TestComposeFilesHoldNoSecrets(t *testing.T) {
	root, err := ModuleRoot(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"docker-compose.yml", "docker-compose.sim.yml"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			l := strings.TrimSpace(line)
			if strings.HasPrefix(l, "#") {
				continue
			}
			if strings.Contains(strings.ToUpper(l), "PASSWORD") {
				t.Errorf("%s:%d names a password inline: %s", f, i+1, l)
			}
		}
	}
}

func hasVolume(vols []string, suffix string) bool {
	for _, v := range vols {
		if strings.Contains(v, suffix) {
			return true
		}
	}
	return false
}

// parsePortOutput reads `docker compose port` output ("127.0.0.1:49153").
func parsePortOutput(s string) (string, error) {
	s = strings.TrimSpace(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[i+1:])
	}
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return "", fmt.Errorf("port output %q: %w", s, err)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n <= 0 || n > 65535 {
		return "", fmt.Errorf("port output %q: bad port", s)
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

func TestParsePortOutput(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"127.0.0.1:49153\n", "127.0.0.1:49153", true},
		{"0.0.0.0:1433", "127.0.0.1:1433", true},
		{"WARNING: x\n127.0.0.1:5", "127.0.0.1:5", true},
		{"", "", false},
		{"127.0.0.1:", "", false},
		{"127.0.0.1:70000", "", false},
		{"127.0.0.1:abc", "", false},
	}
	for _, tc := range tests {
		got, err := parsePortOutput(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("parsePortOutput(%q) = %q, %v; want %q ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func FuzzParsePortOutput(f *testing.F) {
	for _, s := range []string{"127.0.0.1:49153\n", "[::1]:80", ":1", "x\ny:2", "0.0.0.0:0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := parsePortOutput(s)
		if err != nil {
			return
		}
		if _, port, err := net.SplitHostPort(got); err != nil || port == "" {
			t.Fatalf("accepted %q as %q", s, got)
		}
	})
}
