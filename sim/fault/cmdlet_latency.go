package fault

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	lyncfake "github.com/pchatdr/harness/fakes/lync"
)

// KindCmdletLatency is CmdletLatency's kind.
const KindCmdletLatency Kind = "cmdlet-latency"

// CmdletLatency: cmdlets matching Cmdlet ("" every cmdlet of the Lync
// module; wildcards allowed) are each delayed by Delay, the next Count of
// them (0: every one until the world closes), as a slow Central
// Management Store makes them. It hits steps that run cmdlets.
type CmdletLatency struct {
	Cmdlet string
	Count  int
	Delay  time.Duration
}

func (CmdletLatency) Kind() Kind                       { return KindCmdletLatency }
func (CmdletLatency) AppliesTo(t Target) bool          { return t.Cmdlets }
func (CmdletLatency) Undo(context.Context, *Env) error { return nil }

func (f CmdletLatency) Apply(ctx context.Context, env *Env) error {
	return env.World.Pool().Inject(ctx, lyncfake.Fault{Kind: lyncfake.FaultLatency, Cmdlet: f.Cmdlet, Count: f.Count, Delay: f.Delay})
}

func (f CmdletLatency) String() string {
	which := "cmdlets are"
	if f.Cmdlet != "" {
		which = f.Cmdlet + " calls are"
	}
	if f.Count == 0 {
		return fmt.Sprintf("all %s each delayed by %s", which, f.Delay)
	}
	return fmt.Sprintf("the next %d %s each delayed by %s", f.Count, which, f.Delay)
}

func (CmdletLatency) Draw(r *rand.Rand, _ Target) Spec {
	count := 1 + r.IntN(2)
	return Spec{Kind: KindCmdletLatency, Count: count, DelayMs: 100 * (1 + r.IntN(6))}
}

func (CmdletLatency) FromSpec(s Spec) (Fault, error) {
	f := CmdletLatency{Count: s.Count, Delay: s.Delay()}
	if err := positive("count", s.Count, s); err != nil {
		return f, err
	}
	return f, positive("delayMs", s.DelayMs, s)
}
