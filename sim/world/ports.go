package world

import (
	"context"
	"errors"
	"fmt"
	"net"
	"syscall"
	"time"
)

// The world binds some ports again later on the same number: an instance
// restarted or rebuilt (the engine and the topology hold its address), a
// link proxy restored after a cut, the management endpoint restarted. It
// takes those ports from its lease book (internal/portlease): below the
// kernel's ephemeral range, where no outgoing connection takes them, and
// leased machine-wide for the world's life, so no other world, in this
// process or another, is handed a port of this one while it is unbound
// (an instance down, a container being created). A re-bind still waits a
// bounded time (rebind) for a process that binds ports without leasing.

// rebindWait bounds how long a re-bind waits for a port held by someone
// else: generous for a loaded machine, short enough that a port taken for
// good fails the step with a clear error.
const rebindWait = 30 * time.Second

// rebind calls bind until it succeeds, fails other than with the port in
// use, ctx ends or rebindWait passes, backing off between tries; the error
// names the port and its owner.
func rebind(ctx context.Context, owner, addr string, bind func() error) error {
	ctx, cancel := context.WithTimeout(ctx, rebindWait)
	defer cancel()
	delay := 10 * time.Millisecond
	for {
		err := bind()
		if err == nil || !errors.Is(err, syscall.EADDRINUSE) {
			return err
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("world: %s: port %s still in use by another socket after waiting: %w", owner, addr, err)
		case <-t.C:
		}
		delay = min(2*delay, 500*time.Millisecond)
	}
}

// listenRetry listens on addr for owner, waiting (rebind) while the port
// is in use.
func listenRetry(ctx context.Context, owner, addr string) (net.Listener, error) {
	var ln net.Listener
	var lc net.ListenConfig
	err := rebind(ctx, owner, addr, func() (err error) {
		ln, err = lc.Listen(ctx, "tcp", addr)
		return err
	})
	return ln, err
}
