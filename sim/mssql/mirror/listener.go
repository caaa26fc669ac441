package mirror

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
)

// Listener is a started endpoint's TCP listener. Each accepted connection
// runs handle on its own goroutine with a context that ends at Close.
type Listener struct {
	ln     net.Listener
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// Listen listens on addr (host:port, port 0 picks one) and serves until
// Close or until parent ends.
func Listen(parent context.Context, addr string, handle func(ctx context.Context, c *Conn)) (*Listener, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(parent, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mirror: listen %s: %w", addr, err)
	}
	l := &Listener{ln: ln}
	l.ctx, l.cancel = context.WithCancel(parent)
	stop := context.AfterFunc(l.ctx, func() { ln.Close() })
	l.wg.Add(1)
	go func() {
		defer l.wg.Done()
		defer stop()
		l.accept(handle)
	}()
	return l, nil
}

func (l *Listener) accept(handle func(context.Context, *Conn)) {
	for {
		nc, err := l.ln.Accept()
		if err != nil {
			if l.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			continue
		}
		c := NewConn(nc)
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			stop := context.AfterFunc(l.ctx, func() { c.Close() })
			defer stop()
			defer c.Close()
			handle(l.ctx, c)
		}()
	}
}

// Addr is the address actually listened on.
func (l *Listener) Addr() string { return l.ln.Addr().String() }

// Close stops listening, ends every handler's context, closes their
// connections and waits for the handlers to return.
func (l *Listener) Close() error {
	var err error
	l.once.Do(func() {
		l.cancel()
		err = l.ln.Close()
		if errors.Is(err, net.ErrClosed) {
			err = nil
		}
	})
	l.wg.Wait()
	return err
}
