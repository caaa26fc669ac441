package world

import (
	"context"
	"fmt"
	"io"
	"net"
	"strings"
	"sync"

	"github.com/pchatdr/harness/sim/wan"
)

// Database mirroring between data centers crosses the WAN link like the
// share's traffic does: an instance whose partner lives in another data
// center reaches the partner's endpoint through a forwarder of the world
// that books every byte, both ways, on the link between the two data
// centers (sim/wan), so log records sent to the mirror, its
// acknowledgements and the session's pings take the link's bandwidth and
// are stopped by a cut link. Partners in the same data center connect
// directly. In containers the same forwarders listen on the host's end of
// the world's network and dial the partner's published endpoint
// (containers_wan.go). The forwarder dials the partner's endpoint where it listens at
// the time of each connection (a restarted partner listens on a new port).

// mirrorForwarder is one listening forwarder: connections from instances
// in data center from to the endpoint of host.
type mirrorForwarder struct {
	ln   net.Listener
	link *wan.Link
	host string
}

// mirrorHopKey names a forwarder: the dialing data center, the partner's
// host name and the address the forwarder listens on (loopback for
// instances in process, the host's end of the containers' network for
// containers).
type mirrorHopKey struct{ from, host, on string }

// mirrorDataCenters maps every instance's host name (and its short form,
// as @@SERVERNAME-style partner names use it) to its data center.
func (w *World) mirrorDataCenters() map[string]string {
	out := map[string]string{}
	for _, in := range w.Topology.Instances {
		host := strings.ToLower(in.Host)
		if host == "" {
			host = strings.ToLower(in.Name)
		}
		out[host] = in.DataCenter
		if short, _, ok := strings.Cut(host, "."); ok {
			out[short] = in.DataCenter
		}
	}
	return out
}

// mirrorAddr is the address an instance in data center from dials for the
// endpoint of host, which listens at addr: addr itself in the same data
// center or without links, else the forwarder over their link. It is
// called with partnersMu held.
func (w *World) mirrorAddr(from, host, addr string) string {
	hop, ok, err := w.mirrorHop("127.0.0.1", from, host)
	if err != nil {
		w.Timeline.Add("link", "error", fmt.Sprintf("mirroring to %s over the link: %v (partners connect directly)", host, err), nil)
		return addr
	}
	if !ok {
		return addr
	}
	return hop
}

// mirrorHop is the forwarder, listening on the IP on, that carries an
// instance in data center from to host's endpoint over their link; ok is
// false when host is in from or no link joins them (or the world runs
// without links). It is called with partnersMu held.
func (w *World) mirrorHop(on, from, host string) (addr string, ok bool, err error) {
	if w.wan == nil {
		return "", false, nil
	}
	to, ok := w.mirrorDataCenters()[strings.ToLower(host)]
	if !ok || to == from {
		return "", false, nil
	}
	link, ok := w.wan[pairKey(from, to)]
	if !ok {
		return "", false, nil
	}
	key := mirrorHopKey{from: from, host: strings.ToLower(host), on: on}
	if f, ok := w.mirrorHops[key]; ok {
		return f.ln.Addr().String(), true, nil
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(context.Background(), "tcp", net.JoinHostPort(on, "0"))
	if err != nil {
		return "", false, fmt.Errorf("world: mirroring over link %s: %w", link.Name(), err)
	}
	f := &mirrorForwarder{ln: ln, link: link, host: key.host}
	if !w.Go(func(ctx context.Context) { w.forwardMirroring(ctx, f) }) {
		ln.Close()
		return "", false, fmt.Errorf("world: mirroring over link %s: the world is closing", link.Name())
	}
	if w.mirrorHops == nil {
		w.mirrorHops = map[mirrorHopKey]*mirrorForwarder{}
	}
	w.mirrorHops[key] = f
	return ln.Addr().String(), true, nil
}

// forwardMirroring accepts connections until the world closes.
func (w *World) forwardMirroring(ctx context.Context, f *mirrorForwarder) {
	stop := context.AfterFunc(ctx, func() { f.ln.Close() })
	defer stop()
	defer f.ln.Close()
	for {
		c, err := f.ln.Accept()
		if err != nil {
			return
		}
		if !w.Go(func(ctx context.Context) { w.forwardConn(ctx, f, c) }) {
			c.Close()
			return
		}
	}
}

// forwardConn carries one mirroring connection to the partner's endpoint,
// pacing each direction on the link. A cut link ends the connection (the
// partners see their session drop, as over a real WAN).
func (w *World) forwardConn(ctx context.Context, f *mirrorForwarder, c net.Conn) {
	defer c.Close()
	w.partnersMu.Lock()
	addr := w.partners[f.host]
	w.partnersMu.Unlock()
	if addr == "" {
		return // the partner does not listen: the dialer sees the connection close
	}
	if err := f.link.RoundTrip(ctx); err != nil {
		return // TCP's handshake over a cut link
	}
	var d net.Dialer
	up, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return
	}
	defer up.Close()
	cctx, cancel := context.WithCancel(ctx)
	defer cancel()
	stop := context.AfterFunc(cctx, func() { c.Close(); up.Close() })
	defer stop()
	var wg sync.WaitGroup
	wg.Add(2)
	pipe := func(dst, src net.Conn) {
		defer wg.Done()
		defer cancel() // one direction ending ends the connection
		_, _ = io.Copy(f.link.Writer(cctx, dst), src)
	}
	go pipe(up, c)
	go pipe(c, up)
	wg.Wait()
}
