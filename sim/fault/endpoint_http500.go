package fault

import (
	"context"
	"fmt"
	"math/rand/v2"

	lyncfake "github.com/pchatdr/harness/fakes/lync"
)

// KindEndpointHTTP500 is EndpointHTTP500's kind.
const KindEndpointHTTP500 Kind = "endpoint-http500"

// EndpointHTTP500: the management endpoint answers the next Count WinRM
// commands with a bare HTTP 500, as an overloaded IIS front end does
// (transient: the engine retries). It hits steps that run cmdlets.
type EndpointHTTP500 struct {
	Count int
}

func (EndpointHTTP500) Kind() Kind                       { return KindEndpointHTTP500 }
func (EndpointHTTP500) AppliesTo(t Target) bool          { return t.Cmdlets }
func (EndpointHTTP500) Undo(context.Context, *Env) error { return nil }

func (f EndpointHTTP500) Apply(ctx context.Context, env *Env) error {
	return env.World.Pool().Inject(ctx, lyncfake.Fault{Kind: lyncfake.FaultHTTP500, Action: "Command", Count: f.Count})
}

func (f EndpointHTTP500) String() string {
	return fmt.Sprintf("the management endpoint answers the next %d WinRM commands with HTTP 500", f.Count)
}

func (EndpointHTTP500) Draw(r *rand.Rand, _ Target) Spec {
	return Spec{Kind: KindEndpointHTTP500, Count: 1 + r.IntN(2)}
}

func (EndpointHTTP500) FromSpec(s Spec) (Fault, error) {
	return EndpointHTTP500{Count: s.Count}, positive("count", s.Count, s)
}
