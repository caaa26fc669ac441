package engine

// # The LSN, recovery-fork and family model (issue 3)
//
// Backup, restore, mirroring and log shipping all decide by comparing log
// sequence numbers, so this file owns one model of them and everything else
// compares the numbers it hands out. No rule (4305, 4326, 3117, 3154, 3159)
// is a special case: each falls out of the comparisons below.
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
//	seq = storage LSN + LogState.Offset
//
// Offset is 0 for a database made by CREATE DATABASE and is set by RESTORE
// DATABASE so that the restored state's record continues the source's seq.
// A record applied by RESTORE LOG or by a mirror (ApplyLogRecords) becomes
// exactly one storage record, so after a restore the storage LSN and seq
// advance in lockstep and the offset never changes again.
//
// The SQL LSN shown to users (LSN) is seq laid out the way SQL Server lays
// out a log (virtual log file, block, slot): sim/mssql/lsn. The mapping is
// strictly increasing, so comparing LSNs as numbers and comparing seqs
// agree; HEADERONLY and msdb show the numeric(25,0) value.
//
// ## Family and recovery forks
//
//   - FamilyGUID (DBMeta.FamilyGUID) is set once by CREATE DATABASE and
//     carried by every backup; RESTORE DATABASE gives the new database its
//     backup's family. RESTORE over an existing database of another family
//     (or name) without REPLACE is 3154.
//   - DatabaseGUID is the incarnation: new at CREATE DATABASE and at every
//     RESTORE DATABASE.
//   - RecoveryForkGUID starts equal to the FamilyGUID (as in SQL Server, a
//     new database's first fork is its family) and changes at every
//     RESTORE ... WITH RECOVERY and at a forced mirroring failover
//     (BeginRecoveryFork); ForkPoint is the LSN where the fork began. A
//     RESTORING database takes its backup's fork; a log backup records the
//     fork its records were written on (FirstRecoveryForkID at FirstLSN,
//     RecoveryForkID at LastLSN) and applies only to a database on that
//     fork (4330 otherwise).
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
// FirstLSN (LogState.ChainStart); until then BACKUP LOG is 4214.
//
// BACKUP LOG writes its own record at seq M (so consecutive log backups
// always advance, as in SQL Server) and covers [FirstLSN, LastLSN):
//
//	FirstLSN = LastLogBackupEnd, or ChainStart for the first log backup
//	LastLSN  = LSN(M+1)
//
// and then sets LastLogBackupEnd = LastLSN (not for COPY_ONLY). The storage
// log keeps every record from LastLogBackupEnd on until the next log backup
// (storage.Log.SetRetainFrom), so the chain never has a hole.
//
// ## Restore rules as comparisons
//
// A RESTORING database has a redo point R (LogState.RedoLSN): the next LSN
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
// point is NextLSN(): the LSN of the next record it expects. The principal
// reads records with ReadLogRecords(from) (from = the mirror's NextLSN) or
// from its commit hook (convert the hook's storage LSN with SQLLSN) and the
// receiver calls ApplyLogRecords, which applies records in order, skips
// those below NextLSN and refuses a gap (*LogGapError). HoldLog keeps the
// principal's storage log from pruning records a partner has not received.
//
// Updating DBMeta: Ext maps are shared between copies of DBMeta, so a
// SetMeta change function must clone Ext before writing a key (cloneExt).

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"sync"

	"github.com/pchatdr/harness/sim/mssql/lsn"
	"github.com/pchatdr/harness/sim/mssql/storage"
)

// LSN is a SQL Server log sequence number (sim/mssql/lsn, which owns the
// VLF/block/slot layout).
type LSN = lsn.LSN

// lsnOfSeq is the LSN of log sequence number seq.
func lsnOfSeq(seq uint64) LSN { return lsn.OfSeq(seq) }

