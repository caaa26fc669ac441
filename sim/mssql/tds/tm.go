package tds

import "fmt"

// TMKind is a TransactionManager request type (MS-TDS 2.2.6.9).
type TMKind uint16

const (
	TMGetDTCAddress TMKind = 0
	TMPropagate     TMKind = 1
	TMBegin         TMKind = 5
	TMPromote       TMKind = 6
	TMCommit        TMKind = 7
	TMRollback      TMKind = 8
	TMSave          TMKind = 9
)

func (k TMKind) String() string {
	switch k {
	case TMGetDTCAddress:
		return "GetDTCAddress"
	case TMPropagate:
		return "Propagate"
	case TMBegin:
		return "Begin"
	case TMPromote:
		return "Promote"
	case TMCommit:
		return "Commit"
	case TMRollback:
		return "Rollback"
	case TMSave:
		return "Save"
	}
	return fmt.Sprintf("TMKind(%d)", uint16(k))
}

// Isolation levels of TM Begin (0 keeps the session's current level).
const (
	IsoCurrent        = 0
	IsoReadUncommited = 1
	IsoReadCommitted  = 2
	IsoRepeatableRead = 3
	IsoSerializable   = 4
	IsoSnapshot       = 5
)

// TMBeginNew in TMRequest.Flags: after Commit/Rollback, begin a new
// transaction with NewIsolation and NewName.
const TMBeginNew = 0x01

// TMRequest is a transaction manager request; database/sql's Begin,
// Commit and Rollback arrive as these, not as T-SQL.
type TMRequest struct {
	Kind      TMKind
	Isolation uint8  // Begin
	Name      string // Begin, Commit, Rollback, Save
	Flags     uint8  // Commit, Rollback
	// NewIsolation and NewName describe the transaction to begin when
	// Flags has TMBeginNew.
	NewIsolation uint8
	NewName      string
	// Raw is the payload of the DTC kinds (GetDTCAddress, Propagate,
	// Promote), which the simulator does not interpret.
	Raw []byte
}

func readTM(r *reader) (*TMRequest, error) {
	tm := &TMRequest{Kind: TMKind(r.u16("request type"))}
	switch tm.Kind {
	case TMBegin:
		tm.Isolation = r.u8("isolation level")
		tm.Name = r.bVarChar("transaction name")
		if r.err == nil && tm.Isolation > IsoSnapshot {
			r.fail("isolation level %d is unknown", tm.Isolation)
		}
	case TMCommit, TMRollback:
		tm.Name = r.bVarChar("transaction name")
		tm.Flags = r.u8("flags")
		if tm.Flags&TMBeginNew != 0 {
			tm.NewIsolation = r.u8("new isolation level")
			tm.NewName = r.bVarChar("new transaction name")
		}
	case TMSave:
		tm.Name = r.bVarChar("savepoint name")
	case TMGetDTCAddress, TMPropagate, TMPromote:
		tm.Raw = append([]byte{}, r.b[r.off:]...)
		r.off = len(r.b)
	default:
		if r.err == nil {
			r.fail("request type %d is unknown", tm.Kind)
		}
	}
	if r.err != nil {
		return nil, fmt.Errorf("transaction manager %v: %w", tm.Kind, r.err)
	}
	return tm, nil
}
