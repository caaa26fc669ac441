package wan

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A link served over a socket. A simulator in a container reads and writes
// the share through a bind mount, at memory speed and out of the world's
// sight; to hold that traffic to the link between its data center and the
// share's, the world serves the link (Serve) on an address the container
// reaches, and the simulator's file system books each transfer there
// (Remote, a hostfs.Pacer) before it touches the file. The bytes
// themselves still go through the mount: the link model needs their
// count, not their content, and the booking is the same arithmetic on the
// same Link (one queue with the TDS and mirroring that cross it), so a
// backup from the other data center takes the same time on the link's
// clock in a container as in process, and a cut link fails it the same
// way.
//
// The protocol is one request line and one answer line at a time on a
// connection:
//
//	rtt            -> ok             RoundTrip
//	pace N         -> ok             Pace(N)
//	ahead N W      -> ok UNIXNANO    PaceAhead(N, W): when the N bytes will have crossed
//	wait UNIXNANO  -> ok             WaitUntil
//
// An error answers "cut MESSAGE" (the link is cut: ErrCut on the client)
// or "err MESSAGE".

// maxRemoteBooking bounds one request's byte count: a file system books a
// transfer buffer at a time (MiBs), so anything near it is a broken client.
const maxRemoteBooking = 1 << 30

// Serve answers booking requests on ln against l until ctx ends or ln
// fails; it closes ln and every connection before it returns.
func (l *Link) Serve(ctx context.Context, ln net.Listener) error {
	stop := context.AfterFunc(ctx, func() { ln.Close() })
	defer stop()
	defer ln.Close()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		c, err := ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return fmt.Errorf("wan: serve link %s: %w", l.name, err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			l.serveConn(ctx, c)
		}()
	}
}

// serveConn answers one client's requests in order.
func (l *Link) serveConn(ctx context.Context, c net.Conn) {
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()
	sc := bufio.NewScanner(c)
	for sc.Scan() {
		answer := l.answer(ctx, sc.Text())
		if _, err := c.Write([]byte(answer + "\n")); err != nil {
			return
		}
	}
}

// answer carries out one request line.
func (l *Link) answer(ctx context.Context, req string) string {
	f := strings.Fields(req)
	num := func(i int, limit int64) (int64, bool) {
		if i >= len(f) {
			return 0, false
		}
		n, err := strconv.ParseInt(f[i], 10, 64)
		return n, err == nil && n >= 0 && n <= limit
	}
	var err error
	reply := "ok"
	switch {
	case len(f) == 1 && f[0] == "rtt":
		err = l.RoundTrip(ctx)
	case len(f) == 2 && f[0] == "pace":
		n, ok := num(1, maxRemoteBooking)
		if !ok {
			return "err bad request: " + req
		}
		err = l.Pace(ctx, int(n))
	case len(f) == 3 && f[0] == "ahead":
		n, ok1 := num(1, maxRemoteBooking)
		w, ok2 := num(2, maxRemoteBooking)
		if !ok1 || !ok2 {
			return "err bad request: " + req
		}
		var until time.Time
		until, err = l.PaceAhead(ctx, int(n), int(w))
		reply = "ok " + strconv.FormatInt(until.UnixNano(), 10)
	case len(f) == 2 && f[0] == "wait":
		t, ok := num(1, 1<<62)
		if !ok {
			return "err bad request: " + req
		}
		err = l.WaitUntil(ctx, time.Unix(0, t))
	default:
		return "err bad request: " + req
	}
	switch {
	case errors.Is(err, ErrCut):
		return "cut " + oneLine(err.Error())
	case err != nil:
		return "err " + oneLine(err.Error())
	}
	return reply
}

func oneLine(s string) string { return strings.ReplaceAll(s, "\n", " ") }

// Remote is a link served by Serve at an address: the same booking calls
// as Link (it is a hostfs.Pacer), each a request to the server. It is safe
// for concurrent use (a connection per call in flight, kept for the next).
// An unreachable server fails the call, as an unreachable link does.
type Remote struct {
	addr string

	mu     sync.Mutex
	idle   []*remoteConn
	closed bool
}