// LogState is a database's position in the LSN model, kept durably in
// DBMeta.Ext["lsn"]. The zero value is a database made by CREATE DATABASE
// that was never backed up (see logState for the defaults).
type LogState struct {
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

const lsnExtKey = "lsn"

// LogState returns d's position in the LSN model.
//
// It is read far more often than it changes (a mirroring session's
// shipper reads NextLSN every 50ms, every log record converts its LSN), and
// decoding its JSON was about 2% of the scenario suite's CPU: d keeps the
// last decoding with the encoded bytes it came from. putLogState always
// stores a new encoding, never changes one in place, and the memo holds
// the bytes it decoded, so the same first byte's address means the same
// encoding.
func (d *Database) LogState() LogState {
	m := d.Meta()
	b := m.Ext[lsnExtKey]
	if len(b) == 0 {
		return logStateOf(m)
	}
	memo := d.logStateMemo.Load()
	if memo == nil || len(memo.raw) != len(b) || &memo.raw[0] != &b[0] {
		memo = &logStateMemo{raw: b, ls: decodeLogState(b)}
		d.logStateMemo.Store(memo)
	}
	return withLogStateDefaults(memo.ls, m)
}

// logStateMemo is one decoding of DBMeta.Ext["lsn"] (Database.LogState).
type logStateMemo struct {
	raw []byte
	ls  LogState
}

func logStateOf(m DBMeta) LogState {
	var ls LogState
	if b := m.Ext[lsnExtKey]; len(b) > 0 {
		ls = decodeLogState(b)
	}
	return withLogStateDefaults(ls, m)
}

func decodeLogState(b []byte) LogState {
	var ls LogState
	_ = json.Unmarshal(b, &ls) // written only by putLogState
	return ls
}

// withLogStateDefaults fills what a database never backed up leaves zero.
func withLogStateDefaults(ls LogState, m DBMeta) LogState {
	var zero GUID
	if ls.ForkGUID == zero {
		ls.ForkGUID = m.FamilyGUID
	}
	if ls.DatabaseGUID == zero {
		ls.DatabaseGUID = m.FamilyGUID
	}
	return ls
}

// cloneExt returns a copy of m.Ext safe to modify (DBMeta copies share the
// map, and readers use it without locks).
func cloneExt(m *DBMeta) map[string][]byte {
	ext := maps.Clone(m.Ext)
	if ext == nil {
		ext = map[string][]byte{}
	}
	return ext
}

func putLogState(m *DBMeta, ls LogState) {
	ext := cloneExt(m)
	b, err := json.Marshal(ls)
	if err != nil {
		panic(fmt.Sprintf("engine: encode log state: %v", err)) // plain struct
	}
	ext[lsnExtKey] = b
	m.Ext = ext
}

// UpdateLogState changes d's LogState (and, through change's DBMeta, any
// other metadata) durably in master.
func (inst *Instance) UpdateLogState(ctx context.Context, d *Database, change func(m *DBMeta, ls *LogState)) error {
	d.metaRMW.Lock()
	defer d.metaRMW.Unlock()
	return inst.SetMeta(ctx, d, func(m *DBMeta) {
		ls := logStateOf(*m)
		change(m, &ls)
		putLogState(m, ls)
	})
}

// SQLLSN converts one of d's storage LSNs (from its log or its commit hook)
// to the SQL LSN of that record.
func (d *Database) SQLLSN(storageLSN uint64) LSN {
	return lsnOfSeq(uint64(int64(storageLSN) + d.LogState().Offset))
}

// NextLSN is the LSN d's next log record will get: for a mirror or a
// RESTORING database, the first LSN it still needs.
func (d *Database) NextLSN() LSN {
	ls := d.LogState()
	return lsnOfSeq(uint64(int64(d.LastLSN()) + 1 + ls.Offset))
}

// EndOfLogLSN is the LSN of d's last durable record (sys.database_mirroring
// mirroring_end_of_log_lsn), or the LSN before NextLSN when d's log is empty.
func (d *Database) EndOfLogLSN() LSN {
	ls := d.LogState()
	return lsnOfSeq(uint64(int64(d.LastLSN()) + ls.Offset))
}

// LogRecord is one committed log record: its SQL LSN and the engine's
// operation bytes (the same format commits, snapshots and backups use).
type LogRecord struct {
	LSN     LSN
	Payload []byte
}

// ErrLogTruncated means records asked for are no longer in the log (they
// were pruned after a checkpoint because nothing held them).
var ErrLogTruncated = errors.New("log records are no longer available")

// ErrNoLog means the database keeps no log (in-memory instance, tempdb).
var ErrNoLog = errors.New("database keeps no log (in-memory instance)")

// ReadLogRecords calls fn with every durable committed record of d whose
// LSN is >= from, in LSN order, up to the end of the log at the time of the
// call. It is what a log backup copies and what a principal ships to its
// mirror. Records pruned from the storage log give ErrLogTruncated.
func (d *Database) ReadLogRecords(from LSN, fn func(LogRecord) error) error {
	d.gate.RLock()
	l := d.log
	d.gate.RUnlock()
	if l == nil {
		return ErrNoLog
	}
	off := d.LogState().Offset
	start := uint64(1)
	if from != 0 {
		s, ok := from.Seq()
		if !ok {
			return fmt.Errorf("read log of %s: %s is not an LSN of this model", d.Name(), from)
		}
		if int64(s)-off > 1 {
			start = uint64(int64(s) - off)
		}
	}
	err := l.Replay(start, func(lsn uint64, p []byte) error {
		return fn(LogRecord{LSN: lsnOfSeq(uint64(int64(lsn) + off)), Payload: p})
	})
	if errors.Is(err, storage.ErrPruned) {
		return fmt.Errorf("read log of %s from %s: %w", d.Name(), from, ErrLogTruncated)
	}
	return err
}

// LogGapError is ApplyLogRecords' refusal of a record past the database's
// next LSN: applying it would lose the records in between.
type LogGapError struct {
	Database string
	Next     LSN // the LSN the database needs next
	Got      LSN // the record offered
}

func (e *LogGapError) Error() string {
	return fmt.Sprintf("log gap in %s: need LSN %s, got %s", e.Database, e.Next, e.Got)
}

// batchAppender is the part of *storage.Log that writes several records
// atomically with consecutive LSNs.
type batchAppender interface {
	AppendBatch(ctx context.Context, payloads [][]byte) (first, last uint64, err error)
}

// AppendBatch implements batchAppender for the storage-backed log.
func (s storageLog) AppendBatch(ctx context.Context, payloads [][]byte) (uint64, uint64, error) {
	a, b, err := s.l.AppendBatch(ctx, payloads)
	return uint64(a), uint64(b), err
}

// ApplyLogRecords applies records made on another copy of the database (a
// log restore, a mirror following its principal) in LSN order. Records
// below NextLSN were applied before and are skipped; a record above it is a
// *LogGapError (nothing after the gap is applied). Each applied record
// becomes one record of d's own log, so d's LSNs stay those of its source.
// Applied records are durable when it returns; it reports how many.
func (d *Database) ApplyLogRecords(ctx context.Context, recs []LogRecord) (int, error) {
	d.gate.Lock()
	defer d.gate.Unlock()
	if d.log == nil {
		return 0, ErrNoLog
	}
	off := d.LogState().Offset
	next := uint64(int64(d.log.LastLSN()) + 1 + off)
	var todo [][]byte
	var gap error
	for _, r := range recs {
		s, ok := r.LSN.Seq()
		if !ok {
			return 0, fmt.Errorf("apply log to %s: %s is not an LSN of this model", d.Name(), r.LSN)
		}
		if s < next {
			continue
		}
		if s > next {
			gap = &LogGapError{Database: d.Name(), Next: lsnOfSeq(next), Got: r.LSN}
			break
		}
		todo = append(todo, r.Payload)
		next++
	}
	if len(todo) == 0 {
		return 0, gap
	}
	if err := d.appendRecordsLocked(ctx, todo); err != nil {
		return 0, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, p := range todo {
		if err := forEachOp(p, d.applyOp); err != nil {
			return i, fmt.Errorf("apply log to %s: %w", d.Name(), err)
		}
	}
	return len(todo), gap
}

// appendRecordsLocked writes payloads as consecutive records (caller holds
// gate exclusively).
func (d *Database) appendRecordsLocked(ctx context.Context, payloads [][]byte) error {
	ctx = context.WithoutCancel(ctx)
	const chunk = 4096 // bounds one atomic batch's memory
	for len(payloads) > 0 {
		n := min(chunk, len(payloads))
		if ba, ok := d.log.(batchAppender); ok {
			if _, _, err := ba.AppendBatch(ctx, payloads[:n]); err != nil {
				return fmt.Errorf("apply log to %s: %w", d.Name(), err)
			}
		} else {
			for _, p := range payloads[:n] {
				if _, err := d.log.Append(ctx, p); err != nil {
					return fmt.Errorf("apply log to %s: %w", d.Name(), err)
				}
			}
		}
		d.sinceCkp.Add(int64(n))
		payloads = payloads[n:]
	}
	return nil
}

// encMarker is a logged no-op: a delete from table id 0, which is never
// allocated (object ids start at 1000). BACKUP writes one as its checkpoint
// record, like SQL Server's checkpoint and backup log records that change no
// rows, so every backup has LSNs of its own.
func encMarker() []byte { return encDelete(0, 0) }

// appendMarker logs a marker in d and returns its SQL LSN.
func (d *Database) appendMarker(ctx context.Context) (LSN, error) {
	d.gate.RLock()
	defer d.gate.RUnlock()
	if d.log == nil {
		return 0, ErrNoLog
	}
	op := encMarker()
	lsn, err := d.log.Append(context.WithoutCancel(ctx), op)
	if err != nil {
		return 0, fmt.Errorf("log append %s: %w", d.Name(), err)
	}
	d.sinceCkp.Add(1)
	if d.commitHook != nil {
		d.commitHook(lsn, op)
	}
	return lsnOfSeq(uint64(int64(lsn) + d.LogState().Offset)), nil
}

// BeginRecoveryFork starts a new recovery fork at d's next LSN: RESTORE ...
// WITH RECOVERY and FORCE_SERVICE_ALLOW_DATA_LOSS. Log backups of the old
// fork no longer apply to d.
func (inst *Instance) BeginRecoveryFork(ctx context.Context, d *Database) error {
	next := d.NextLSN()
	return inst.UpdateLogState(ctx, d, func(_ *DBMeta, ls *LogState) {
		ls.PrevForkGUID = ls.ForkGUID
		ls.ForkGUID = newGUID()
		ls.ForkPoint = next
		ls.RedoLSN = 0
	})
}

// holdSet holds the LSNs partners still need from a database's log, by
// owner ("mirroring", "logbackup"): the storage log keeps every record at
// or after the lowest one.
type holdSet struct {
	mu sync.Mutex
	m  map[string]LSN
}

// HoldLog keeps d's log records with LSN >= from from being pruned until
// ReleaseLog(owner) or a later HoldLog by the same owner. Holds live in
// memory: an owner re-establishes its hold after a restart (the log-backup
// hold comes from LogState).
func (d *Database) HoldLog(owner string, from LSN) {
	h := &d.holds
	h.mu.Lock()
	if h.m == nil {
		h.m = map[string]LSN{}
	}
	h.m[owner] = from
	h.mu.Unlock()
	d.applyHolds()
}

// ReleaseLog drops owner's hold on d's log.
func (d *Database) ReleaseLog(owner string) {
	h := &d.holds
	h.mu.Lock()
	delete(h.m, owner)
	h.mu.Unlock()
	d.applyHolds()
}

// retainer is the part of *storage.Log that keeps records from pruning.
type retainer interface{ SetRetainFrom(lsn uint64) }

// SetRetainFrom implements retainer for the storage-backed log.
func (s storageLog) SetRetainFrom(lsn uint64) { s.l.SetRetainFrom(storage.LSN(lsn)) }

// applyHolds tells d's storage log the lowest held LSN, as a storage LSN.
func (d *Database) applyHolds() {
	var low LSN
	h := &d.holds
	h.mu.Lock()
	for _, l := range h.m {
		if low == 0 || l < low {
			low = l
		}
	}
	h.mu.Unlock()
	d.gate.RLock()
	l := d.log
	d.gate.RUnlock()
	r, ok := l.(retainer)
	if !ok {
		return
	}
	if low == 0 {
		r.SetRetainFrom(0)
		return
	}
	s, ok := low.Seq()
	if !ok {
		return
	}
	st := int64(s) - d.LogState().Offset
	if st < 1 {
		st = 1
	}
	r.SetRetainFrom(uint64(st))
}
