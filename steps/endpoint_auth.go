package steps

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/cucumber/godog"

	"github.com/pchatdr/harness/failback/lync"
)

// registerEndpointAuth binds the steps about the management endpoint as a
// Front End's WinRM service serves it (issue 15): Negotiate only, the
// product's module only, every command authenticated with NTLM.
func registerEndpointAuth(sc *godog.ScenarioContext) {
	sc.Step(`^the management endpoint offers Negotiate authentication only and refuses Basic$`, negotiateOnly)
	sc.Step(`^the management endpoint refuses the "([^"]*)" module$`, refusesModule)
	sc.Step(`^every command the management endpoint ran was authenticated with NTLM as "([^"]*)"$`, commandsByNTLM)
}

func negotiateOnly(ctx context.Context) error {
	l, err := get(ctx).world.ProbeManagementLogon(ctx)
	if err != nil {
		return err
	}
	if strings.Join(l.Offered, ", ") != "Negotiate" || l.BasicStatus != http.StatusUnauthorized {
		return fmt.Errorf("the endpoint offers %q and answers Basic with %d; want only Negotiate and 401", l.Offered, l.BasicStatus)
	}
	return nil
}

func refusesModule(ctx context.Context, module string) error {
	out, err := get(ctx).world.RunOnPool(ctx, lync.Module(module), "Get-CsPersistentChatState")
	if err != nil || out.ExitCode != 1 || !strings.Contains(out.Stderr, "Modules_ModuleNotFound") {
		return fmt.Errorf("Import-Module %s: exit %d, error %v, stderr %.300q; want Modules_ModuleNotFound", module, out.ExitCode, err, out.Stderr)
	}
	return nil
}

func commandsByNTLM(ctx context.Context, user string) error {
	cmds, err := get(ctx).world.EndpointCommands(ctx)
	if err != nil {
		return err
	}
	for _, c := range cmds {
		if !strings.EqualFold(c.User, user) || (c.Auth != "Negotiate" && c.Auth != "NTLM") {
			return fmt.Errorf("command %d ran as %q authenticated with %q, want %s with NTLM", c.Seq, c.User, c.Auth, user)
		}
	}
	if len(cmds) == 0 {
		return fmt.Errorf("the management endpoint ran no command")
	}
	return nil
}
