package mirror

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// MsgType is a frame's first byte.
type MsgType byte

// Message types.
const (
	MsgHello   MsgType = 1 // JSON Hello, both directions, first frame
	MsgRefuse  MsgType = 2 // JSON Refusal, acceptor -> dialer instead of Hello
	MsgRequest MsgType = 3 // JSON Request
	MsgReply   MsgType = 4 // JSON Reply
	MsgRecords MsgType = 5 // binary record batch (EncodeRecords)
	MsgAck     MsgType = 6 // binary: uvarint LSN hardened by the receiver
	MsgPing    MsgType = 7 // binary: uvarint sequence
	MsgPong    MsgType = 8 // binary: the sequence of the ping answered
)

func (t MsgType) String() string {
	switch t {
	case MsgHello:
		return "hello"
	case MsgRefuse:
		return "refuse"
	case MsgRequest:
		return "request"
	case MsgReply:
		return "reply"
	case MsgRecords:
		return "records"
	case MsgAck:
		return "ack"
	case MsgPing:
		return "ping"
	case MsgPong:
		return "pong"
	}
	return fmt.Sprintf("type %d", byte(t))
}

// MaxFrame bounds one frame's body: a corrupt length field must never make
// the reader allocate gigabytes. Record batches are split below it.
const MaxFrame = 64 << 20

const frameHeader = 5

// ErrFrame marks a malformed frame (unknown type, oversized body, garbage).
var ErrFrame = errors.New("mirror: malformed frame")

// Conn is a framed mirroring connection. Writes are serialized; reads belong
// to one goroutine at a time.
type Conn struct {
	c   net.Conn
	br  *bufio.Reader
	wmu sync.Mutex
	bw  *bufio.Writer

	closeOnce sync.Once
}

// NewConn frames c.
func NewConn(c net.Conn) *Conn {
	return &Conn{c: c, br: bufio.NewReaderSize(c, 64<<10), bw: bufio.NewWriterSize(c, 64<<10)}
}

// RemoteAddr is the peer's address.
func (c *Conn) RemoteAddr() string { return c.c.RemoteAddr().String() }

// Close closes the connection; a blocked ReadMsg returns an error.
func (c *Conn) Close() error {
	var err error
	c.closeOnce.Do(func() { err = c.c.Close() })
	return err
}

// writeTimeout bounds one frame write: a peer that stops reading must not
// block a committer's shipping goroutine forever.
const writeTimeout = 30 * time.Second

// WriteMsg sends one frame.
func (c *Conn) WriteMsg(t MsgType, body []byte) error {
	if len(body) > MaxFrame {
		return fmt.Errorf("mirror: write %s: body of %d bytes exceeds %d: %w", t, len(body), MaxFrame, ErrFrame)
	}
	var h [frameHeader]byte
	h[0] = byte(t)
	binary.BigEndian.PutUint32(h[1:], uint32(len(body)))
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.c.SetWriteDeadline(time.Now().Add(writeTimeout))
	if _, err := c.bw.Write(h[:]); err != nil {
		return fmt.Errorf("mirror: write %s: %w", t, err)
	}
	if _, err := c.bw.Write(body); err != nil {
		return fmt.Errorf("mirror: write %s: %w", t, err)
	}
	if err := c.bw.Flush(); err != nil {
		return fmt.Errorf("mirror: write %s: %w", t, err)
	}
	return nil
}

// ReadMsg reads one frame, waiting at most until deadline (zero: no limit).
func (c *Conn) ReadMsg(deadline time.Time) (MsgType, []byte, error) {
	_ = c.c.SetReadDeadline(deadline)
	return ReadFrame(c.br)
}

// ReadFrame decodes one frame from r. It is the decoder the fuzz target
// exercises: any input gives a frame or an error.
func ReadFrame(r io.Reader) (MsgType, []byte, error) {
	var h [frameHeader]byte
	if _, err := io.ReadFull(r, h[:]); err != nil {
		return 0, nil, err
	}
	t := MsgType(h[0])
	if t < MsgHello || t > MsgPong {
		return 0, nil, fmt.Errorf("mirror: frame type %d: %w", h[0], ErrFrame)
	}
	n := binary.BigEndian.Uint32(h[1:])
	if n > MaxFrame {
		return 0, nil, fmt.Errorf("mirror: %s frame of %d bytes: %w", t, n, ErrFrame)
	}
	body := make([]byte, n)
	if _, err := io.ReadFull(r, body); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, nil, fmt.Errorf("mirror: %s frame body: %w", t, err)
	}
	return t, body, nil
}
