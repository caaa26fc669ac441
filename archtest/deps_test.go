package archtest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"sort"
	"strings"
	"testing"
)

const module = "github.com/pchatdr/harness"

// pkg is one package of the module as `go list` reports it.
type pkg struct {
	ImportPath   string
	Imports      []string
	TestImports  []string
	XTestImports []string
}

// graph is the module's import graph, by path relative to the module.
type graph map[string]*pkg

func loadGraph(t *testing.T) graph {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-json=ImportPath,Imports,TestImports,XTestImports", module+"/...")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	g := graph{}
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkg
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list output: %v", err)
		}
		g[rel(p.ImportPath)] = &p
	}
	if len(g) < 20 {
		t.Fatalf("go list found %d packages: the rules would prove nothing", len(g))
	}
	return g
}

func rel(path string) string {
	if path == module {
		return "."
	}
	return strings.TrimPrefix(path, module+"/")
}

// deps are the module packages p reaches, through its own imports and,
// withTests, its tests' (as `go list -deps -test` counts them: the tests
// of p's dependencies are not part of p's build), each with one chain
// that leads there.
func (g graph) deps(p string, withTests bool) map[string][]string {
	seen := map[string][]string{}
	var visit func(path string, chain []string)
	visit = func(path string, chain []string) {
		q := rel(path)
		if !strings.HasPrefix(path, module) || seen[q] != nil {
			return
		}
		chain = append(slices.Clone(chain), q)
		seen[q] = chain
		if n := g[q]; n != nil {
			for _, i := range n.Imports {
				visit(i, chain)
			}
		}
	}
	n := g[p]
	imports := slices.Clone(n.Imports)
	if withTests {
		imports = append(imports, n.TestImports...)
		imports = append(imports, n.XTestImports...)
	}
	for _, i := range imports {
		visit(i, []string{p})
	}
	delete(seen, p) // its external test package imports it
	return seen
}

