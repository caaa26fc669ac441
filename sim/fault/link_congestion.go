package fault

import (
	"context"
	"fmt"
	"time"
)

// KindLinkCongestion is LinkCongestion's kind.
const KindLinkCongestion Kind = "link-congestion"

// LinkCongestion: the data-center link Link carries only Factor of its
// topology bandwidth (0.5: half) for For, then its full bandwidth again;
// For 0: until undone. Exactly the traffic that crosses the link slows
// down: files on the share read or written from the other data center
// (the failback's backup and restores) and TDS between the data centers;
// each data center's own disks keep their speed. Not drawn by seeded
// schedules (Scheduled's order is append-only and the schedules' golden
// file pins it): scenarios arm it by name.
type LinkCongestion struct {
	Link   string
	Factor float64
	For    time.Duration
}

func (LinkCongestion) Kind() Kind                { return KindLinkCongestion }
func (f LinkCongestion) Duration() time.Duration { return f.For }

func (f LinkCongestion) AppliesTo(t Target) bool {
	return len(t.Links) > 0 && anyOrIn(f.Link, t.Links)
}

func (f LinkCongestion) Check(env *Env) error {
	if f.Factor <= 0 || f.Factor > 1 {
		return fmt.Errorf("fault: %s: factor %g: want more than 0 and at most 1", f, f.Factor)
	}
	_, _, err := linkEnds(env, f.Link, f)
	return err
}

func (f LinkCongestion) Apply(_ context.Context, env *Env) error {
	if err := f.Check(env); err != nil {
		return err
	}
	a, b, _ := linkEnds(env, f.Link, f)
	link, ok := env.World.Topology.LinkBetween(a, b)
	if !ok {
		return fmt.Errorf("fault: %s: no link between %s and %s in the topology", f, a, b)
	}
	return env.World.SetLinkBandwidth(a, b, link.BandwidthMbps*f.Factor)
}

func (f LinkCongestion) Undo(_ context.Context, env *Env) error {
	a, b, err := linkEnds(env, f.Link, f)
	if err != nil {
		return err
	}
	return env.World.SetLinkBandwidth(a, b, 0)
}

func (f LinkCongestion) String() string {
	s := fmt.Sprintf("link %s carries %g%% of its bandwidth", f.Link, 100*f.Factor)
	if f.For > 0 {
		s += " for " + f.For.String()
	}
	return s
}
