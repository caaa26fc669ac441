package containers

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/testcontainers/testcontainers-go/wait"
)

// loopbackPort waits until the published port answers on 127.0.0.1, where
// this package publishes every port. testcontainers' ForListeningPort dials
// the daemon's host instead, which it guesses as the bridge gateway when
// the caller runs in a container (/.dockerenv): a loopback-only binding is
// not there. Its internal check needs a shell, which scratch images lack.
type loopbackPort struct {
	port string
	poll time.Duration
}

var _ wait.Strategy = loopbackPort{}

func (s loopbackPort) String() string { return "port " + s.port + " on 127.0.0.1" }

// WaitUntilReady dials until a connection opens, the container stops, or
// ctx ends (the enclosing ForAll deadline).
func (s loopbackPort) WaitUntilReady(ctx context.Context, target wait.StrategyTarget) error {
	var last error
	for {
		st, err := target.State(ctx)
		if err == nil && !st.Running {
			return fmt.Errorf("wait for %s: container is %s (exit code %d)", s, st.Status, st.ExitCode)
		}
		p, err := target.MappedPort(ctx, s.port)
		if err == nil && !p.IsZero() {
			d := net.Dialer{Timeout: time.Second}
			c, err := d.DialContext(ctx, "tcp", net.JoinHostPort("127.0.0.1", p.Port()))
			if err == nil {
				c.Close()
				return nil
			}
			last = err
		} else if err != nil {
			last = err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for %s: %w (last: %v)", s, ctx.Err(), last)
		case <-time.After(s.poll):
		}
	}
}
