package tds

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// PacketType is the first byte of a TDS packet header.
type PacketType uint8

// Packet types (MS-TDS 2.2.3.1.1).
const (
	PacketSQLBatch     PacketType = 1
	PacketPreTDS7Login PacketType = 2
	PacketRPC          PacketType = 3
	PacketReply        PacketType = 4
	PacketAttention    PacketType = 6
	PacketBulkLoad     PacketType = 7
	PacketFedAuthToken PacketType = 8
	PacketTransMgr     PacketType = 14
	PacketLogin7       PacketType = 16
	PacketSSPI         PacketType = 17
	PacketPrelogin     PacketType = 18
)

func (t PacketType) String() string {
	switch t {
	case PacketSQLBatch:
		return "SQLBatch"
	case PacketPreTDS7Login:
		return "PreTDS7Login"
	case PacketRPC:
		return "RPC"
	case PacketReply:
		return "Reply"
	case PacketAttention:
		return "Attention"
	case PacketBulkLoad:
		return "BulkLoad"
	case PacketFedAuthToken:
		return "FedAuthToken"
	case PacketTransMgr:
		return "TransactionManager"
	case PacketLogin7:
		return "Login7"
	case PacketSSPI:
		return "SSPI"
	case PacketPrelogin:
		return "PreLogin"
	}
	return fmt.Sprintf("PacketType(0x%02X)", uint8(t))
}

// Packet header status bits (MS-TDS 2.2.3.1.2).
const (
	StatusEOM                     = 0x01
	StatusIgnore                  = 0x02
	StatusResetConnection         = 0x08
	StatusResetConnectionSkipTran = 0x10
)

// Packet sizes. A client asks for a size in LOGIN7; the server answers with
// ENVCHANGE 4 and both sides then frame with it. Until then the server
// writes MinPacketSize packets, the one size every client can read.
const (
	HeaderSize        = 8
	MinPacketSize     = 512
	DefaultPacketSize = 4096
	MaxPacketSize     = 32767
	// DefaultMaxMessageSize bounds one reassembled request so a client
	// cannot make the server buffer without limit.
	DefaultMaxMessageSize = 64 << 20
)

// Message is one reassembled client message.
type Message struct {
	Type PacketType
	// Status is the status byte of the message's first packet; the
	// RESETCONNECTION bits are only meaningful there.
	Status byte
	// Payload is the concatenated packet payloads. It aliases the buffer
	// given to ReadMessage.
	Payload []byte
}

// ResetConnection reports whether the client asked for a session reset
// (sp_reset_connection semantics) before this request runs.
func (m *Message) ResetConnection() bool {
	return m.Status&(StatusResetConnection|StatusResetConnectionSkipTran) != 0
}

// ResetSkipTran reports the RESETCONNECTIONSKIPTRAN variant: reset but keep
// the open transaction.
func (m *Message) ResetSkipTran() bool { return m.Status&StatusResetConnectionSkipTran != 0 }

// MessageReader reassembles packets into messages up to the EOM bit.
type MessageReader struct {
	r          *bufio.Reader
	maxPacket  int
	maxMessage int
	hdr        [HeaderSize]byte
}

// NewMessageReader reads from r. maxPacket bounds each packet's length
// (clamped to MinPacketSize..MaxPacketSize); maxMessage bounds a whole
// message (<= 0 means DefaultMaxMessageSize).
func NewMessageReader(r io.Reader, maxPacket, maxMessage int) *MessageReader {
	if maxMessage <= 0 {
		maxMessage = DefaultMaxMessageSize
	}
	mr := &MessageReader{r: bufio.NewReaderSize(r, 16<<10), maxMessage: maxMessage}
	mr.SetMaxPacketSize(maxPacket)
	return mr
}

// SetMaxPacketSize changes the largest packet accepted, e.g. after the
// packet size was negotiated at login.
func (mr *MessageReader) SetMaxPacketSize(n int) { mr.maxPacket = clampPacketSize(n) }

func clampPacketSize(n int) int {
	switch {
	case n <= 0:
		return DefaultPacketSize
	case n < MinPacketSize:
		return MinPacketSize
	case n > MaxPacketSize:
		return MaxPacketSize
	}
	return n
}

// ReadMessage reads packets up to and including one with the EOM bit and
// returns their payloads appended to buf[:0]. It returns io.EOF only when
// the stream ends cleanly between messages. A message whose last packet
// carries the IGNORE bit (a client abandoning a half-sent request) is
// dropped and the next one is read.
func (mr *MessageReader) ReadMessage(buf []byte) (Message, error) {
	for {
		m, ignore, err := mr.readOne(buf[:0])
		if err != nil || !ignore {
			return m, err
		}
		buf = m.Payload
	}
}

