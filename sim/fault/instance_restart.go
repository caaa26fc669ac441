package fault

import (
	"context"
	"fmt"
	"math/rand/v2"
)

// KindInstanceRestart is InstanceRestart's kind.
const KindInstanceRestart Kind = "instance-restart"

// InstanceRestart: the SQL Server instance Instance restarts (a clean
// service restart on the same data folder and port); the engine's pooled
// connections to it break and it must retry on new ones. It hits steps
// that send T-SQL to the instance.
type InstanceRestart struct {
	Instance string
}

func (InstanceRestart) Kind() Kind                       { return KindInstanceRestart }
func (InstanceRestart) Undo(context.Context, *Env) error { return nil }

func (f InstanceRestart) AppliesTo(t Target) bool {
	return len(t.Instances) > 0 && anyOrIn(f.Instance, t.Instances)
}

func (f InstanceRestart) Check(env *Env) error {
	_, err := env.instance(f.Instance, f)
	return err
}

func (f InstanceRestart) Apply(ctx context.Context, env *Env) error {
	inst, err := env.instance(f.Instance, f)
	if err != nil {
		return err
	}
	return env.World.Restart(ctx, inst)
}

func (f InstanceRestart) String() string { return fmt.Sprintf("instance %s restarts", f.Instance) }

func (InstanceRestart) Draw(r *rand.Rand, t Target) Spec {
	s := Spec{Kind: KindInstanceRestart, Instance: pick(r, sortedUnique(t.Instances))}
	s.At = pick(r, Points())
	return s
}

func (InstanceRestart) FromSpec(s Spec) (Fault, error) {
	if s.Instance == "" {
		return nil, fmt.Errorf("fault: %s: no instance", s.Kind)
	}
	return InstanceRestart{Instance: s.Instance}, nil
}
