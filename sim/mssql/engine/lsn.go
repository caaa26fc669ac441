package engine

// A database's place in the LSN model (sim/mssql/lsn: the model, its
// State, the apply and hold rules): the engine keeps the State in
// DBMeta.Ext["lsn"] and owns the durable log it describes: reading its
// records from an LSN, applying another copy's records, its checkpoint
// markers, the holds that keep records from pruning.
//
// Updating DBMeta: Ext maps are shared between copies of DBMeta, so a
// SetMeta change function must clone Ext before writing a key (cloneExt).

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"github.com/pchatdr/harness/sim/mssql/lsn"
	"github.com/pchatdr/harness/sim/mssql/storage"
)

// LSN is a SQL Server log sequence number (sim/mssql/lsn, which owns the
// VLF/block/slot layout).
type LSN = lsn.LSN

// LogState is a database's position in the LSN model (lsn.State), kept
// durably in DBMeta.Ext["lsn"].
type LogState = lsn.State

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
		memo = &logStateMemo{raw: b, ls: lsn.DecodeState(b)}
		d.logStateMemo.Store(memo)
	}
	return memo.ls.WithDefaults(m.FamilyGUID)
}

// logStateMemo is one decoding of DBMeta.Ext["lsn"] (Database.LogState).
type logStateMemo struct {
	raw []byte
	ls  LogState
}

func logStateOf(m DBMeta) LogState {
	var ls LogState
	if b := m.Ext[lsnExtKey]; len(b) > 0 {
		ls = lsn.DecodeState(b)
	}
	return ls.WithDefaults(m.FamilyGUID)
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
	ext[lsnExtKey] = ls.Encode()
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
	return lsn.OfStorage(storageLSN, d.LogState().Offset)
}

// NextLSN is the LSN d's next log record will get: for a mirror or a
// RESTORING database, the first LSN it still needs.
func (d *Database) NextLSN() LSN {
	return lsn.OfStorage(d.LastLSN()+1, d.LogState().Offset)
}

// EndOfLogLSN is the LSN of d's last durable record (sys.database_mirroring
// mirroring_end_of_log_lsn), or the LSN before NextLSN when d's log is empty.
func (d *Database) EndOfLogLSN() LSN {
	return lsn.OfStorage(d.LastLSN(), d.LogState().Offset)
}

// LogRecord is one committed log record: its SQL LSN and the engine's
// operation bytes (the same format commits, snapshots and backups use).
type LogRecord = lsn.Record

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
		var ok bool
		if start, ok = lsn.StorageFrom(from, off); !ok {
			return fmt.Errorf("read log of %s: %s is not an LSN of this model", d.Name(), from)
		}
	}
	err := l.Replay(start, func(at uint64, p []byte) error {
		return fn(LogRecord{LSN: lsn.OfStorage(at, off), Payload: p})
	})
	if errors.Is(err, storage.ErrPruned) {
		return fmt.Errorf("read log of %s from %s: %w", d.Name(), from, ErrLogTruncated)
	}
	return err
}

// LogGapError is ApplyLogRecords' refusal of a record past the database's
// next LSN: applying it would lose the records in between.
type LogGapError = lsn.GapError

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
	todo, gap, err := lsn.Due(d.Name(), next, recs)
	if err != nil {
		return 0, err
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
	at, err := d.log.Append(context.WithoutCancel(ctx), op)
	if err != nil {
		return 0, fmt.Errorf("log append %s: %w", d.Name(), err)
	}
	d.sinceCkp.Add(1)
	if d.commitHook != nil {
		d.commitHook(at, op)
	}
	return lsn.OfStorage(at, d.LogState().Offset), nil
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

// HoldLog keeps d's log records with LSN >= from from being pruned until
// ReleaseLog(owner) or a later HoldLog by the same owner. Holds live in
// memory: an owner re-establishes its hold after a restart (the log-backup
// hold comes from LogState).
func (d *Database) HoldLog(owner string, from LSN) {
	d.holds.Hold(owner, from)
	d.applyHolds()
}

// ReleaseLog drops owner's hold on d's log.
func (d *Database) ReleaseLog(owner string) {
	d.holds.Release(owner)
	d.applyHolds()
}

// retainer is the part of *storage.Log that keeps records from pruning.
type retainer interface{ SetRetainFrom(lsn uint64) }

// SetRetainFrom implements retainer for the storage-backed log.
func (s storageLog) SetRetainFrom(lsn uint64) { s.l.SetRetainFrom(storage.LSN(lsn)) }

// applyHolds tells d's storage log the lowest held LSN, as a storage LSN.
func (d *Database) applyHolds() {
	low := d.holds.Low()
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
	if st, ok := lsn.StorageFrom(low, d.LogState().Offset); ok {
		r.SetRetainFrom(st)
	}
}
