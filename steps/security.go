package steps

import (
	"context"
	"errors"
	"fmt"

	mssqldb "github.com/microsoft/go-mssqldb"

	"github.com/cucumber/godog"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/world"
)

// registerSecurity holds the steps of how the engine reaches SQL Server:
// Windows authentication and TLS (features/security.feature, issue 14).
func registerSecurity(sc *godog.ScenarioContext, opts Options) {
	sc.Step(`^the embedded world from "([^"]*)" where the engine logs in to SQL Server as "([^"]*)"$`, func(ctx context.Context, file, user string) error {
		return startWorld(ctx, file, opts, world.TargetEmbedded, func(t *topology.Topology) {
			for i := range t.Instances {
				t.Instances[i].User = user
			}
		})
	})
	sc.Step(`^the engine's SQL Server password is stale$`, func(ctx context.Context) error { return get(ctx).world.ForgetSQLPasswords() })
	sc.Step(`^the engine could not log in to SQL Server: error (\d+)$`, engineLoginFailed)
	sc.Step(`^the engine logged in to SQL Server only as "([^"]*)" with (NTLM|SQL) authentication over fully encrypted connections$`, engineLogins)
}

// engineLogins checks the login audit of every instance: every login the
// engine made was user's, with the scheme, encrypted in full and
// successful, and it logged in to the primary and the backup (the two the
// procedure changes).
func engineLogins(ctx context.Context, user, scheme string) error {
	w := get(ctx).world
	want := fmt.Sprintf("%s by pchat-failback, %s authentication, encryption full", user, scheme)
	for _, in := range w.Topology.Instances {
		n, err := w.EngineLoginsWere(in.Name, want)
		if err != nil {
			return err
		}
		if n == 0 && (in.Role == topology.RolePrimary || in.Role == topology.RoleBackup) {
			return fmt.Errorf("the engine never logged in to the %s instance %s", in.Role, in.Name)
		}
	}
	return nil
}

// engineLoginFailed checks the engine stopped at its connection with the
// SQL Server error number (18452: a Windows logon the domain refused).
func engineLoginFailed(ctx context.Context, number int) error {
	run := get(ctx).engine
	if run == nil {
		return fmt.Errorf("the engine has not run")
	}
	var me mssqldb.Error
	if !errors.As(run.err, &me) || int(me.Number) != number {
		return fmt.Errorf("the engine ended with %v, want SQL Server error %d", run.err, number)
	}
	return nil
}
