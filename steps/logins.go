package steps

import (
	"context"

	"github.com/cucumber/godog"
)

// registerLogins binds the step that leaves the engine a login that is not
// sysadmin (issue 12, defect 5: the failback's procedures need sysadmin).
func registerLogins(sc *godog.ScenarioContext) {
	sc.Step(`^the engine's login on the "([^"]*)" instance is not a member of sysadmin$`, engineLoginNotSysadmin)
}

func engineLoginNotSysadmin(ctx context.Context, role string) error {
	name, err := instanceName(ctx, role)
	if err != nil {
		return err
	}
	return get(ctx).world.EngineLoginNotSysadmin(ctx, name)
}