type remoteConn struct {
	c net.Conn
	r *bufio.Reader
}

// Dial returns the link served at addr; it connects on the first call.
func Dial(addr string) *Remote { return &Remote{addr: addr} }

// Close drops the idle connections; calls after it fail.
func (r *Remote) Close() error {
	r.mu.Lock()
	idle := r.idle
	r.idle, r.closed = nil, true
	r.mu.Unlock()
	for _, c := range idle {
		c.c.Close()
	}
	return nil
}

// RoundTrip is Link.RoundTrip on the served link.
func (r *Remote) RoundTrip(ctx context.Context) error {
	_, err := r.call(ctx, "rtt")
	return err
}

// Pace is Link.Pace on the served link.
func (r *Remote) Pace(ctx context.Context, n int) error {
	if n <= 0 {
		return ctx.Err()
	}
	_, err := r.call(ctx, "pace "+strconv.Itoa(n))
	return err
}

// PaceAhead is Link.PaceAhead on the served link; the time is the served
// link's clock, only good for WaitUntil on the same link.
func (r *Remote) PaceAhead(ctx context.Context, n, window int) (time.Time, error) {
	if n <= 0 {
		return time.Time{}, ctx.Err()
	}
	s, err := r.call(ctx, "ahead "+strconv.Itoa(n)+" "+strconv.Itoa(max(window, 0)))
	if err != nil {
		return time.Time{}, err
	}
	t, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("wan: link at %s: bad answer %q", r.addr, s)
	}
	return time.Unix(0, t), nil
}

// WaitUntil is Link.WaitUntil on the served link. The zero time (a flow
// that booked nothing) waits for nothing.
func (r *Remote) WaitUntil(ctx context.Context, t time.Time) error {
	if t.IsZero() {
		return ctx.Err()
	}
	_, err := r.call(ctx, "wait "+strconv.FormatInt(t.UnixNano(), 10))
	return err
}

// call sends one request and returns the answer after "ok".
func (r *Remote) call(ctx context.Context, req string) (string, error) {
	c, err := r.conn(ctx)
	if err != nil {
		return "", err
	}
	// ctx ending unblocks the exchange; the connection is dropped then.
	stop := context.AfterFunc(ctx, func() { c.c.SetDeadline(time.Unix(1, 0)) })
	line, err := func() (string, error) {
		if _, err := c.c.Write([]byte(req + "\n")); err != nil {
			return "", err
		}
		return c.r.ReadString('\n')
	}()
	if !stop() {
		c.c.Close()
		return "", ctx.Err()
	}
	if err != nil {
		c.c.Close()
		return "", fmt.Errorf("wan: link at %s: %w", r.addr, err)
	}
	r.put(c)
	line = strings.TrimSuffix(line, "\n")
	word, rest, _ := strings.Cut(line, " ")
	switch word {
	case "ok":
		return rest, nil
	case "cut":
		return "", fmt.Errorf("%s: %w", rest, ErrCut)
	default:
		return "", fmt.Errorf("wan: link at %s: %s", r.addr, rest)
	}
}

func (r *Remote) conn(ctx context.Context) (*remoteConn, error) {
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return nil, fmt.Errorf("wan: link at %s: closed", r.addr)
	}
	if n := len(r.idle); n > 0 {
		c := r.idle[n-1]
		r.idle = r.idle[:n-1]
		r.mu.Unlock()
		return c, nil
	}
	r.mu.Unlock()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", r.addr)
	if err != nil {
		return nil, fmt.Errorf("wan: link at %s: %w", r.addr, err)
	}
	return &remoteConn{c: c, r: bufio.NewReader(c)}, nil
}

func (r *Remote) put(c *remoteConn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		c.c.Close()
		return
	}
	r.idle = append(r.idle, c)
}
