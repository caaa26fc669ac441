package tds

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Handler is the SQL side of one connection, plugged in by the glue layer.
type Handler interface {
	// Login accepts or rejects a LOGIN7. A *ServerError is sent as the
	// ERROR token (any other error as LoginFailed(user)), then DONE, and
	// the connection is closed.
	Login(ctx context.Context, l *Login7) (LoginReply, error)
	// Request runs one SQL batch, RPC or transaction manager request,
	// writing its reply to w. ctx is cancelled when the client sends an
	// ATTENTION (w's methods then return ErrCancelled). A returned
	// *ServerError is sent as ERROR + DONE(ERROR) after what was written;
	// return it only for failures not already written to w. Any other
	// error is reported as a severity 20 internal error.
	Request(ctx context.Context, req *Request, w *ResponseWriter) error
	// Close releases the session when the connection ends.
	Close()
}

// LoginReply is what the handler decided at login.
type LoginReply struct {
	Database string // current database after login; "" means master
	Language string // "" means us_english
	SPID     uint16 // session id for packet headers; 0 keeps Options.SPID
}

// Options configure Serve.
type Options struct {
	ServerName string        // server name in INFO/ERROR tokens; default "localhost"
	ProgName   string        // LOGINACK program name; default "Microsoft SQL Server"
	Version    ServerVersion // default DefaultServerVersion
	SPID       uint16        // default 51 (the first user session id on SQL Server)
	// LoginTimeout bounds PRELOGIN+LOGIN7, so an idle socket cannot hold
	// a session forever; default 30s, negative means none.
	LoginTimeout   time.Duration
	MaxMessageSize int // default DefaultMaxMessageSize
	// TLS, when set, is the server's certificate configuration (see
	// ServerTLSConfig): PRELOGIN then offers encryption as SQL Server
	// does, login-only for a client asking ENCRYPT_OFF and full for
	// ENCRYPT_ON. Nil answers NOT_SUP to everyone, and a client that
	// requires encryption cannot log in.
	TLS *tls.Config
	// ForceEncryption is SQL Server's "Force Encryption" setting: every
	// connection is encrypted in full, a client that cannot encrypt is
	// refused. It needs TLS.
	ForceEncryption bool
	// Logf, if set, receives one line per connection-ending protocol
	// problem. It never gets passwords.
	Logf func(format string, args ...any)
}

func (o Options) withDefaults() Options {
	if o.ServerName == "" {
		o.ServerName = "localhost"
	}
	if o.ProgName == "" {
		o.ProgName = "Microsoft SQL Server"
	}
	if o.Version == (ServerVersion{}) {
		o.Version = DefaultServerVersion
	}
	if o.SPID == 0 {
		o.SPID = 51
	}
	if o.LoginTimeout == 0 {
		o.LoginTimeout = 30 * time.Second
	}
	return o
}

// ErrLoginFailed is returned (wrapped) by Serve when the handler rejected
// the login; the client got the error message.
var ErrLoginFailed = errors.New("tds: login failed")

// Serve speaks TDS on conn until the client disconnects, ctx ends or the
// stream breaks: PRELOGIN, LOGIN7 and the login reply, then one request
// at a time. It closes conn and calls the handler's Close before
// returning. It returns nil for a normal end, ErrLoginFailed (wrapped)
// for a rejected login, and an error wrapping ErrMalformed for a protocol
// violation (after telling the client when the stream allows it).
func Serve(ctx context.Context, conn net.Conn, newHandler func() Handler, opts Options) error {
	opts = opts.withDefaults()
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()

	c := &serverConn{
		conn: conn,
		opts: opts,
		mr:   NewMessageReader(conn, MaxPacketSize, opts.MaxMessageSize),
		pw:   NewPacketWriter(conn, MinPacketSize, opts.SPID),
	}
	c.rawMR = c.mr
	c.rw = ResponseWriter{pw: c.pw, server: opts.ServerName, attn: &c.attn}

	h, err := c.handshake(ctx, newHandler)
	if h != nil {
		defer h.Close()
	}
	if err == nil && h != nil {
		err = c.requests(ctx, h)
	}
	if err != nil && (ctx.Err() != nil || errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)) {
		err = nil
	}
	if err != nil && opts.Logf != nil {
		opts.Logf("tds %s: %v", conn.RemoteAddr(), err)
	}
	return err
}

