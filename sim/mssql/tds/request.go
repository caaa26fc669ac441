package tds

import "fmt"

// ALL_HEADERS header types.
const (
	headerQueryNotification = 1
	headerTxDescriptor      = 2
	headerTraceActivity     = 3
)

// AllHeaders is the ALL_HEADERS prefix of SQLBatch, RPC and TM requests.
type AllHeaders struct {
	// TransactionDescriptor is the descriptor of the client's open
	// transaction (from the last ENVCHANGE 8), 0 outside a transaction.
	TransactionDescriptor uint64
	OutstandingRequests   uint32
	HasTxDescriptor       bool
}

// Request is one client request. Exactly one of SQL (Type PacketSQLBatch),
// RPC or TM is meaningful.
type Request struct {
	Type PacketType
	// ResetConnection: the client asked for sp_reset_connection semantics
	// before this request (database/sql's ResetSession). ResetSkipTran is
	// the variant that keeps the open transaction.
	ResetConnection bool
	ResetSkipTran   bool
	Headers         AllHeaders
	SQL             string
	RPC             *RPC
	TM              *TMRequest
	Bulk            *BulkLoad // Type PacketBulkLoad
}

// DecodeRequest decodes a SQLBatch, RPC or TransactionManager message of
// a TDS 7.2+ client.
func DecodeRequest(m Message) (*Request, error) { return DecodeRequestLevel(m, Level74) }

// DecodeRequestLevel decodes a request of a client at TDS level: ALL_HEADERS
// starts it from TDS 7.2 on; a TDS 7.1 client sends none.
func DecodeRequestLevel(m Message, level int) (*Request, error) {
	req := &Request{Type: m.Type, ResetConnection: m.ResetConnection(), ResetSkipTran: m.ResetSkipTran()}
	r := &reader{b: m.Payload}
	var err error
	if m.Type != PacketBulkLoad && (level >= Level72 || level == 0) {
		if req.Headers, err = readAllHeaders(r); err != nil {
			return nil, fmt.Errorf("%v: %w", m.Type, err)
		}
	}
	switch m.Type {
	case PacketSQLBatch:
		rest := r.b[r.off:]
		if len(rest)%2 != 0 {
			return nil, fmt.Errorf("sql batch: %w: text has an odd number (%d) of bytes", ErrMalformed, len(rest))
		}
		req.SQL = decodeUTF16(rest)
	case PacketRPC:
		if req.RPC, err = readRPC(r); err != nil {
			return nil, err
		}
	case PacketTransMgr:
		if req.TM, err = readTM(r); err != nil {
			return nil, err
		}
	case PacketBulkLoad:
		if req.Bulk, err = readBulkLoad(r, level); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: %v is not a request message", ErrMalformed, m.Type)
	}
	return req, nil
}

// readAllHeaders reads ALL_HEADERS, mandatory since TDS 7.2.
func readAllHeaders(r *reader) (AllHeaders, error) {
	var h AllHeaders
	start := r.off
	total := int(r.u32("ALL_HEADERS length"))
	if r.err != nil {
		return h, r.err
	}
	if total < 4 || total > len(r.b)-start {
		return h, fmt.Errorf("%w: ALL_HEADERS length %d does not fit the %d-byte message", ErrMalformed, total, len(r.b)-start)
	}
	end := start + total
	for r.off < end {
		hstart := r.off
		hlen := int(r.u32("header length"))
		typ := r.u16("header type")
		if r.err != nil {
			return h, r.err
		}
		if hlen < 6 || hstart+hlen > end {
			return h, fmt.Errorf("%w: header of type %d has length %d, outside ALL_HEADERS", ErrMalformed, typ, hlen)
		}
		data := r.bytes(hlen-6, "header data")
		if typ == headerTxDescriptor {
			if len(data) < 12 {
				return h, fmt.Errorf("%w: transaction descriptor header is %d bytes, want 12", ErrMalformed, len(data))
			}
			hr := reader{b: data}
			h.TransactionDescriptor = hr.u64("")
			h.OutstandingRequests = hr.u32("")
			h.HasTxDescriptor = true
		}
	}
	return h, r.err
}
