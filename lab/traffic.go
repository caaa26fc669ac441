package lab

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/pchatdr/harness/fakes/lync/pool"
	"github.com/pchatdr/harness/loadtest"
)

// startTraffic starts steady chat traffic through the world's chat
// servers (the next generator of the lab's life: seed+n, so a pause for a
// check does not replay the same users). It runs until the lab stops.
func (l *lab) startTraffic() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.gen != nil || l.life.Err() != nil {
		return nil
	}
	g, err := loadtest.Start(l.life, l.d, loadtest.Config{Rate: l.cfg.Rate, Seed: l.cfg.Seed + l.gens})
	if err != nil {
		return fmt.Errorf("lab: chat traffic: %w", err)
	}
	l.gen = g
	l.gens++
	return nil
}

// stopTraffic stops the generator and waits for its posts in flight, so
// every post it made is either acknowledged (in the ledger) or not.
func (l *lab) stopTraffic() {
	l.mu.Lock()
	g := l.gen
	l.gen = nil
	l.mu.Unlock()
	if g == nil {
		return
	}
	s := g.Stop()
	l.mu.Lock()
	l.past = addStats(l.past, s)
	l.mu.Unlock()
}

// traffic is what every generator of the lab did so far.
func (l *lab) traffic() loadtest.Stats {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.past
	if l.gen != nil {
		s = addStats(s, l.gen.Stats())
	}
	return s
}

func addStats(a, b loadtest.Stats) loadtest.Stats {
	out := a
	out.Attempted += b.Attempted
	out.Acknowledged += b.Acknowledged
	out.Refused += b.Refused
	out.Failed += b.Failed
	out.InFlight += b.InFlight
	out.Missed += b.Missed
	out.Elapsed += b.Elapsed
	out.ByServer = map[string]int{}
	for _, m := range []map[string]int{a.ByServer, b.ByServer} {
		for k, v := range m {
			out.ByServer[k] += v
		}
	}
	out.Errors = append(append([]string(nil), a.Errors...), b.Errors...)
	if len(out.Errors) > 5 {
		out.Errors = out.Errors[:5]
	}
	if out.Started.IsZero() || (!b.Started.IsZero() && b.Started.Before(out.Started)) {
		out.Started = b.Started
	}
	return out
}

// watchPool prints the pool's state and active list whenever they change
// (the failback's steps 1, 6 and 7 as the operator's terminal shows
// them), with the traffic's figures, until ctx is done.
func (l *lab) watchPool(ctx context.Context) {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	last := ""
	lastErr := ""
	for {
		rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		st, err := l.d.Pool().State(rctx)
		cancel()
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			if err.Error() != lastErr {
				l.printf("lab: reading the pool's state: %v", err)
				lastErr = err.Error()
			}
		default:
			lastErr = ""
			now := poolLine(st)
			if last != "" && now != last {
				s := l.traffic()
				l.printf("lab: %s (chat: %d acknowledged, %d refused, %d failed so far)", now, s.Acknowledged, s.Refused, s.Failed)
			}
			last = now
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func poolLine(st pool.State) string {
	active := "none (chat is down)"
	if len(st.ActiveServers) > 0 {
		active = strings.Join(st.ActiveServers, " ")
	}
	return fmt.Sprintf("pool %s, active servers: %s", st.PoolState, active)
}
