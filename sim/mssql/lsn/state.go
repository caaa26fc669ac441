package lsn

// # The LSN, recovery-fork and family model (issue 3)
//
// Backup, restore, mirroring and log shipping all decide by comparing log
// sequence numbers, so this package owns one model of them and everything
// else compares the numbers it hands out. No rule (4305, 4326, 3117, 3154,
// 3159) is a special case: each falls out of the comparisons below. A
// database's State is kept by the engine (sim/mssql/engine's lsn.go, in
// DBMeta.Ext["lsn"]), which also owns the durable log it describes.
//
// ## Two kinds of LSN
//
// A database's durable log (sim/mssql/storage) numbers its records 1, 2, 3…
// from the moment its directory was created: the storage LSN. It restarts
// at 1 whenever a database's files are created anew (CREATE DATABASE,
// RESTORE DATABASE). SQL Server's LSN does not restart: a database restored
// from a backup continues its source's numbering, which is what lets a log
// backup taken on the source be applied to the copy.
//
// So every database has a log sequence number seq (one per committed log
// record, contiguous), and
//
//	seq = storage LSN + State.Offset
//
// Offset is 0 for a database made by CREATE DATABASE and is set by RESTORE
// DATABASE so that the restored state's record continues the source's seq.
// A record applied by RESTORE LOG or by a mirror (the engine's
// ApplyLogRecords) becomes exactly one storage record, so after a restore
// the storage LSN and seq advance in lockstep and the offset never changes
// again.
//
// The SQL LSN shown to users (LSN) is seq laid out the way SQL Server lays
// out a log (virtual log file, block, slot: lsn.go). The mapping is
// strictly increasing, so comparing LSNs as numbers and comparing seqs
// agree; HEADERONLY and msdb show the numeric(25,0) value.
//
// ## Family and recovery forks
//
//   - FamilyGUID (the engine's DBMeta.FamilyGUID) is set once by CREATE
//     DATABASE and carried by every backup; RESTORE DATABASE gives the new
//     database its backup's family. RESTORE over an existing database of
//     another family (or name) without REPLACE is 3154.
//   - DatabaseGUID is the incarnation: new at CREATE DATABASE and at every
//     RESTORE DATABASE.
//   - RecoveryForkGUID starts equal to the FamilyGUID (as in SQL Server, a
//     new database's first fork is its family) and changes at every
//     RESTORE ... WITH RECOVERY and at a forced mirroring failover
//     (the engine's BeginRecoveryFork); ForkPoint is the LSN where the fork
//     began. A RESTORING database takes its backup's fork; a log backup
//     records the fork its records were written on (FirstRecoveryForkID at
//     FirstLSN, RecoveryForkID at LastLSN) and applies only to a database on
//     that fork (4330 otherwise).
//
// ## What a backup holds
//
// BACKUP DATABASE first writes a checkpoint record (a logged no-op, like
// SQL Server's checkpoint log records) at seq C, then captures the committed
// state as of the last record S (S >= C):
//
//	FirstLSN          = LSN(C)    oldest record a restore of this backup needs
//	CheckpointLSN     = LSN(C)
//	LastLSN           = LSN(S+1)  the next LSN: the restored database's redo point
//	DatabaseBackupLSN = CheckpointLSN of the previous full (non copy-only)
//	                    backup, 0 if none: the differential base
//
// The first full backup under FULL/BULK_LOGGED starts the log chain at its
// FirstLSN (State.ChainStart); until then BACKUP LOG is 4214.
//
// BACKUP LOG writes its own record at seq M (so consecutive log backups
// always advance, as in SQL Server) and covers [FirstLSN, LastLSN):
//
//	FirstLSN = LastLogBackupEnd, or ChainStart for the first log backup
//	LastLSN  = LSN(M+1)
//
// and then sets LastLogBackupEnd = LastLSN (not for COPY_ONLY). The storage
// log keeps every record from LastLogBackupEnd on until the next log backup
// (storage.Log.SetRetainFrom through Holds), so the chain never has a hole.
//
// ## Restore rules as comparisons
//
// A RESTORING database has a redo point R (State.RedoLSN): the next LSN
// it needs. RESTORE DATABASE sets R = backup.LastLSN; RESTORE LOG of a backup
// covering [F, L):
//
//	database not RESTORING           3117 (RECOVERY already ran)
//	log fork != database fork         4330
//	F > R                             4305 (a gap: an earlier log backup holding R is needed)
//	L <= R                            4326 (already applied: a later one holding R is needed)
//	otherwise                         records with LSN >= R are applied, R = L
//
// RESTORE DATABASE over an existing ONLINE database without REPLACE:
//
//	family or name differs            3154
//	recovery FULL/BULK_LOGGED, ChainStart != 0 and NextLSN > LastLogBackupEnd
//	                                  3159 (the tail of the log was never backed up)
//
// ## Mirrors and log-shipping secondaries
//
// A mirror or a log-shipping secondary is a RESTORING database whose redo
// point is its next LSN: the LSN of the next record it expects. The
// principal reads records from that LSN on (the engine's ReadLogRecords) or
// from its commit hook (the hook's storage LSN through OfStorage) and the
// receiver applies them in order (Due: those below its next LSN skipped, a
// gap refused with a *GapError). Holds keeps the principal's storage log
// from pruning records a partner has not received.

