package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"math/big"

	"github.com/pchatdr/harness/sim/mssql/mirror"
)

// MirrorRole is a database's role in a mirroring session
// (sys.database_mirroring.mirroring_role).
type MirrorRole = mirror.Role

// Mirroring roles.
const (
	MirrorRoleNone      = mirror.RoleNone
	MirrorRolePrincipal = mirror.RolePrincipal
	MirrorRoleMirror    = mirror.RoleMirror
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
	GUID    GUID       `json:"guid"`
	Role    MirrorRole `json:"role"`
	RoleSeq int        `json:"role_seq"`
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
	FailoverLSN LSN `json:"failover_lsn,omitempty"`
}

const mirrorExtKey = "mirroring"

func mirrorMetaOf(m DBMeta) (MirrorMeta, bool) {
	b := m.Ext[mirrorExtKey]
	if len(b) == 0 {
		return MirrorMeta{}, false
	}
	var mm MirrorMeta
	if err := json.Unmarshal(b, &mm); err != nil || mm.Role == MirrorRoleNone {
		return MirrorMeta{}, false
	}
	return mm, true
}

// putMirrorMeta stores mm in m (nil clears it), cloning Ext first: DBMeta
// copies share the map.
func putMirrorMeta(m *DBMeta, mm *MirrorMeta) {
	ext := cloneExt(m)
	if mm == nil {
		delete(ext, mirrorExtKey)
	} else {
		b, err := json.Marshal(mm)
		if err != nil {
			panic(fmt.Sprintf("engine: encode mirroring metadata: %v", err)) // plain struct
		}
		ext[mirrorExtKey] = b
	}
	if len(ext) == 0 {
		ext = nil
	}
	m.Ext = ext
}

// Mirroring returns d's mirroring metadata; ok is false when d is not
// mirrored.
func (d *Database) Mirroring() (MirrorMeta, bool) { return mirrorMetaOf(d.Meta()) }

// MirroringRole is d's role in a database mirroring session, MirrorRoleNone
// when d is not mirrored. BACKUP refuses a MirrorRoleMirror database and
// RESTORE refuses any mirrored one (3104).
func (d *Database) MirroringRole() MirrorRole {
	mm, ok := d.Mirroring()
	if !ok {
		return MirrorRoleNone
	}
	return mm.Role
}

// IsMirrored says d takes part in a mirroring session (either role).
func (d *Database) IsMirrored() bool { return d.MirroringRole() != MirrorRoleNone }

// setMirrorMeta changes d's mirroring metadata (and, through change's
// DBMeta, its state) durably, serialised with other metadata changes.
func (inst *Instance) setMirrorMeta(ctx context.Context, d *Database, change func(m *DBMeta, mm *MirrorMeta) (keep bool)) error {
	d.metaRMW.Lock()
	defer d.metaRMW.Unlock()
	err := inst.SetMeta(ctx, d, func(m *DBMeta) {
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

// mirroringRow is sys.database_mirroring after database_id (nil: all NULL).
func mirroringRow(d *Database) []Value {
	mm, ok := d.Mirroring()
	if !ok {
		return nil
	}
	st := hostOf(d.inst).stateOf(d.Name(), mm)
	safetyDesc := "OFF"
	if mm.Safety == safetyFull {
		safetyDesc = "FULL"
	}
	var failover Value
	if mm.FailoverLSN != 0 {
		failover = lsnDecimal(mm.FailoverLSN)
	}
	witnessState, witnessDesc := int64(0), "UNKNOWN"
	if mm.Witness != "" {
		witnessState, witnessDesc = int64(2), "DISCONNECTED"
		if hostOf(d.inst).witnessUp(d.Name()) {
			witnessState, witnessDesc = int64(1), "CONNECTED"
		}
	}
	var repl Value
	if mm.Role == MirrorRolePrincipal {
		if a := hostOf(d.inst).ackedLSN(d.Name()); a != 0 {
			repl = lsnDecimal(a)
		}
	} else {
		repl = lsnDecimal(d.EndOfLogLSN())
	}
	return []Value{
		mm.GUID, int64(st), st.String(), int64(mm.Role), mm.Role.String(), int64(mm.RoleSeq),
		int64(mm.Safety), safetyDesc, int64(mm.SafetySeq),
		mm.Partner, mm.PartnerInstance, mm.Witness, witnessState, witnessDesc,
		failover, int64(mm.Timeout), nil, "UNLIMITED", lsnDecimal(d.EndOfLogLSN()), repl,
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

// lsnDecimal is an LSN as the numeric(25,0) value catalog views show.
func lsnDecimal(l LSN) Value {
	return Decimal{Unscaled: new(big.Int).SetUint64(uint64(l)), Scale: 0}
}
