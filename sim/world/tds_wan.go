package world

import (
	"context"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"

	"github.com/pchatdr/harness/sim/wan"
)

// TDS between data centers crosses the same link model (sim/wan) as the
// share's traffic and mirroring, so it shares the link's bandwidth with
// them, pays its round trips on the link's clock and is counted in the
// link's Stats. The Toxiproxy proxy of links.go stays the address clients
// dial (it gives a cut link's "connection refused" and keeps its address
// across a restore); behind it a forwarder of the world books every byte
// on the link, both ways, and charges the round trips:
//   - one when the connection opens (TCP's handshake);
//   - one per exchange: the first bytes the client sends after the server
//     answered (a new request: prelogin, login, a batch, an RPC) wait one
//     round trip, the time for the request to reach the server and its
//     answer to come back. A request that spans several writes pays once;
//     a pipelined client that sends again before the answer pays nothing
//     more, as on a real link.
//
// The engine's place is Options.EngineDataCenter; when the topology does
// not say where the operator works it is the primary data center
// (Microsoft's failback procedure runs the cmdlets on the primary pool's
// front end), see Start.

// tdsForwarder carries TDS from clients in one data center to one
// instance in another over their link.
type tdsForwarder struct {
	ln   net.Listener
	link *wan.Link
	inst *Instance
}

// tdsForward starts a forwarder to inst over link on loopback and returns
// its address.
func (w *World) tdsForward(link *wan.Link, inst *Instance) (string, error) {
	return w.tdsForwardOn("127.0.0.1:0", link, inst)
}

// tdsForwardOn is tdsForward listening on listen (the host's end of the
// containers' network, for the management endpoint's container).
func (w *World) tdsForwardOn(listen string, link *wan.Link, inst *Instance) (string, error) {
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", listen)
	if err != nil {
		return "", fmt.Errorf("world: tds over link %s: %w", link.Name(), err)
	}
	f := &tdsForwarder{ln: ln, link: link, inst: inst}
	if !w.Go(func(ctx context.Context) { w.acceptTDS(ctx, f) }) {
		ln.Close()
		return "", fmt.Errorf("world: tds over link %s: the world is closing", link.Name())
	}
	return ln.Addr().String(), nil
}

// acceptTDS accepts connections until the world closes.
func (w *World) acceptTDS(ctx context.Context, f *tdsForwarder) {
	stop := context.AfterFunc(ctx, func() { f.ln.Close() })
	defer stop()
	defer f.ln.Close()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		if !w.Go(func(ctx context.Context) { f.serve(ctx, c) }) {
			c.Close()
			return
		}
	}
}

// serve carries one connection. A cut link ends it: the handshake fails
// (the client sees the connection close) and bytes in flight are lost.
func (f *tdsForwarder) serve(ctx context.Context, c net.Conn) {
	defer c.Close()
	if err := f.link.RoundTrip(ctx); err != nil {
		return
	}
	var d net.Dialer
	up, err := d.DialContext(ctx, "tcp", f.inst.Addr)
	if err != nil {
		return
	}
	defer up.Close()
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(cctx, func() { c.Close(); up.Close() })
	defer stop()
	var answered atomic.Bool
	answered.Store(true) // the client speaks first (prelogin)
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // requests
		defer wg.Done()
		defer cancel()
		_, _ = io.Copy(up, &exchangeReader{ctx: cctx, link: f.link, r: c, answered: &answered})
	}()
	go func() { // answers
		defer wg.Done()
		defer cancel()
		_, _ = io.Copy(&answerWriter{w: f.link.Writer(cctx, c), answered: &answered}, up)
	}()
	wg.Wait()
}

// exchangeReader paces the client's bytes on the link and charges a round
// trip for the first bytes of each new request.
type exchangeReader struct {
	ctx      context.Context
	link     *wan.Link
	r        io.Reader
	answered *atomic.Bool
}

func (e *exchangeReader) Read(b []byte) (int, error) {
	n, err := e.r.Read(b)
	if n > 0 {
		if e.answered.Swap(false) {
			if rerr := e.link.RoundTrip(e.ctx); rerr != nil {
				return 0, rerr
			}
		}
		if perr := e.link.Pace(e.ctx, n); perr != nil {
			return 0, perr
		}
	}
	return n, err
}

// answerWriter marks that the server answered once its bytes crossed.
type answerWriter struct {
	w        io.Writer
	answered *atomic.Bool
}

func (a *answerWriter) Write(b []byte) (int, error) {
	n, err := a.w.Write(b)
	if n > 0 {
		a.answered.Store(true)
	}
	return n, err
}