type serverConn struct {
	conn net.Conn
	opts Options
	mr   *MessageReader
	// rawMR reads the socket itself; mr is a reader over the TLS
	// connection while encryption is on.
	rawMR *MessageReader
	mode  EncryptionMode
	// level is the TDS level the client logged in with (LevelOf).
	level int
	// refuse is set when PRELOGIN found the client and the server cannot
	// agree on encryption; a LOGIN7 after it is refused.
	refuse bool
	pw     *PacketWriter
	rw     ResponseWriter
	buf    []byte

	mu     sync.Mutex
	cancel context.CancelFunc // of the running request; nil between requests
	attn   atomic.Bool        // the running request got an ATTENTION
}

// handshake runs PRELOGIN and LOGIN7. It returns a nil handler (and nil
// error) if the client left before logging in.
func (c *serverConn) handshake(ctx context.Context, newHandler func() Handler) (Handler, error) {
	if c.opts.LoginTimeout > 0 {
		_ = c.conn.SetReadDeadline(time.Now().Add(c.opts.LoginTimeout))
		defer c.conn.SetReadDeadline(time.Time{})
	}
	sawPrelogin := false
	for {
		m, err := c.mr.ReadMessage(c.buf)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, nil
			}
			return nil, fmt.Errorf("tds handshake: %w", err)
		}
		c.buf = m.Payload[:0]
		switch {
		case m.Type == PacketPrelogin && !sawPrelogin:
			sawPrelogin = true
			p, err := ParsePrelogin(m.Payload)
			if err != nil {
				return nil, err
			}
			answer, mode, refuse := NegotiateEncryption(p.Encryption, p.HasEncryption, c.opts.TLS != nil, c.opts.ForceEncryption)
			c.pw.BeginMessage(PacketReply)
			if _, err := c.pw.Write(AppendPreloginReply(c.rw.b[:0], c.opts.Version, answer)); err != nil {
				return nil, err
			}
			if err := c.pw.EndMessage(); err != nil {
				return nil, err
			}
			c.refuse = refuse
			if mode != EncryptionNone && !refuse {
				if err := c.startTLS(); err != nil {
					return nil, err
				}
				c.mode = mode
			}
		case m.Type == PacketLogin7:
			if c.refuse {
				// SQL Server closes the connection: the client was told
				// in PRELOGIN that it cannot log in this way.
				return nil, fmt.Errorf("tds handshake: %w: LOGIN7 after PRELOGIN found no encryption both sides accept", ErrMalformed)
			}
			if c.mode == EncryptionLogin {
				// Login-only encryption: the LOGIN7 came over TLS,
				// everything after it is clear text (the client switches
				// back after its first packet).
				c.mr = c.rawMR
				c.pw.SetWriter(c.conn)
			}
			l, err := ParseLogin7(m.Payload)
			if err != nil {
				return nil, err
			}
			l.Encryption = c.mode
			c.level = LevelOf(l.TDSVersion)
			if c.level < Level71 {
				// SQL Server 2012 and later refuse TDS 7.0 clients.
				err := c.writeReply(Done{Status: DoneError}, protocolError(fmt.Sprintf("TDS version 0x%08X is not supported; this server speaks TDS 7.1 to 7.4.", l.TDSVersion)))
				return nil, errors.Join(fmt.Errorf("%w: TDS version 0x%08X", ErrLoginFailed, l.TDSVersion), err)
			}
			h := newHandler()
			var final []byte
			var lerr error
			if l.OptionFlags2&Login7Flag2Integrated != 0 {
				final, lerr = c.sspi(ctx, h, l)
				if lerr != nil && !isServerError(lerr) {
					return h, lerr
				}
			}
			var reply LoginReply
			if lerr == nil {
				reply, lerr = safeLogin(ctx, h, l)
			}
			if lerr != nil {
				var se *ServerError
				if !errors.As(lerr, &se) {
					se = LoginFailed(l.loginName())
				}
				if err := c.writeReply(Done{Status: DoneError}, se); err != nil {
					return h, err
				}
				return h, fmt.Errorf("%w: user %q: %w", ErrLoginFailed, l.loginName(), lerr)
			}
			return h, c.loginReply(l, reply, final)
		default:
			return nil, fmt.Errorf("tds handshake: %w: got a %v message where PRELOGIN or LOGIN7 belongs", ErrMalformed, m.Type)
		}
	}
}

