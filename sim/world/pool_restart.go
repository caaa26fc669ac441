package world

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"time"

	lyncfake "github.com/pchatdr/harness/fakes/lync"
)

// PoolRestarter restarts the world's management endpoint the way a Front
// End reboot would: the same address and certificate, the pool's
// configuration kept (the fake persists it to a state file, as the Central
// Management Store keeps it), every open WinRM shell and in-flight request
// lost.
//
// In process, the world starts its endpoint restartable: it makes the
// certificate and keeps the options. On the containers target the
// endpoint's container serves a certificate the world made, on a host port
// fixed for the world's life, with its state file inside the container: a
// restart is a stop and a start of that container.
type PoolRestarter struct {
	w     *World
	mu    sync.Mutex
	opts  lyncfake.Options
	state string
	ctr   *containerEndpoint // the containers target
}

// RestartablePool returns the restarter of the world's management endpoint.
func (w *World) RestartablePool() (*PoolRestarter, error) {
	cur := w.Pool()
	if cur == nil {
		return nil, errors.New("world: restartable pool: the management endpoint is not running")
	}
	if ce, ok := cur.(*containerEndpoint); ok {
		return &PoolRestarter{w: w, ctr: ce}, nil
	}
	if w.restarter == nil {
		return nil, errors.New("world: restartable pool: the management endpoint was not started by the world")
	}
	return w.restarter, nil
}

// RestartPool restarts the management endpoint (see PoolRestarter).
func (w *World) RestartPool(ctx context.Context) error {
	r, err := w.RestartablePool()
	if err != nil {
		return err
	}
	return r.Restart(ctx)
}

// Restart stops the endpoint and starts it again; the pool state survives.
func (r *PoolRestarter) Restart(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if r.ctr != nil {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.w.Timeline.Add("lync", "stop", "management endpoint container stopping", nil)
		err := r.ctr.restart(ctx)
		r.w.Timeline.Add("lync", "start", "management endpoint container restarted at "+r.ctr.URL(), err)
		return err
	}
	return r.restart()
}

func (r *PoolRestarter) restart() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	w := r.w
	old := w.Pool()
	if old != nil {
		if err := old.(poolEndpoint).close(); err != nil {
			return fmt.Errorf("world: restart management endpoint: %w", err)
		}
		w.Timeline.Add("lync", "stop", "management endpoint stopped", nil)
	}
	var srv *lyncfake.Server
	var err error
	// The old listener's port is free once Close returns; a short retry
	// covers the kernel releasing it under load.
	for i := 0; i < 50; i++ {
		if srv, err = lyncfake.Start(r.opts); err == nil || !isAddrInUse(err) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err != nil {
		w.Timeline.Add("lync", "start", "management endpoint restart", err)
		return fmt.Errorf("world: restart management endpoint: %w", err)
	}
	w.setPool(processEndpoint{srv})
	w.Timeline.Add("lync", "start", "management endpoint restarted at "+srv.URL, nil)
	return nil
}

func isAddrInUse(err error) bool {
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "listen"
}
