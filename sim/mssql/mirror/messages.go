package mirror

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"strings"
)

// Magic and Version open every Hello: a connection from something that is
// not a simulator partner (a TDS client on the wrong port, a port scanner)
// is refused at the first frame.
const (
	Magic   = "SIMDBM"
	Version = 1
)

// Role is a partner's role in a session (sys.database_mirroring.mirroring_role).
type Role int

// Roles.
const (
	RoleNone      Role = 0
	RolePrincipal Role = 1
	RoleMirror    Role = 2
)

func (r Role) String() string {
	switch r {
	case RolePrincipal:
		return "PRINCIPAL"
	case RoleMirror:
		return "MIRROR"
	}
	return "NONE"
}

// Hello is the first frame in both directions. The dialer names the
// database session it wants; the acceptor answers with its own Hello (or a
// Refusal).
type Hello struct {
	Magic   string `json:"magic"`
	Version int    `json:"version"`
	// Server is the sender's @@SERVERNAME (mirroring_partner_instance on
	// the other side).
	Server string `json:"server"`
	// Endpoint is the sender's own partner address, TCP://host:port, as
	// the sender was told to be reached (its partner's SET PARTNER value).
	Endpoint string `json:"endpoint,omitempty"`
	// Account is the sender's service account: the acceptor checks it has
	// CONNECT on its endpoint, as SQL Server authenticates the login of the
	// connecting service.
	Account  string `json:"account"`
	Database string `json:"database"`
	// GUID is the mirroring_guid of the session ("" when establishing).
	GUID string `json:"guid,omitempty"`
	Role Role   `json:"role"`
	// Extra carries what the engine needs to decide on the session
	// (establish parameters, role sequence, next LSN); opaque here.
	Extra json.RawMessage `json:"extra,omitempty"`
}

// Check verifies the magic and version.
func (h Hello) Check() error {
	if h.Magic != Magic {
		return fmt.Errorf("mirror: hello magic %q: %w", h.Magic, ErrFrame)
	}
	if h.Version != Version {
		return fmt.Errorf("mirror: hello version %d, want %d: %w", h.Version, Version, ErrFrame)
	}
	return nil
}

// Refusal is a SQL Server error the acceptor (or a request handler) sends
// back: the number and the template arguments, so the side that issued the
// ALTER DATABASE raises exactly the error the partner decided on.
type Refusal struct {
	Number int32    `json:"number"`
	Args   []string `json:"args,omitempty"`
	Reason string   `json:"reason,omitempty"` // for logs: why, in words
}

func (r *Refusal) Error() string {
	s := fmt.Sprintf("mirror: partner refused with error %d", r.Number)
	if len(r.Args) > 0 {
		s += " (" + strings.Join(r.Args, ", ") + ")"
	}
	if r.Reason != "" {
		s += ": " + r.Reason
	}
	return s
}

// Request asks the partner to do something (establish, off, failover, ...).
type Request struct {
	ID   uint64          `json:"id"`
	Op   string          `json:"op"`
	Body json.RawMessage `json:"body,omitempty"`
}

// Reply answers Request ID; Refusal is set when the partner refused.
type Reply struct {
	ID      uint64          `json:"id"`
	Refusal *Refusal        `json:"refusal,omitempty"`
	Body    json.RawMessage `json:"body,omitempty"`
}

// Record is one log record of the principal's database.
type Record struct {
	LSN     uint64
	Payload []byte
}

// maxBatchBytes keeps an encoded batch well under MaxFrame.
const maxBatchBytes = 4 << 20

// EncodeRecords encodes a batch: uvarint count, then per record uvarint LSN,
// uvarint length, payload.
func EncodeRecords(recs []Record) []byte {
	n := binary.MaxVarintLen64
	for _, r := range recs {
		n += 2*binary.MaxVarintLen64 + len(r.Payload)
	}
	b := make([]byte, 0, n)
	b = binary.AppendUvarint(b, uint64(len(recs)))
	for _, r := range recs {
		b = binary.AppendUvarint(b, r.LSN)
		b = binary.AppendUvarint(b, uint64(len(r.Payload)))
		b = append(b, r.Payload...)
	}
	return b
}

// DecodeRecords decodes a batch. LSNs must rise strictly: a batch out of
// order is a protocol error, never something to apply.
func DecodeRecords(b []byte) ([]Record, error) {
	count, w := binary.Uvarint(b)
	if w <= 0 {
		return nil, fmt.Errorf("mirror: record batch count: %w", ErrFrame)
	}
	b = b[w:]
	// Each record takes at least two bytes: a count larger than that is a
	// lie, and must not size an allocation.
	if count > uint64(len(b))/2 {
		return nil, fmt.Errorf("mirror: record batch claims %d records in %d bytes: %w", count, len(b), ErrFrame)
	}
	recs := make([]Record, 0, count)
	var prev uint64
	for i := uint64(0); i < count; i++ {
		lsn, w := binary.Uvarint(b)
		if w <= 0 {
			return nil, fmt.Errorf("mirror: record %d lsn: %w", i, ErrFrame)
		}
		b = b[w:]
		n, w := binary.Uvarint(b)
		if w <= 0 || n > uint64(len(b)-w) {
			return nil, fmt.Errorf("mirror: record %d length: %w", i, ErrFrame)
		}
		b = b[w:]
		if lsn == 0 || lsn <= prev {
			return nil, fmt.Errorf("mirror: record %d has lsn %d after %d: %w", i, lsn, prev, ErrFrame)
		}
		prev = lsn
		recs = append(recs, Record{LSN: lsn, Payload: append([]byte(nil), b[:n]...)})
		b = b[n:]
	}
	if len(b) != 0 {
		return nil, fmt.Errorf("mirror: %d bytes after the last record: %w", len(b), ErrFrame)
	}
	return recs, nil
}

// SplitBatches cuts recs into batches that each encode under maxBatchBytes
// (a single record larger than that travels alone).
func SplitBatches(recs []Record) [][]Record {
	var out [][]Record
	start, size := 0, 0
	for i, r := range recs {
		if i > start && size+len(r.Payload) > maxBatchBytes {
			out = append(out, recs[start:i])
			start, size = i, 0
		}
		size += len(r.Payload) + 20
	}
	if start < len(recs) {
		out = append(out, recs[start:])
	}
	return out
}

func encodeUvarint(v uint64) []byte { return binary.AppendUvarint(nil, v) }

func decodeUvarint(b []byte) (uint64, error) {
	v, w := binary.Uvarint(b)
	if w <= 0 || w != len(b) {
		return 0, fmt.Errorf("mirror: bad uvarint body: %w", ErrFrame)
	}
	return v, nil
}
