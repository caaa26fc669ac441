package fault

import (
	"context"
	"fmt"
)

// KindShareUnreachable is ShareUnreachable's kind.
const KindShareUnreachable Kind = "share-unreachable"

// ShareUnreachable: every file operation Instance makes on the
// log-shipping share fails with operating system error 53 (the network
// path was not found), as a file server one site cannot reach; Undo makes
// it reachable again. It reaches into the instance's in-process engine,
// so it does not apply to a container (Check says so, labelled).
type ShareUnreachable struct {
	Instance string
}

func (ShareUnreachable) Kind() Kind { return KindShareUnreachable }

func (f ShareUnreachable) AppliesTo(t Target) bool { return anyOrIn(f.Instance, t.Instances) }

func (f ShareUnreachable) Check(env *Env) error {
	inst, err := env.instance(f.Instance, f)
	if err != nil {
		return err
	}
	return env.World.RequireInProcess(inst, "make the share unreachable from "+inst.Name)
}

func (f ShareUnreachable) Apply(_ context.Context, env *Env) error { return f.set(env, true) }
func (f ShareUnreachable) Undo(_ context.Context, env *Env) error  { return f.set(env, false) }

func (f ShareUnreachable) set(env *Env, unreachable bool) error {
	inst, err := env.instance(f.Instance, f)
	if err != nil {
		return err
	}
	return env.World.SetShareUnreachable(inst, unreachable)
}

func (f ShareUnreachable) String() string {
	return fmt.Sprintf("the share is unreachable from %s", f.Instance)
}