import (
	"encoding/json"
	"fmt"
	"sync"

	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// GUID is a uniqueidentifier (families, incarnations, forks, backup sets).
type GUID = sqltypes.GUID

// State is a database's position in the LSN model (the engine keeps it
// durably in DBMeta.Ext["lsn"]). The zero value is a database made by
// CREATE DATABASE that was never backed up (see WithDefaults).
type State struct {
	Offset       int64 `json:"offset,omitempty"` // seq = storage LSN + Offset
	DatabaseGUID GUID  `json:"database_guid"`
	ForkGUID     GUID  `json:"fork_guid"`            // current recovery fork
	ForkPoint    LSN   `json:"fork_point,omitempty"` // where ForkGUID began
	PrevForkGUID GUID  `json:"prev_fork_guid"`       // the fork before ForkPoint
	// RedoLSN is, for a RESTORING database, the next LSN a log restore must
	// supply (equal to NextLSN once the restore's records are applied).
	RedoLSN LSN `json:"redo_lsn,omitempty"`
	// ChainStart is where the log chain began (the FirstLSN of the first
	// full backup under FULL/BULK_LOGGED); 0: no chain, BACKUP LOG is 4214.
	ChainStart LSN `json:"chain_start,omitempty"`
	// LastLogBackupEnd is the LastLSN of the last log backup (not copy-only).
	LastLogBackupEnd LSN `json:"last_log_end,omitempty"`
	// LastFullCheckpoint is the CheckpointLSN of the last full backup (not
	// copy-only): the next backup's DatabaseBackupLSN.
	LastFullCheckpoint LSN `json:"last_full_ckp,omitempty"`
	// LastFullBackupSet is the BackupSetGUID of that full backup.
	LastFullBackupSet GUID `json:"last_full_set"`
	// StandbyFile is the undo file of a database restored WITH STANDBY
	// (the next RESTORE deletes it).
	StandbyFile string `json:"standby_file,omitempty"`
}

// DecodeState reads a State Encode wrote; bytes it did not write decode
// as far as they go (the engine stores only Encode's bytes).
func DecodeState(b []byte) State {
	var s State
	_ = json.Unmarshal(b, &s)
	return s
}

// Encode is the State's durable form.
func (s State) Encode() []byte {
	b, err := json.Marshal(s)
	if err != nil {
		panic(fmt.Sprintf("lsn: encode log state: %v", err)) // plain struct
	}
	return b
}

// WithDefaults fills what a database never backed up leaves zero: its
// first fork and its incarnation are its family.
func (s State) WithDefaults(family GUID) State {
	var zero GUID
	if s.ForkGUID == zero {
		s.ForkGUID = family
	}
	if s.DatabaseGUID == zero {
		s.DatabaseGUID = family
	}
	return s
}

// OfStorage is the SQL LSN of the record at storage LSN storage of a
// database whose seq is offset from its storage LSNs.
func OfStorage(storage uint64, offset int64) LSN {
	return OfSeq(uint64(int64(storage) + offset))
}

// StorageFrom is the storage LSN of l in a database of that offset, at
// least 1 (records before the database's own first are its first); ok is
// false when l is no LSN of this model.
func StorageFrom(l LSN, offset int64) (uint64, bool) {
	s, ok := l.Seq()
	if !ok {
		return 0, false
	}
	if st := int64(s) - offset; st > 1 {
		return uint64(st), true
	}
	return 1, true
}

// Record is one committed log record: its SQL LSN and the engine's
// operation bytes (the same format commits, snapshots and backups use).
type Record struct {
	LSN     LSN
	Payload []byte
}

// GapError is the refusal of a record past a database's next LSN:
// applying it would lose the records in between.
type GapError struct {
	Database string
	Next     LSN // the LSN the database needs next
	Got      LSN // the record offered
}

func (e *GapError) Error() string {
	return fmt.Sprintf("log gap in %s: need LSN %s, got %s", e.Database, e.Next, e.Got)
}

// Due is what a database whose next record is seq next still needs of
// recs, in LSN order: the payloads to apply, records below next skipped
// (applied before), and a *GapError for the first record past them
// (nothing after it is due). err is a record whose LSN is no LSN of this
// model: nothing is due then.
func Due(db string, next uint64, recs []Record) (todo [][]byte, gap, err error) {
	for _, r := range recs {
		s, ok := r.LSN.Seq()
		if !ok {
			return nil, nil, fmt.Errorf("apply log to %s: %s is not an LSN of this model", db, r.LSN)
		}
		if s < next {
			continue
		}
		if s > next {
			gap = &GapError{Database: db, Next: OfSeq(next), Got: r.LSN}
			break
		}
		todo = append(todo, r.Payload)
		next++
	}
	return todo, gap, nil
}

// Holds are the LSNs partners still need from a database's log, by owner
// ("mirroring", "logbackup"): its storage log keeps every record at or
// after the lowest one. The zero value holds nothing.
type Holds struct {
	mu sync.Mutex
	m  map[string]LSN
}

// Hold sets owner's hold at from (replacing its earlier one).
func (h *Holds) Hold(owner string, from LSN) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.m == nil {
		h.m = map[string]LSN{}
	}
	h.m[owner] = from
}

// Release drops owner's hold.
func (h *Holds) Release(owner string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.m, owner)
}

// Low is the lowest LSN held, 0 when nothing is.
func (h *Holds) Low() LSN {
	h.mu.Lock()
	defer h.mu.Unlock()
	var low LSN
	for _, l := range h.m {
		if low == 0 || l < low {
			low = l
		}
	}
	return low
}
