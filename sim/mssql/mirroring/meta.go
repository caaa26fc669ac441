package mirroring

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/pchatdr/harness/sim/mssql/engine"
)

// Safety levels (mirroring_safety_level).
const (
	safetyOff  = 1
	safetyFull = 2
)

// MirrorMeta is a database's durable mirroring metadata, kept in
// DBMeta.Ext["mirroring"] so it survives restarts with the database
// catalogue. Runtime state (connected, synchronized) lives in the link.
type MirrorMeta struct {
	GUID    engine.GUID       `json:"guid"`
	Role    engine.MirrorRole `json:"role"`
	RoleSeq int               `json:"role_seq"`
	// Partner is the partner's address as this side's SET PARTNER gave it
	// (mirroring_partner_name).
	Partner         string `json:"partner"`
	PartnerInstance string `json:"partner_instance,omitempty"`
	Witness         string `json:"witness,omitempty"`
	Safety          int    `json:"safety"`
	SafetySeq       int    `json:"safety_seq"`
	Timeout         int    `json:"timeout"`
	Suspended       bool   `json:"suspended,omitempty"`
	// FailoverLSN is the LSN up to which the mirror had hardened log at the
	// last role change (mirroring_failover_lsn).
	FailoverLSN engine.LSN `json:"failover_lsn,omitempty"`
}

const mirrorExtKey = "mirroring"

func mirrorMetaOf(m engine.DBMeta) (MirrorMeta, bool) {
	b := m.Ext[mirrorExtKey]
	if len(b) == 0 {
		return MirrorMeta{}, false
	}
	var mm MirrorMeta
	if err := json.Unmarshal(b, &mm); err != nil || mm.Role == engine.MirrorRoleNone {
		return MirrorMeta{}, false
	}
	return mm, true
}

// putMirrorMeta stores mm in m (nil clears it), cloning Ext first: DBMeta
// copies share the map.
func putMirrorMeta(m *engine.DBMeta, mm *MirrorMeta) {
	ext := engine.CloneExt(m)
	if mm == nil {
		delete(ext, mirrorExtKey)
	} else {
		b, err := json.Marshal(mm)
		if err != nil {
			panic(fmt.Sprintf("mirroring: encode metadata: %v", err)) // plain struct
		}
		ext[mirrorExtKey] = b
	}
	if len(ext) == 0 {
		ext = nil
	}
	m.Ext = ext
}

// metaOf returns d's mirroring metadata; ok is false when d is not
// mirrored.
func metaOf(d *engine.Database) (MirrorMeta, bool) { return mirrorMetaOf(d.Meta()) }

// Role implements engine.MirrorController: d's role in a database
// mirroring session, from its durable metadata.
func (h *mirrorHost) Role(d *engine.Database) engine.MirrorRole {
	mm, ok := metaOf(d)
	if !ok {
		return engine.MirrorRoleNone
	}
	return mm.Role
}

// setMirrorMeta changes d's mirroring metadata (and, through change's
// DBMeta, its state) durably, serialised with other metadata changes.
func setMirrorMeta(ctx context.Context, inst *engine.Instance, d *engine.Database, change func(m *engine.DBMeta, mm *MirrorMeta) (keep bool)) error {
	err := inst.UpdateMeta(ctx, d, func(m *engine.DBMeta) {
		mm, _ := mirrorMetaOf(*m)
		if change(m, &mm) {
			putMirrorMeta(m, &mm)
		} else {
			putMirrorMeta(m, nil)
		}
	})
	if err == nil {
		hostOf(inst).changed()
	}
	return err
}

// Row implements engine.MirrorController: sys.database_mirroring after
// database_id (nil: all NULL).
func (h *mirrorHost) Row(d *engine.Database) []engine.Value {
	mm, ok := metaOf(d)
	if !ok {
		return nil
	}
	st := h.stateOf(d.Name(), mm)
	safetyDesc := "OFF"
	if mm.Safety == safetyFull {
		safetyDesc = "FULL"
	}
	var failover engine.Value
	if mm.FailoverLSN != 0 {
		failover = engine.LSNDecimal(mm.FailoverLSN)
	}
	witnessState, witnessDesc := int64(0), "UNKNOWN"
	if mm.Witness != "" {
		witnessState, witnessDesc = int64(2), "DISCONNECTED"
		if h.witnessUp(d.Name()) {
			witnessState, witnessDesc = int64(1), "CONNECTED"
		}
	}
	var repl engine.Value
	if mm.Role == engine.MirrorRolePrincipal {
		if a := h.ackedLSN(d.Name()); a != 0 {
			repl = engine.LSNDecimal(a)
		}
	} else {
		repl = engine.LSNDecimal(d.EndOfLogLSN())
	}
	return []engine.Value{
		mm.GUID, int64(st), st.String(), int64(mm.Role), mm.Role.String(), int64(mm.RoleSeq),
		int64(mm.Safety), safetyDesc, int64(mm.SafetySeq),
		mm.Partner, mm.PartnerInstance, mm.Witness, witnessState, witnessDesc,
		failover, int64(mm.Timeout), nil, "UNLIMITED", engine.LSNDecimal(d.EndOfLogLSN()), repl,
	}
}

// mirrorState is mirroring_state.
type mirrorState int

const (
	mirrorSuspended     mirrorState = 0
	mirrorDisconnected  mirrorState = 1
	mirrorSynchronizing mirrorState = 2
	mirrorSynchronized  mirrorState = 4
)

func (s mirrorState) String() string {
	switch s {
	case mirrorSuspended:
		return "SUSPENDED"
	case mirrorDisconnected:
		return "DISCONNECTED"
	case mirrorSynchronizing:
		return "SYNCHRONIZING"
	case mirrorSynchronized:
		return "SYNCHRONIZED"
	}
	return "UNKNOWN"
}
