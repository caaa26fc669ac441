package fault

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"
)

// KindLinkLatency is LinkLatency's kind.
const KindLinkLatency Kind = "link-latency"

// LinkLatency: the round trip of the data-center link Link rises to RTT
// for For (a congested WAN), then returns to the topology's; For 0: until
// undone. It hits any step of a world with links.
type LinkLatency struct {
	Link string
	RTT  time.Duration
	For  time.Duration
}

func (LinkLatency) Kind() Kind                { return KindLinkLatency }
func (f LinkLatency) Duration() time.Duration { return f.For }

func (f LinkLatency) AppliesTo(t Target) bool {
	return len(t.Links) > 0 && anyOrIn(f.Link, t.Links)
}

func (f LinkLatency) Check(env *Env) error {
	_, _, err := linkEnds(env, f.Link, f)
	return err
}

func (f LinkLatency) Apply(_ context.Context, env *Env) error {
	a, b, err := linkEnds(env, f.Link, f)
	if err != nil {
		return err
	}
	return env.World.SetLinkRTT(a, b, f.RTT)
}

func (f LinkLatency) Undo(_ context.Context, env *Env) error {
	a, b, err := linkEnds(env, f.Link, f)
	if err != nil {
		return err
	}
	return env.World.SetLinkRTT(a, b, 0)
}

func (f LinkLatency) String() string {
	s := fmt.Sprintf("link %s round trip rises to %dms", f.Link, f.RTT.Milliseconds())
	if f.For > 0 {
		s += " for " + f.For.String()
	}
	return s
}

func (LinkLatency) Draw(r *rand.Rand, t Target) Spec {
	s := Spec{Kind: KindLinkLatency, Link: pick(r, sorted(t.Links))}
	s.DelayMs = 100 * (3 + r.IntN(8))
	s.LatencyMs = 50 * (2 + r.IntN(7))
	return s
}

func (LinkLatency) FromSpec(s Spec) (Fault, error) {
	f := LinkLatency{Link: s.Link, RTT: ms(s.LatencyMs), For: s.Delay()}
	if s.Link == "" {
		return f, fmt.Errorf("fault: %s: no link", s.Kind)
	}
	if err := positive("latencyMs", s.LatencyMs, s); err != nil {
		return f, err
	}
	return f, positive("delayMs", s.DelayMs, s)
}
