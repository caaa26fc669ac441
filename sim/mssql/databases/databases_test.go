package databases_test

import (
	"testing"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/engine/enginerec"
	"github.com/pchatdr/harness/sim/mssql/features"
)

// ROLLBACK AFTER n SECONDS waits for the other users to leave and then
// ends their sessions, as ROLLBACK IMMEDIATE does at once.
func TestRollbackAfterEndsOtherSessions(t *testing.T) {
	e := enginerec.NewShareEnv(t, features.Default())
	inst := e.Start("PRIMARY")
	a, b := enginerec.Login(t, inst, "a"), enginerec.Login(t, inst, "b")
	enginerec.OK(t, a, "CREATE DATABASE mgc")
	enginerec.OK(t, b, "USE mgc")
	enginerec.OK(t, a, "ALTER DATABASE mgc SET SINGLE_USER WITH ROLLBACK AFTER 1 SECONDS")
	if !b.Killed() {
		t.Fatal("the other session in mgc is still alive after ROLLBACK AFTER")
	}
	if got := enginerec.Scalar(t, a, "SELECT user_access_desc FROM sys.databases WHERE name = N'mgc'"); got != "SINGLE_USER" {
		t.Fatalf("user_access_desc %s, want SINGLE_USER", got)
	}
	enginerec.OK(t, a, "ALTER DATABASE mgc SET MULTI_USER")
	enginerec.OK(t, a, "DROP DATABASE mgc")
}

// Without the feature an instance has its system databases only: CREATE
// DATABASE is a statement it does not run.
func TestWithoutTheFeature(t *testing.T) {
	var fs []engine.Feature
	for _, f := range features.Default() {
		if f.Name != "databases" {
			fs = append(fs, f)
		}
	}
	e := enginerec.NewShareEnv(t, fs)
	s := enginerec.Login(t, e.Start("BARE"), "t")
	if errs, _, _ := enginerec.Exec(t, s, "CREATE DATABASE mgc"); len(errs) == 0 {
		t.Fatal("CREATE DATABASE ran on an instance without the databases feature")
	}
}