// startTLS runs the TLS handshake wrapped in PRELOGIN messages and then
// reads and writes through the TLS connection.
func (c *serverConn) startTLS() error {
	hc := newHandshakeConn(c.conn, c.rawMR, c.opts.SPID)
	tc := tls.Server(hc, c.opts.TLS)
	if err := tc.Handshake(); err != nil {
		return fmt.Errorf("tds: tls handshake: %w", err)
	}
	if err := hc.done(); err != nil {
		return err
	}
	c.mr = NewMessageReader(tc, MaxPacketSize, c.opts.MaxMessageSize)
	c.pw.SetWriter(tc)
	return nil
}

func isServerError(err error) bool {
	var se *ServerError
	return errors.As(err, &se)
}

func safeLogin(ctx context.Context, h Handler, l *Login7) (reply LoginReply, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("tds: login handler panic: %v", p)
		}
	}()
	return h.Login(ctx, l)
}

// loginReply sends the token sequence real servers send (and that
// go-mssqldb, FreeTDS and tedious accept), then switches to the
// negotiated packet size.
func (c *serverConn) loginReply(l *Login7, reply LoginReply, sspi []byte) error {
	db := reply.Database
	if db == "" {
		db = "master"
	}
	lang := reply.Language
	if lang == "" {
		lang = "us_english"
	}
	if reply.SPID != 0 {
		c.pw.SetSPID(reply.SPID)
	}
	size := DefaultPacketSize
	if l.PacketSize != 0 {
		size = clampPacketSize(int(min(l.PacketSize, MaxPacketSize)))
	}
	b := c.rw.b[:0]
	if len(sspi) > 0 {
		b = appendSSPI(b, sspi)
	}
	var err error
	if b, err = appendEnvString(b, EnvDatabase, db, "master"); err != nil {
		return err
	}
	b, _ = appendMessage(b, TokenInfo, &ServerError{Number: 5701, State: 1, Class: 0, Line: 1,
		Message: "Changed database context to '" + db + "'."}, c.opts.ServerName)
	b = appendEnvBytes(b, EnvCollation, DefaultCollation[:], nil)
	if b, err = appendEnvString(b, EnvLanguage, lang, ""); err != nil {
		return err
	}
	b, _ = appendMessage(b, TokenInfo, &ServerError{Number: 5703, State: 1, Class: 0, Line: 1,
		Message: "Changed language setting to " + lang + "."}, c.opts.ServerName)
	if b, err = appendLoginAck(b, loginAckVersion(c.level), c.opts.ProgName, c.opts.Version); err != nil {
		return err
	}
	b = appendEnvPacketSize(b, size, DefaultPacketSize)
	b = appendDoneLevel(b, Done{}, c.level)
	c.rw.b = b[:0]
	c.pw.BeginMessage(PacketReply)
	if _, err := c.pw.Write(b); err != nil {
		return err
	}
	if err := c.pw.EndMessage(); err != nil {
		return err
	}
	c.rw.level = c.level
	c.pw.SetPacketSize(size)
	c.mr.SetMaxPacketSize(size)
	c.rawMR.SetMaxPacketSize(size)
	return nil
}

// writeReply sends a complete reply: an optional ERROR and a final DONE.
func (c *serverConn) writeReply(d Done, e *ServerError) error {
	b := c.rw.b[:0]
	if e != nil {
		var err error
		if b, err = appendMessage(b, TokenError, e, c.opts.ServerName); err != nil {
			return err
		}
	}
	b = appendDoneLevel(b, d, c.level)
	c.rw.b = b[:0]
	c.pw.BeginMessage(PacketReply)
	if _, err := c.pw.Write(b); err != nil {
		return err
	}
	return c.pw.EndMessage()
}

