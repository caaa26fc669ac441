package fault

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"
)

// KindLinkOutage is LinkOutage's kind.
const KindLinkOutage Kind = "link-outage"

// LinkOutage: the data-center link Link goes down (its proxies drop every
// connection) for For, then comes back; For 0: until undone. It hits any
// step of a world with links.
type LinkOutage struct {
	Link string
	For  time.Duration
}

func (LinkOutage) Kind() Kind                { return KindLinkOutage }
func (f LinkOutage) Duration() time.Duration { return f.For }

func (f LinkOutage) AppliesTo(t Target) bool {
	return len(t.Links) > 0 && anyOrIn(f.Link, t.Links)
}

func (f LinkOutage) Check(env *Env) error {
	_, _, err := linkEnds(env, f.Link, f)
	return err
}

func (f LinkOutage) Apply(_ context.Context, env *Env) error {
	a, b, err := linkEnds(env, f.Link, f)
	if err != nil {
		return err
	}
	return env.World.CutLink(a, b)
}

func (f LinkOutage) Undo(_ context.Context, env *Env) error {
	a, b, err := linkEnds(env, f.Link, f)
	if err != nil {
		return err
	}
	return env.World.RestoreLink(a, b)
}

func (f LinkOutage) String() string {
	if f.For == 0 {
		return fmt.Sprintf("link %s is cut", f.Link)
	}
	return fmt.Sprintf("link %s is down for %s", f.Link, f.For)
}

func (LinkOutage) Draw(r *rand.Rand, t Target) Spec {
	s := Spec{Kind: KindLinkOutage, Link: pick(r, sorted(t.Links))}
	s.DelayMs = 100 * (2 + r.IntN(7))
	return s
}

func (LinkOutage) FromSpec(s Spec) (Fault, error) {
	f := LinkOutage{Link: s.Link, For: s.Delay()}
	if s.Link == "" {
		return f, fmt.Errorf("fault: %s: no link", s.Kind)
	}
	return f, positive("delayMs", s.DelayMs, s)
}

// linkEnds are the data centers a link name joins in env's world.
func linkEnds(env *Env, name string, f Fault) (string, string, error) {
	a, b, ok := env.World.LinkEnds(name)
	if !ok {
		return "", "", fmt.Errorf("fault: %s: the world has no link %q (links: %v)", f, name, env.World.LinkNames())
	}
	return a, b, nil
}

func sorted(xs []string) []string {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}