func (mr *MessageReader) readOne(buf []byte) (m Message, ignore bool, err error) {
	for n := 0; ; n++ {
		if _, err := io.ReadFull(mr.r, mr.hdr[:]); err != nil {
			if n == 0 && errors.Is(err, io.EOF) {
				return m, false, io.EOF
			}
			return m, false, readErr(fmt.Sprintf("packet %d header", n), err)
		}
		typ, status := PacketType(mr.hdr[0]), mr.hdr[1]
		length := int(binary.BigEndian.Uint16(mr.hdr[2:4]))
		if length < HeaderSize {
			return m, false, fmt.Errorf("%w: packet %d (%v) length %d is shorter than the %d-byte header", ErrMalformed, n, typ, length, HeaderSize)
		}
		if length > mr.maxPacket {
			return m, false, fmt.Errorf("%w: packet %d (%v) length %d exceeds the packet size %d", ErrMalformed, n, typ, length, mr.maxPacket)
		}
		if n == 0 {
			m.Type, m.Status = typ, status
		} else if typ != m.Type {
			return m, false, fmt.Errorf("%w: packet %d has type %v inside a %v message", ErrMalformed, n, typ, m.Type)
		}
		body := length - HeaderSize
		if len(buf)+body > mr.maxMessage {
			return m, false, fmt.Errorf("%w: %v message exceeds %d bytes", ErrMalformed, m.Type, mr.maxMessage)
		}
		start := len(buf)
		buf = grow(buf, body)
		if _, err := io.ReadFull(mr.r, buf[start:]); err != nil {
			return m, false, readErr(fmt.Sprintf("packet %d (%v) payload", n, typ), err)
		}
		if status&StatusEOM != 0 {
			m.Payload = buf
			return m, status&StatusIgnore != 0, nil
		}
	}
}

// readErr classifies a failed read: a stream cut inside a packet is a
// protocol violation (ErrMalformed); anything else (reset, deadline,
// closed socket) is an I/O error the caller treats as the client leaving.
func readErr(where string, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("%w: %s: %w", ErrMalformed, where, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("tds read: %s: %w", where, err)
}

// grow extends b by n bytes, reusing its capacity when it can.
func grow(b []byte, n int) []byte {
	if cap(b)-len(b) >= n {
		return b[:len(b)+n]
	}
	nb := make([]byte, len(b)+n, 2*cap(b)+n)
	copy(nb, b)
	return nb
}

// PacketWriter frames one message at a time into packets of the current
// packet size. A full packet is only sent once more data follows, so the
// last packet of a message is always the one carrying EOM, never an empty
// trailer.
type PacketWriter struct {
	w    io.Writer
	buf  []byte
	size int
	typ  PacketType
	spid uint16
	id   uint8
	err  error
}

// NewPacketWriter writes packets of packetSize bytes (clamped to the legal
// range) to w, with spid in every header.
func NewPacketWriter(w io.Writer, packetSize int, spid uint16) *PacketWriter {
	pw := &PacketWriter{w: w, spid: spid}
	pw.SetPacketSize(packetSize)
	return pw
}

// SetPacketSize changes the packet size; call it only between messages.
func (pw *PacketWriter) SetPacketSize(n int) {
	pw.size = clampPacketSize(n)
	if cap(pw.buf) < pw.size {
		nb := make([]byte, len(pw.buf), pw.size)
		copy(nb, pw.buf)
		pw.buf = nb
	}
}

// PacketSize is the current packet size.
func (pw *PacketWriter) PacketSize() int { return pw.size }

// SetWriter sends later packets to w: the TLS connection once encryption
// starts, the raw one again after a login-only encryption. Call it only
// between messages.
func (pw *PacketWriter) SetWriter(w io.Writer) { pw.w = w }

// SetSPID sets the session id written into packet headers.
func (pw *PacketWriter) SetSPID(spid uint16) { pw.spid = spid }

// BeginMessage starts a message of type t, dropping anything not yet sent.
func (pw *PacketWriter) BeginMessage(t PacketType) {
	pw.typ = t
	pw.id = 1
	pw.buf = pw.buf[:HeaderSize]
}

// Write appends message bytes, sending full packets as needed.
func (pw *PacketWriter) Write(p []byte) (int, error) {
	if pw.err != nil {
		return 0, pw.err
	}
	n := 0
	for len(p) > 0 {
		if len(pw.buf) == pw.size {
			if err := pw.send(0); err != nil {
				return n, err
			}
		}
		c := copy(pw.buf[len(pw.buf):pw.size], p)
		pw.buf = pw.buf[:len(pw.buf)+c]
		p = p[c:]
		n += c
	}
	return n, nil
}

// Flush sends the bytes written so far as a non-final packet, so the
// client sees them now (e.g. BACKUP progress messages) while the message
// goes on. It does nothing when no bytes are pending.
func (pw *PacketWriter) Flush() error {
	if pw.err != nil {
		return pw.err
	}
	if len(pw.buf) == HeaderSize {
		return nil
	}
	return pw.send(0)
}

// EndMessage sends the last packet with the EOM bit.
func (pw *PacketWriter) EndMessage() error {
	if pw.err != nil {
		return pw.err
	}
	return pw.send(StatusEOM)
}

// Pending is the number of message bytes buffered and not yet sent.
func (pw *PacketWriter) Pending() int { return len(pw.buf) - HeaderSize }

func (pw *PacketWriter) send(status byte) error {
	h := pw.buf[:HeaderSize]
	h[0] = byte(pw.typ)
	h[1] = status
	binary.BigEndian.PutUint16(h[2:4], uint16(len(pw.buf)))
	binary.BigEndian.PutUint16(h[4:6], pw.spid)
	h[6] = pw.id
	h[7] = 0
	pw.id++
	_, err := pw.w.Write(pw.buf)
	pw.buf = pw.buf[:HeaderSize]
	if err != nil {
		pw.err = fmt.Errorf("tds write: %w", err)
	}
	return pw.err
}