type inbound struct {
	m   Message
	err error
}

// requests is the request loop. A reader goroutine keeps reading the
// socket while a request runs, so an ATTENTION can cancel it; it hands
// every other message to this goroutine. Two payload buffers circulate
// between them, so steady-state reading allocates nothing.
func (c *serverConn) requests(ctx context.Context, h Handler) error {
	msgs := make(chan inbound)
	free := make(chan []byte, 2)
	free <- c.buf
	free <- nil
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		c.readLoop(msgs, free, done)
	}()
	defer func() {
		close(done)
		c.conn.Close()
		wg.Wait()
	}()

	for {
		var in inbound
		select {
		case in = <-msgs:
		case <-ctx.Done():
			return nil
		}
		if in.err != nil {
			if errors.Is(in.err, ErrMalformed) {
				// Tell the client why before hanging up; the stream is out
				// of step, so nothing else can follow.
				_ = c.writeReply(Done{Status: DoneError | DoneSrvError}, protocolError(in.err.Error()))
			}
			return in.err
		}
		err := c.dispatch(ctx, h, in.m)
		free <- in.m.Payload[:0]
		if err != nil {
			return err
		}
	}
}

func (c *serverConn) readLoop(msgs chan<- inbound, free chan []byte, done <-chan struct{}) {
	for {
		var buf []byte
		select {
		case buf = <-free:
		case <-done:
			return
		}
		m, err := c.mr.ReadMessage(buf)
		if err == nil && m.Type == PacketAttention && c.attention() {
			free <- m.Payload[:0]
			continue
		}
		if err != nil {
			c.abort() // the client is gone or the stream is broken: stop the running request
		}
		select {
		case msgs <- inbound{m: m, err: err}:
		case <-done:
			return
		}
		if err != nil {
			return
		}
	}
}

// attention cancels the running request; false if none is running (the
// attention then targets a reply already sent and gets its own reply).
func (c *serverConn) attention() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancel == nil {
		return false
	}
	c.attn.Store(true)
	c.cancel()
	return true
}

func (c *serverConn) abort() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cancel != nil {
		c.cancel()
	}
}

func (c *serverConn) dispatch(ctx context.Context, h Handler, m Message) error {
	switch m.Type {
	case PacketSQLBatch, PacketRPC, PacketTransMgr, PacketBulkLoad:
		req, err := DecodeRequestLevel(m, c.level)
		if err != nil {
			// Framing was fine, so the stream is still in step: answer
			// and carry on.
			final := byte(TokenDone)
			if m.Type == PacketRPC {
				final = TokenDoneProc
			}
			return c.writeReply(Done{Token: final, Status: DoneError}, protocolError(err.Error()))
		}
		return c.run(ctx, h, req)
	case PacketAttention:
		// The request it meant to cancel had already finished: confirm
		// with a reply of its own, which the client waits for.
		return c.writeReply(Done{Status: DoneAttn}, nil)
	default:
		return c.writeReply(Done{Status: DoneError},
			protocolError(fmt.Sprintf("Packet type %v (0x%02X) is not supported by this server.", m.Type, uint8(m.Type))))
	}
}

func (c *serverConn) run(ctx context.Context, h Handler, req *Request) error {
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	c.mu.Lock()
	c.attn.Store(false)
	c.cancel = cancel
	c.mu.Unlock()

	final := byte(TokenDone)
	if req.Type == PacketRPC {
		final = TokenDoneProc
	}
	c.rw.reset(final)
	c.pw.BeginMessage(PacketReply)
	herr := safeRequest(rctx, h, req, &c.rw)

	c.mu.Lock()
	c.cancel = nil
	attn := c.attn.Load()
	c.mu.Unlock()
	if c.pw.err != nil {
		return c.pw.err
	}
	return c.rw.finish(herr, attn)
}

func safeRequest(ctx context.Context, h Handler, req *Request, w *ResponseWriter) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panic: %v", p)
		}
	}()
	return h.Request(ctx, req, w)
}
