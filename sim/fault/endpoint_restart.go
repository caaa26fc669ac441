package fault

import (
	"context"
	"math/rand/v2"
)

// KindEndpointRestart is EndpointRestart's kind.
const KindEndpointRestart Kind = "endpoint-restart"

// EndpointRestart: the management endpoint restarts (a Front End
// reboot): its WinRM shells and any cmdlet in flight are lost, the pool's
// configuration is kept. It hits steps that run cmdlets.
type EndpointRestart struct{}

func (EndpointRestart) Kind() Kind                       { return KindEndpointRestart }
func (EndpointRestart) AppliesTo(t Target) bool          { return t.Cmdlets }
func (EndpointRestart) Undo(context.Context, *Env) error { return nil }
func (EndpointRestart) String() string                   { return "the management endpoint restarts" }

func (EndpointRestart) Apply(ctx context.Context, env *Env) error {
	return env.World.RestartPool(ctx)
}

func (EndpointRestart) Draw(r *rand.Rand, _ Target) Spec {
	return Spec{Kind: KindEndpointRestart, At: pick(r, Points())}
}

func (EndpointRestart) FromSpec(Spec) (Fault, error) { return EndpointRestart{}, nil }
