package fault

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// KindShareAccessDenied is ShareAccessDenied's kind.
const KindShareAccessDenied Kind = "share-access-denied"

// ShareAccessDenied: Account may neither read nor write the log-shipping
// share as Instance sees it (a SQL Server Agent account the file server's
// ACL leaves out: its jobs fail with operating system error 5); Undo gives
// the account back what the topology grants it. In-process instances only.
type ShareAccessDenied struct {
	Instance, Account string
}

func (ShareAccessDenied) Kind() Kind { return KindShareAccessDenied }

func (f ShareAccessDenied) AppliesTo(t Target) bool { return anyOrIn(f.Instance, t.Instances) }

func (f ShareAccessDenied) Check(env *Env) error {
	inst, err := env.instance(f.Instance, f)
	if err != nil {
		return err
	}
	return env.World.RequireInProcess(inst, "change share access for "+f.Account+" on "+inst.Name)
}

func (f ShareAccessDenied) Apply(_ context.Context, env *Env) error {
	inst, err := env.instance(f.Instance, f)
	if err != nil {
		return err
	}
	return env.World.SetShareAccess(inst, f.Account, false, false)
}

func (f ShareAccessDenied) Undo(_ context.Context, env *Env) error {
	inst, err := env.instance(f.Instance, f)
	if err != nil {
		return err
	}
	share := env.World.Topology.Share
	has := func(accounts []string) bool {
		return slices.ContainsFunc(accounts, func(a string) bool { return strings.EqualFold(a, f.Account) })
	}
	return env.World.SetShareAccess(inst, f.Account, has(share.Readers), has(share.Writers))
}

func (f ShareAccessDenied) String() string {
	return fmt.Sprintf("%s cannot read or write the share from %s", f.Account, f.Instance)
}
