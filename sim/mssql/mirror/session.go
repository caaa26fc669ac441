package mirror

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// handshakeTimeout bounds the Hello exchange when ctx has no deadline.
const handshakeTimeout = 10 * time.Second

// Dial connects to a partner's endpoint at addr (host:port) and exchanges
// Hellos. A partner that refuses answers with a *Refusal error; an address
// nobody listens on gives the dial error (SET PARTNER turns both into the
// SQL Server error the situation calls for).
func Dial(ctx context.Context, addr string, h Hello) (*Conn, Hello, error) {
	h.Magic, h.Version = Magic, Version
	var d net.Dialer
	dctx, cancel := context.WithTimeout(ctx, handshakeTimeout)
	defer cancel()
	nc, err := d.DialContext(dctx, "tcp", addr)
	if err != nil {
		return nil, Hello{}, fmt.Errorf("mirror: dial %s: %w", addr, err)
	}
	c := NewConn(nc)
	// The context bounds the handshake: closing the socket unblocks reads.
	stop := context.AfterFunc(dctx, func() { c.Close() })
	defer stop()
	peer, err := c.handshake(h)
	if err != nil {
		c.Close()
		if dctx.Err() != nil && ctx.Err() != nil {
			return nil, Hello{}, ctx.Err()
		}
		return nil, Hello{}, err
	}
	return c, peer, nil
}

func (c *Conn) handshake(h Hello) (Hello, error) {
	body, _ := json.Marshal(h)
	if err := c.WriteMsg(MsgHello, body); err != nil {
		return Hello{}, err
	}
	t, b, err := c.ReadMsg(time.Now().Add(handshakeTimeout))
	if err != nil {
		return Hello{}, fmt.Errorf("mirror: handshake: %w", err)
	}
	switch t {
	case MsgRefuse:
		var r Refusal
		if err := json.Unmarshal(b, &r); err != nil {
			return Hello{}, fmt.Errorf("mirror: refusal: %w", errors.Join(ErrFrame, err))
		}
		return Hello{}, &r
	case MsgHello:
		var peer Hello
		if err := json.Unmarshal(b, &peer); err != nil {
			return Hello{}, fmt.Errorf("mirror: hello: %w", errors.Join(ErrFrame, err))
		}
		return peer, peer.Check()
	}
	return Hello{}, fmt.Errorf("mirror: handshake got %s: %w", t, ErrFrame)
}

// ReadHello reads the dialer's Hello (acceptor side).
func (c *Conn) ReadHello() (Hello, error) {
	t, b, err := c.ReadMsg(time.Now().Add(handshakeTimeout))
	if err != nil {
		return Hello{}, fmt.Errorf("mirror: handshake: %w", err)
	}
	if t != MsgHello {
		return Hello{}, fmt.Errorf("mirror: handshake got %s: %w", t, ErrFrame)
	}
	var h Hello
	if err := json.Unmarshal(b, &h); err != nil {
		return Hello{}, fmt.Errorf("mirror: hello: %w", errors.Join(ErrFrame, err))
	}
	return h, h.Check()
}

// AcceptHello answers the dialer's Hello with ours.
func (c *Conn) AcceptHello(h Hello) error {
	h.Magic, h.Version = Magic, Version
	body, _ := json.Marshal(h)
	return c.WriteMsg(MsgHello, body)
}

// Refuse answers the dialer's Hello with a refusal; the caller closes.
func (c *Conn) Refuse(r *Refusal) error {
	body, _ := json.Marshal(r)
	return c.WriteMsg(MsgRefuse, body)
}

// Handler receives what the partner sends on a Session. Its methods run on
// the session's reader goroutine, one at a time and in arrival order, so
// records and requests are applied in the order the partner sent them. They
// must not Call on the same session (the reply could never be read).
type Handler interface {
	// Request handles a partner request; a *Refusal error goes back as is,
	// any other error as Refusal 1499 with its text.
	Request(ctx context.Context, op string, body json.RawMessage) (any, error)
	// Records applies a batch and returns the LSN now hardened (acknowledged).
	Records(ctx context.Context, recs []Record) (uint64, error)
	// Ack reports the partner hardened everything up to lsn.
	Ack(lsn uint64)
}

// ErrClosed is returned by Call and Send after the session ended.
var ErrClosed = errors.New("mirror: session closed")

// ErrTimeout is Run's error when the partner fell silent for longer than
// the session timeout (mirroring_connection_timeout).
var ErrTimeout = errors.New("mirror: partner timed out")

// Session is an established mirroring connection.
type Session struct {
	conn    *Conn
	peer    Hello
	h       Handler
	timeout atomic.Int64 // nanoseconds without any frame before giving up

	mu      sync.Mutex
	nextID  uint64
	pending map[uint64]chan Reply
	ended   bool

	done chan struct{}
	err  error
}

// NewSession wraps an established (handshaken) connection. timeout is the
// partner timeout; heartbeats go out every timeout/4 (at least every 10 ms).
func NewSession(c *Conn, peer Hello, h Handler, timeout time.Duration) *Session {
	s := &Session{conn: c, peer: peer, h: h, pending: map[uint64]chan Reply{}, done: make(chan struct{})}
	s.SetTimeout(timeout)
	return s
}

// Peer is the partner's Hello.
func (s *Session) Peer() Hello { return s.peer }

// SetTimeout changes the partner timeout (ALTER DATABASE SET PARTNER TIMEOUT).
func (s *Session) SetTimeout(d time.Duration) {
	if d <= 0 {
		d = 10 * time.Second
	}
	s.timeout.Store(int64(d))
}

