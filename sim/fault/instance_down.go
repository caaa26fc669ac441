package fault

import (
	"context"
	"fmt"
)

// KindInstanceDown is InstanceDown's kind.
const KindInstanceDown Kind = "instance-down"

// InstanceDown: the SQL Server service of Instance is stopped (listener
// closed, sessions dropped) while the rest of its data center stays up;
// Undo starts it again on the same data folder and port.
type InstanceDown struct {
	Instance string
}

func (InstanceDown) Kind() Kind { return KindInstanceDown }

func (f InstanceDown) AppliesTo(t Target) bool { return anyOrIn(f.Instance, t.Instances) }

func (f InstanceDown) Check(env *Env) error {
	_, err := env.instance(f.Instance, f)
	return err
}

func (f InstanceDown) Apply(ctx context.Context, env *Env) error {
	inst, err := env.instance(f.Instance, f)
	if err != nil {
		return err
	}
	return env.World.StopInstance(ctx, inst)
}

func (f InstanceDown) Undo(ctx context.Context, env *Env) error {
	inst, err := env.instance(f.Instance, f)
	if err != nil {
		return err
	}
	return env.World.StartInstance(ctx, inst)
}

func (f InstanceDown) String() string { return fmt.Sprintf("instance %s is down", f.Instance) }
