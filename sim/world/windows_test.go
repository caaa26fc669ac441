package world

import (
	"context"
	"testing"
	"time"

	"github.com/pchatdr/harness/failback/sqlserver"
	"github.com/pchatdr/harness/sim/containers"
	"github.com/pchatdr/harness/topologies"
)

// TestWindowsLoginsOnEveryTarget: with a DOMAIN\user instance user, the
// engine's connection settings the world writes (encrypt=true, the CA
// file, the domain account's password file) log in to every instance, in
// process and in containers (skipped without Docker or with -short).
func TestWindowsLoginsOnEveryTarget(t *testing.T) {
	for _, target := range []Target{TargetEmbedded, TargetContainers} {
		t.Run(string(target), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			if target == TargetContainers {
				if testing.Short() {
					t.Skip("starts four SQL Server containers")
				}
				if err := containers.Available(ctx); err != nil {
					t.Skipf("target containers needs Docker: %v", err)
				}
			}
			topo, err := topologies.Load("embedded.yaml")
			if err != nil {
				t.Fatal(err)
			}
			for i := range topo.Instances {
				topo.Instances[i].User = `CONTOSO\svc-pchat-failback`
			}
			// userSysadmin: false on the first instance only: the
			// same domain account is sysadmin everywhere else.
			notAdmin := false
			topo.Instances[0].UserSysadmin = &notAdmin
			w, err := Start(ctx, Options{Topology: topo, Dir: t.TempDir(), Target: target, Logf: t.Logf})
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
			for _, in := range w.Topology.Instances {
				pw, err := in.Password.Resolve()
				if err != nil {
					t.Fatal(err)
				}
				if in.Encrypt != "true" || in.CAFile == "" {
					t.Errorf("%s: encrypt %q, CA file %q", in.Name, in.Encrypt, in.CAFile)
				}
				db, err := sqlserver.Open(ctx, sqlserver.Config{Address: in.Address, User: in.User, Password: pw, Encrypt: in.Encrypt, CAFile: in.CAFile})
				if err != nil {
					t.Errorf("%s: %v", in.Name, err)
					continue
				}
				var who string
				var admin int
				if err := db.SQL().QueryRowContext(ctx, "SELECT SUSER_SNAME(), IS_SRVROLEMEMBER('sysadmin')").Scan(&who, &admin); err != nil || who != `CONTOSO\svc-pchat-failback` {
					t.Errorf("%s: logged in as %q (%v)", in.Name, who, err)
				}
				if want := in.IsUserSysadmin(); (admin == 1) != want {
					t.Errorf("%s: IS_SRVROLEMEMBER('sysadmin') = %d, want sysadmin %t", in.Name, admin, want)
				}
				db.Close()
			}
		})
	}
}
