package steps

import (
	"context"
	"fmt"
	"github.com/pchatdr/harness/sim/world"
	"time"
)

func worldWithLinks(ctx context.Context, file string, opts Options, target world.Target) error {
	get(ctx).links = true
	return startWorld(ctx, file, opts, target)
}

// answersOverLink times round trips to an instance as a client in data
// center from makes them: the fastest of several must take at least the
// topology link's RTT (so the proxy is really in the path).
func answersOverLink(ctx context.Context, role, from string) error {
	w, inst, err := instance(ctx, role)
	if err != nil {
		return err
	}
	in, _ := w.Topology.Instance(inst.Name)
	link, ok := w.Topology.LinkBetween(from, in.DataCenter)
	if !ok {
		return fmt.Errorf("no link between %s and %s", from, in.DataCenter)
	}
	d, err := w.DBFrom(from, inst, "master")
	if err != nil {
		return err
	}
	d.SetMaxOpenConns(1)
	if err := d.PingContext(ctx); err != nil {
		return err
	}
	best := time.Hour
	for i := 0; i < 5; i++ {
		t0 := time.Now()
		var one int
		if err := d.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
			return err
		}
		best = min(best, time.Since(t0))
	}
	rtt := time.Duration(link.RTTMs * float64(time.Millisecond))
	if best < rtt {
		return fmt.Errorf("the %s instance answers %s in %s, faster than the link's RTT %s: no link in the path", role, from, best, rtt)
	}
	return nil
}