// under reports whether package p is dir or below it.
func under(p string, dirs ...string) bool {
	for _, d := range dirs {
		if p == d || strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}

// rule: no package under from (and its tests, with tests) reaches a
// package under any of banned, unless it is also under except.
type rule struct {
	why       string
	from      []string
	exceptFor []string // packages under from the rule does not cover
	tests     bool
	banned    []string
}

var rules = []rule{
	{
		why:    "the engine must not know it is in a simulation: nothing under failback/, tests included, imports sim or fakes (test rigs that need the world live outside failback/)",
		from:   []string{"failback"},
		tests:  true,
		banned: []string{"sim", "fakes", "steps", "cmd", "evidence", "loadtest", "securitytest", "crashtest", "rulestest", "topologies", "features"},
	},
	{
		why:    "SQL Server's error catalogue is shared by the simulator and the engine's in-memory model (failback/memory): it stands alone, so using it never brings the simulator into failback/",
		from:   []string{"sqlerr"},
		tests:  true,
		banned: []string{"sim", "fakes", "failback", "steps", "cmd", "evidence", "loadtest", "securitytest", "crashtest", "rulestest", "topologies", "features"},
	},
	{
		why:    "the wire protocol knows no SQL: sim/mssql/tds never imports tsql or engine",
		from:   []string{"sim/mssql/tds"},
		tests:  true,
		banned: []string{"sim/mssql/tsql", "sim/mssql/engine"},
	},
	{
		why:    "the engine's leaf packages (pure scalar built-ins, what a query does to computed rows, a session's SET options, the LSN model, what SQL Server reports about backup sets and devices, the model of logins and server roles, reading a state's operation stream) know no instance and no SQL text: they never import the engine, the parser or the feature list",
		from:   []string{"sim/mssql/builtins", "sim/mssql/rowset", "sim/mssql/setopts", "sim/mssql/lsn", "sim/mssql/backupset", "sim/mssql/principals", "sim/mssql/opstream"},
		tests:  true,
		banned: []string{"sim/mssql/engine", "sim/mssql/tsql", "sim/mssql/features"},
	},
	{
		why:    "the query compiler (sim/mssql/query) sees the instance only through its query.Scope interface, which the engine implements: it never imports the engine or the feature list",
		from:   []string{"sim/mssql/query"},
		tests:  true,
		banned: []string{"sim/mssql/engine", "sim/mssql/features"},
	},
	{
		why:    "INSERT, UPDATE, DELETE and TRUNCATE (sim/mssql/dml) see the statement, its tables and its transaction only through dml.Scope, dml.Table and dml.Tx, which the engine implements: they never import the engine or the feature list",
		from:   []string{"sim/mssql/dml"},
		tests:  true,
		banned: []string{"sim/mssql/engine", "sim/mssql/features"},
	},
	{
		why:    "the rules of PRINT, RAISERROR, THROW, WAITFOR and KILL (sim/mssql/sessionstmt) evaluate through an Evaluator and return what to send or wait; the engine acts on it: they never import the engine or the feature list",
		from:   []string{"sim/mssql/sessionstmt"},
		tests:  true,
		banned: []string{"sim/mssql/engine", "sim/mssql/features"},
	},
	{
		why:    "the scalar functions that read the session, the instance or the scope (sim/mssql/sessionfuncs: GETDATE, DB_NAME, OBJECT_ID, SERVERPROPERTY, ERROR_NUMBER, @@SPID, ...) read them only through sessionfuncs.Session, which the engine implements: they never import the engine or the feature list",
		from:   []string{"sim/mssql/sessionfuncs"},
		tests:  true,
		banned: []string{"sim/mssql/engine", "sim/mssql/features"},
	},
	{
		why:    "how far an error unwinds (sim/mssql/abort: statement, batch, batch and transaction, connection; TRY's catch; 3621) is decided from the error and the session's facts: it never imports the engine or the feature list",
		from:   []string{"sim/mssql/abort"},
		tests:  true,
		banned: []string{"sim/mssql/engine", "sim/mssql/features"},
	},
	{
		why:    "a table's definition (sim/mssql/tabledef: CREATE TABLE's and CREATE INDEX's rules and errors, generated constraint and temporary table names) asks the running statement only through its tabledef.Scope, which the engine implements, and a call's argument binding (sim/mssql/procbind) is given values and a parser: neither imports the engine or the feature list",
		from:   []string{"sim/mssql/tabledef", "sim/mssql/procbind"},
		tests:  true,
		banned: []string{"sim/mssql/engine", "sim/mssql/features"},
	},
	{
		why:    "the row store's transactions and version rules (sim/mssql/rowstore: undo log, savepoints, per-database log operations, commit, waits with 1205/1222, visibility, key conflicts, keys and 2627/2601, identity) and a table's rows (versions, key maps, segment) see a database only as a rowstore.Store (its lock, its gate, a function that appends to its log) and rowstore.Hooks (its log encoders, its segment maker), which the engine builds: they never import the engine or the feature list",
		from:   []string{"sim/mssql/rowstore"},
		tests:  true,
		banned: []string{"sim/mssql/engine", "sim/mssql/features"},
	},
	{
		why:    "the simulator models SQL Server from its documentation, not from what the engine sends, and knows nothing of the world around it",
		from:   []string{"sim/mssql"},
		banned: []string{"failback", "fakes", "sim/world", "sim/chat", "sim/fault", "sim/faultplan", "sim/containers"},
	},
	{
		why:    "features outside the engine (sim/mssql/mirroring, sim/mssql/msdb, sim/mssql/backup, sim/mssql/catalog, sim/mssql/security, sim/mssql/sysprocs, sim/mssql/capacity, sim/mssql/databases, sim/mssql/modules) are wired in by sim/mssql/features and see the engine through its exported surface (engine/extension.go, engine/export_*.go): the engine never imports them or the list (its own tests may, as external engine_test packages)",
		from:   []string{"sim/mssql/engine"},
		banned: []string{"sim/mssql/features", "sim/mssql/mirroring", "sim/mssql/msdb", "sim/mssql/backup", "sim/mssql/catalog", "sim/mssql/security", "sim/mssql/sysprocs", "sim/mssql/capacity", "sim/mssql/databases", "sim/mssql/modules"},
	},
	{
		why:    "the fake Lync endpoint is a product of its own (cmd/lyncfake): it reads the topology, never the simulator (sim/ntlm, a protocol library both servers share, it may)",
		from:   []string{"fakes"},
		tests:  true,
		banned: []string{"sim/mssql", "sim/world", "sim/chat", "sim/containers", "sim/fault", "sim/faultplan", "steps", "cmd"},
	},
	{
		why:       "the world's parts do not know the world: only sim/fault and sim/faultplan (above it) import sim/world",
		from:      []string{"sim"},
		exceptFor: []string{"sim/world", "sim/fault", "sim/faultplan"},
		banned:    []string{"sim/world", "sim/fault", "sim/faultplan"},
	},
	{
		why:    "dependencies point one way: the world acts, faults act on the world",
		from:   []string{"sim/world"},
		banned: []string{"sim/fault", "sim/faultplan"},
	},
	{
		why:    "dependencies point one way (cmd -> steps -> sim/fault -> sim/world -> {failback, sim/*, fakes/*}): nothing below the step library imports it or a command",
		from:   []string{"sim", "fakes", "failback", "evidence", "topologies", "features"},
		tests:  true,
		banned: []string{"steps", "cmd", "loadtest", "securitytest", "crashtest", "rulestest", "archtest"},
	},
}

// violations are the imports of g that break r, one line each; covered
// is how many packages r applies to.
func violations(g graph, r rule) (lines []string, covered int) {
	paths := make([]string, 0, len(g))
	for p := range g {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if !under(p, r.from...) || under(p, r.exceptFor...) {
			continue
		}
		covered++
		deps := g.deps(p, r.tests)
		var bad []string
		for d := range deps {
			if under(d, r.banned...) {
				bad = append(bad, d)
			}
		}
		sort.Strings(bad)
		for _, d := range bad {
			lines = append(lines, fmt.Sprintf("%s imports %s (via %s): %s", p, d, strings.Join(deps[d], " -> "), r.why))
		}
	}
	return lines, covered
}

// TestImportRules checks every rule over the module's import graph.
func TestImportRules(t *testing.T) {
	g := loadGraph(t)
	for _, r := range rules {
		lines, covered := violations(g, r)
		for _, l := range lines {
			t.Error(l)
		}
		if covered == 0 {
			t.Errorf("rule %q covers no package: the layout changed, update the rule", r.why)
		}
	}
}

// The rules catch a breach however deep: a test of the engine reaching
// the world through a helper package, and only with tests counted.
func TestRulesCatchABreach(t *testing.T) {
	g := graph{
		"failback":          {ImportPath: module + "/failback", Imports: []string{module + "/failback/topology"}, XTestImports: []string{module + "/failback/rig"}},
		"failback/rig":      {ImportPath: module + "/failback/rig", Imports: []string{module + "/sim/world"}},
		"failback/topology": {ImportPath: module + "/failback/topology"},
		"sim/world":         {ImportPath: module + "/sim/world", Imports: []string{module + "/failback/topology"}},
	}
	lines, covered := violations(g, rules[0])
	want := "failback imports sim/world (via failback -> failback/rig -> sim/world)"
	if covered != 3 || len(lines) != 2 || !strings.HasPrefix(lines[0], want) {
		t.Fatalf("covered %d, violations:\n%s\nwant first: %s", covered, strings.Join(lines, "\n"), want)
	}
	noTests := rules[0]
	noTests.tests = false
	if lines, _ := violations(g, noTests); len(lines) != 1 || !strings.HasPrefix(lines[0], "failback/rig imports sim/world") {
		t.Fatalf("without tests: %v", lines)
	}
}