func (s *Session) beatEvery() time.Duration {
	d := time.Duration(s.timeout.Load()) / 4
	if d < 10*time.Millisecond {
		d = 10 * time.Millisecond
	}
	return d
}

// Done is closed when Run has returned.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err is why the session ended (after Done).
func (s *Session) Err() error {
	<-s.done
	return s.err
}

// Close ends the session; Run returns.
func (s *Session) Close() { s.conn.Close() }

// Run reads and dispatches frames and sends heartbeats until ctx ends, the
// connection fails or the partner falls silent past the timeout. It closes
// the connection and fails pending calls before returning.
func (s *Session) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.heartbeat(ctx)
	}()
	stop := context.AfterFunc(ctx, func() { s.conn.Close() })
	err := s.readLoop(ctx)
	stop()
	cancel()
	s.conn.Close()
	wg.Wait()
	if ctx.Err() != nil && errors.Is(err, net.ErrClosed) {
		err = ErrClosed
	}
	s.mu.Lock()
	s.ended = true
	for id, ch := range s.pending {
		close(ch)
		delete(s.pending, id)
	}
	s.mu.Unlock()
	s.err = err
	close(s.done)
	return err
}

func (s *Session) heartbeat(ctx context.Context) {
	t := time.NewTicker(s.beatEvery())
	defer t.Stop()
	var seq uint64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		seq++
		if err := s.conn.WriteMsg(MsgPing, encodeUvarint(seq)); err != nil {
			s.conn.Close()
			return
		}
		t.Reset(s.beatEvery())
	}
}

func (s *Session) readLoop(ctx context.Context) error {
	for {
		deadline := time.Now().Add(time.Duration(s.timeout.Load()))
		t, body, err := s.conn.ReadMsg(deadline)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return ErrTimeout
			}
			return err
		}
		if err := s.dispatch(ctx, t, body); err != nil {
			return err
		}
	}
}

func (s *Session) dispatch(ctx context.Context, t MsgType, body []byte) error {
	switch t {
	case MsgPing:
		return s.conn.WriteMsg(MsgPong, body)
	case MsgPong:
		return nil
	case MsgAck:
		lsn, err := decodeUvarint(body)
		if err != nil {
			return err
		}
		s.h.Ack(lsn)
		return nil
	case MsgRecords:
		recs, err := DecodeRecords(body)
		if err != nil {
			return err
		}
		lsn, err := s.h.Records(ctx, recs)
		if err != nil {
			return fmt.Errorf("mirror: apply records: %w", err)
		}
		return s.conn.WriteMsg(MsgAck, encodeUvarint(lsn))
	case MsgRequest:
		var rq Request
		if err := json.Unmarshal(body, &rq); err != nil {
			return fmt.Errorf("mirror: request: %w", errors.Join(ErrFrame, err))
		}
		rp := Reply{ID: rq.ID}
		res, err := s.h.Request(ctx, rq.Op, rq.Body)
		if err != nil {
			var r *Refusal
			if !errors.As(err, &r) {
				r = &Refusal{Number: 1499, Args: []string{"0", "16", "1", err.Error()}, Reason: err.Error()}
			}
			rp.Refusal = r
		} else if res != nil {
			b, err := json.Marshal(res)
			if err != nil {
				return fmt.Errorf("mirror: encode reply to %s: %w", rq.Op, err)
			}
			rp.Body = b
		}
		b, _ := json.Marshal(rp)
		return s.conn.WriteMsg(MsgReply, b)
	case MsgReply:
		var rp Reply
		if err := json.Unmarshal(body, &rp); err != nil {
			return fmt.Errorf("mirror: reply: %w", errors.Join(ErrFrame, err))
		}
		s.mu.Lock()
		ch := s.pending[rp.ID]
		delete(s.pending, rp.ID)
		s.mu.Unlock()
		if ch != nil {
			ch <- rp
		}
		return nil
	}
	return fmt.Errorf("mirror: unexpected %s frame in a session: %w", t, ErrFrame)
}

// Call sends a request and waits for its reply. A partner refusal is a
// *Refusal; a session that ends first gives ErrClosed.
func (s *Session) Call(ctx context.Context, op string, body any) (json.RawMessage, error) {
	var raw json.RawMessage
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, fmt.Errorf("mirror: encode %s: %w", op, err)
		}
		raw = b
	}
	ch := make(chan Reply, 1)
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return nil, ErrClosed
	}
	s.nextID++
	id := s.nextID
	s.pending[id] = ch
	s.mu.Unlock()
	b, _ := json.Marshal(Request{ID: id, Op: op, Body: raw})
	if err := s.conn.WriteMsg(MsgRequest, b); err != nil {
		s.forget(id)
		return nil, errors.Join(ErrClosed, err)
	}
	select {
	case rp, ok := <-ch:
		if !ok {
			return nil, ErrClosed
		}
		if rp.Refusal != nil {
			return nil, rp.Refusal
		}
		return rp.Body, nil
	case <-ctx.Done():
		s.forget(id)
		return nil, ctx.Err()
	}
}

func (s *Session) forget(id uint64) {
	s.mu.Lock()
	delete(s.pending, id)
	s.mu.Unlock()
}

// SendRecords ships records (in rising LSN order), split into frames.
func (s *Session) SendRecords(recs []Record) error {
	for _, batch := range SplitBatches(recs) {
		if err := s.conn.WriteMsg(MsgRecords, EncodeRecords(batch)); err != nil {
			return errors.Join(ErrClosed, err)
		}
	}
	return nil
}
