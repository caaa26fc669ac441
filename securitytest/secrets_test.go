package securitytest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pchatdr/harness/failback/topology"
)

// The drill binary, as an operator runs it: its console and report folder
// hold nothing shaped like a generated secret. Every scenario's outputs
// are scanned where the scenarios run (Scan, in steps' TestFeatures: the
// same timelines, errors, junit, cucumber and report the drill writes);
// this covers the process's own output, over the happy-path failbacks
// (the seeded rehearsals took four times as long for no other output).
func TestDrillBinaryOutputsHoldNoSecret(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs cmd/drill")
	}
	dir := t.TempDir()
	bin := binary(t, "cmd/drill")
	r := runIn(t, dir, bin, "--tags", "@happy", "--report", filepath.Join(dir, "report"))
	outputs := map[string][]byte{"stdout": r.stdout.Bytes(), "stderr": r.stderr.Bytes()}
	if err := ReadTree(filepath.Join(dir, "report"), outputs); err != nil {
		t.Fatal(err)
	}
	if len(outputs["metrics.prom"]) == 0 || len(outputs["report.html"]) == 0 {
		t.Fatalf("the drill wrote no report (%s)", r)
	}
	if l := Leaks(outputs, nil); len(l) > 0 {
		t.Errorf("secrets leaked:\n%s", strings.Join(l, "\n"))
	}
}

// Every output of the engine CLI (plan, run with a journal, JSON events
// and a metrics textfile, status), and its error output when a password
// is wrong, holds none of the world's secrets nor the wrong password.
func TestEngineOutputsHoldNoSecret(t *testing.T) {
	w := preFailback(t, nil)
	dir := t.TempDir()
	top := filepath.Join(dir, "topology.yaml")
	if err := topology.WriteFile(top, w.Topology); err != nil {
		t.Fatal(err)
	}
	journal, prom := filepath.Join(dir, "failback.journal"), filepath.Join(dir, "failback.prom")
	fqdn := w.Topology.Pool.FQDN
	outputs := map[string][]byte{}
	collect := func(name string, r *engineRun) {
		outputs[name+" stdout"], outputs[name+" stderr"] = r.stdout.Bytes(), r.stderr.Bytes()
	}
	plan := runEngine(t, dir, "plan", "--topology", top, "--json")
	collect("plan", plan)
	run := runEngine(t, dir, "run", "--topology", top, "--journal", journal, "--confirm", fqdn, "--json", "--metrics-textfile", prom,
		"--session-drain-timeout", "60s", "--chat-arrival-timeout", "60s", "--job-timeout", "60s")
	collect("run", run)
	if run.code != 0 {
		t.Fatalf("failback run: %s", run)
	}
	collect("status", runEngine(t, dir, "status", "--journal", journal))

	// A wrong SQL password and a wrong management password: the errors
	// must say what failed without echoing either.
	wrong := "Sim-0123456789abcdef01234567!"
	bad := *w.Topology
	bad.Instances = append([]topology.Instance(nil), w.Topology.Instances...)
	wrongFile := filepath.Join(dir, "wrong.password")
	if err := os.WriteFile(wrongFile, []byte(wrong+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		edit func(*topology.Topology)
	}{
		{"wrong sql password", func(x *topology.Topology) { x.Instances[0].Password = topology.SecretRef{File: wrongFile} }},
		{"wrong management password", func(x *topology.Topology) { x.Management.Password = topology.SecretRef{File: wrongFile} }},
	} {
		x := bad
		x.Instances = append([]topology.Instance(nil), bad.Instances...)
		c.edit(&x)
		p := filepath.Join(dir, strings.ReplaceAll(c.name, " ", "-")+".yaml")
		if err := topology.WriteFile(p, &x); err != nil {
			t.Fatal(err)
		}
		r := runEngine(t, dir, "plan", "--topology", p)
		if r.code == 0 {
			t.Errorf("%s: plan succeeded", c.name)
		}
		collect(c.name, r)
	}
	if err := ReadTree(dir, outputs); err != nil {
		t.Fatal(err)
	}
	delete(outputs, "wrong.password") // the secret file itself
	all := append(secrets(t, w.Topology), wrong)
	if len(outputs["failback.journal"]) == 0 || len(outputs["failback.prom"]) == 0 {
		t.Fatal("the run wrote no journal or metrics")
	}
	if l := Leaks(outputs, all); len(l) > 0 {
		t.Errorf("secrets leaked:\n%s", strings.Join(l, "\n"))
	}
}
