package modules_test

import (
	"testing"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/engine/enginerec"
	"github.com/pchatdr/harness/sim/mssql/enginetest"
	"github.com/pchatdr/harness/sim/mssql/features"
)

// The user procedures and views scripts (sim/mssql runs them over TDS)
// in-process on the feature's own instance: its statements' rules, EXEC
// and views in FROM together. Those passing parameters (Args, an RPC
// over the wire) run over TDS only.
func TestModuleScripts(t *testing.T) {
	var tests []enginetest.ScriptTest
	for _, st := range enginetest.ModuleScripts {
		rpc := false
		for _, a := range st.Assertions {
			rpc = rpc || len(a.Args) > 0
		}
		if !rpc {
			tests = append(tests, st)
		}
	}
	enginetest.RunSessions(t, tests, func(t *testing.T) enginetest.Session {
		inst, err := engine.New(engine.Config{Name: "MODULES", SAPassword: "Pa55w.rd!", NoSync: true, Features: features.Default()})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { inst.Close() })
		return enginerec.Script(t, enginerec.Login(t, inst, "t"))
	})
}

// Without the feature the core still keeps and runs modules, but CREATE
// PROCEDURE is a statement the instance does not run.
func TestWithoutTheFeature(t *testing.T) {
	var fs []engine.Feature
	for _, f := range features.Default() {
		if f.Name != "modules" {
			fs = append(fs, f)
		}
	}
	inst, err := engine.New(engine.Config{Name: "BARE", SAPassword: "Pa55w.rd!", NoSync: true, Features: fs})
	if err != nil {
		t.Fatal(err)
	}
	defer inst.Close()
	s := enginerec.Login(t, inst, "t")
	if errs, _, _ := enginerec.Exec(t, s, "CREATE PROCEDURE dbo.p AS SELECT 1"); len(errs) == 0 {
		t.Fatal("CREATE PROCEDURE ran on an instance without the modules feature")
	}
}
