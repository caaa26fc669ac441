package engine

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/backupset"
	"github.com/pchatdr/harness/sim/mssql/lsn"
	"github.com/pchatdr/harness/sim/mssql/opstream"
	"github.com/pchatdr/harness/sim/mssql/storage/media"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// This file is the engine's surface for BACKUP and RESTORE, which live
// outside the package (sim/mssql/backup). What they need of the database's
// state stays here: the committed state in the log's own operation format
// (durability.go, backup_payload.go) as a full backup takes it, the log's
// checkpoint marker, the crash-safe replacement of a database by a
// restored state, and the log-backup hold. The statements' checks, the
// media and msdb's history are the feature's.

// FailBackup ends a BACKUP or RESTORE that failed as SQL Server does: the
// specific error, then 3013 "<verb> is terminating abnormally." Inside TRY
// only the 3013 reaches CATCH (ERROR_NUMBER() is 3013 there, as on a real
// server). A 3013 or an error that is no SQL Server message passes as is.
func (sc *scope) FailBackup(verb string, err error) error {
	if err == nil {
		return nil
	}
	e, ok := asSQLError(err)
	if !ok {
		return err
	}
	if e.Number == sqlerr.BackupRestoreAborted {
		return e
	}
	if sc.inTry == 0 {
		if err := sc.message(e); err != nil {
			return err
		}
		sc.s.lastError = e.Number
	}
	return newErr(sqlerr.BackupRestoreAborted, verb)
}

// Message sends an informational or error message stamped with the server,
// procedure and line (STATS progress, 4035 "Processed ... pages", 3014).
func (sc *scope) Message(e *Error) error { return sc.message(e) }

// Succeeded sets @@ERROR to 0 after a statement that sent only
// informational messages.
func (sc *scope) Succeeded() { sc.s.lastError = 0 }

// Variable is the value of the declared variable name (@x); ok false when
// it is not declared (137).
func (sc *scope) Variable(name string) (v Value, ok bool) {
	vr := sc.lookupVar(name)
	if vr == nil {
		return nil, false
	}
	return vr.val, true
}

// Result sends one result set as a SELECT does (RESTORE HEADERONLY,
// FILELISTONLY, LABELONLY): its columns, rows and DONE with the count.
func (sc *scope) Result(cols []Column, rows [][]Value) error {
	if err := sc.emit(sc.out.Columns(cols)); err != nil {
		return err
	}
	for _, r := range rows {
		if err := sc.emit(sc.out.Row(r)); err != nil {
			return err
		}
	}
	sc.s.rowcount = int64(len(rows))
	sc.s.lastError = 0
	return sc.done(DoneInfo{Count: int64(len(rows)), HasCount: true, CurCmd: 0xC1})
}

// Pacing is how a backup device's bytes must be held to the network its
// path sits behind (files.go's pacing); nil for local disk.
func (sc *scope) Pacing(op, device string) (func(int) error, error) { return sc.pacing(op, device) }

// IntValue is v as an integer option value (STATS, FILE, RETAINDAYS): ok
// false when v is no number.
func IntValue(v Value) (int64, bool) { return toInt64(v) }

// StringValue is v as option text ("" for NULL).
func StringValue(v Value) string { return argString(v) }

// RestoreVerb is the statement a RESTORE of kind k is called in 3013.
func RestoreVerb(k tsql.RestoreKind) string { return restoreVerb(k) }

func restoreVerb(k tsql.RestoreKind) string {
	switch k {
	case tsql.RestoreLog:
		return "RESTORE LOG"
	case tsql.RestoreHeaderOnly:
		return "RESTORE HEADERONLY"
	case tsql.RestoreFileListOnly:
		return "RESTORE FILELIST"
	case tsql.RestoreVerifyOnly:
		return "VERIFY DATABASE"
	case tsql.RestoreLabelOnly:
		return "RESTORE LABELONLY"
	}
	return "RESTORE DATABASE"
}

// Durable says d keeps a log (the instance has a data directory): BACKUP
// LOG and RESTORE LOG need one.
func (d *Database) Durable() bool {
	d.gate.RLock()
	defer d.gate.RUnlock()
	return d.log != nil
}

// AppendMarker logs a checkpoint marker in d and returns its LSN: a log
// backup ends after it.
func (d *Database) AppendMarker(ctx context.Context) (LSN, error) { return d.appendMarker(ctx) }

// BackupSnapshot is d's committed state as a full backup takes it: every
// record up to End is in it, so a restore continues exactly there.
type BackupSnapshot struct {
	// Checkpoint is the checkpoint record written first (the set's FirstLSN
	// and CheckpointLSN).
	Checkpoint LSN
	// End is the LSN after the state's last record (the set's LastLSN).
	End   LSN
	state *stateCopy
}

// Size is how many bytes WriteTo will produce (STATS, the set's sizes).
func (b *BackupSnapshot) Size() int64 { return b.state.size() }

// WriteTo streams the state in the log's operation format (what a
// snapshot holds, what RestoreState applies).
func (b *BackupSnapshot) WriteTo(w io.Writer) (int64, error) { return writeState(w, b.state) }

// BackupSnapshot writes the checkpoint record, then copies d's committed
// state.
func (d *Database) BackupSnapshot(ctx context.Context) (*BackupSnapshot, error) {
	var ckp LSN
	if d.log != nil {
		var err error
		if ckp, err = d.appendMarker(ctx); err != nil {
			return nil, err
		}
	}
	d.gate.Lock()
	var last uint64
	if d.log != nil {
		last = d.log.LastLSN()
	}
	state := d.collect()
	d.gate.Unlock()
	endSeq := uint64(int64(last) + 1 + d.LogState().Offset)
	if ckp == 0 {
		ckp = lsn.OfSeq(endSeq - 1)
	}
	return &BackupSnapshot{Checkpoint: ckp, End: lsn.OfSeq(endSeq), state: state}, nil
}

// size is how many bytes writeState will produce (for STATS and sizes).
func (sc *stateCopy) size() int64 {
	n := int64(len(sc.master))
	for _, t := range sc.tables {
		n += int64(len(encJSON(opCreateTable, t.def))) + 32
		n += t.seg.Bytes() + 8*int64(t.seg.Len())
		for _, r := range t.rows {
			n += int64(rowSizeHint(r))
		}
	}
	return n
}

// rowSizeHint approximates one row's encoded size without encoding it.
func rowSizeHint(r *rowVersion) int {
	n := 8
	for _, v := range r.Vals {
		switch x := v.(type) {
		case string:
			n += len(x) + 3
		case []byte:
			n += len(x) + 3
		default:
			n += 9
		}
	}
	return n
}

// HoldLogForBackup keeps the records the next log backup needs (from the
// end of the last log backup, or the chain's start), and none under the
// SIMPLE recovery model.
func (d *Database) HoldLogForBackup() { d.holdLogForBackup() }

func (d *Database) holdLogForBackup() {
	ls := d.LogState()
	from := ls.LastLogBackupEnd
	if from == 0 {
		from = ls.ChainStart
	}
	if from == 0 || d.Meta().Recovery == RecoverySimple {
		d.ReleaseLog("logbackup")
		return
	}
	d.HoldLog("logbackup", from)
}

// RestoreState replaces (or creates) the database with the state open
// returns (a full backup's payload, BackupSnapshot.WriteTo's format).
// Crash safety: the database is first registered RESTORING in master, so a
// crash at any point after leaves it RESTORING (as SQL Server does), never
// half ONLINE; the state is written as storage LSN 1 (a checkpoint record)
// plus a snapshot at that LSN, so it is either complete or absent after a
// restart. open runs once master says RESTORING; errors reading the state
// are RestoreDataError's (device names the media).
func (inst *Instance) RestoreState(ctx context.Context, existing *Database, meta DBMeta, device string, open func() (io.Reader, error)) (*Database, error) {
	if existing != nil {
		meta.ID = existing.ID()
	} else {
		inst.mu.Lock()
		meta.ID = inst.nextDBID
		inst.nextDBID++
		inst.mu.Unlock()
	}
	nd := newDatabase(inst, meta)
	// Step 1: master says RESTORING; the old database's files go.
	err := inst.master.appendDirect(ctx, encJSON(opDBMeta, meta), func() {
		inst.mu.Lock()
		if existing != nil {
			delete(inst.dbs, strings.ToLower(existing.Name()))
		}
		inst.dbs[strings.ToLower(meta.Name)] = nd
		inst.dbByID[meta.ID] = nd
		inst.mu.Unlock()
	})
	if err != nil {
		return nil, err
	}
	if existing != nil {
		existing.ckpMu.Lock()
		existing.gate.Lock()
		if existing.log != nil {
			existing.log.Close()
			existing.log = nil
		}
		existing.gate.Unlock()
		existing.ckpMu.Unlock()
		existing.ReleaseLog("logbackup")
	}
	// Step 2: the new contents.
	cr, err := open()
	if err != nil {
		return nil, err
	}
	apply := func(r io.Reader) error {
		or := newOpReader(r)
		nd.mu.Lock()
		defer nd.mu.Unlock()
		nd.segRefs = nd.newSegRefs(or)
		defer func() { nd.segRefs = nil }()
		for {
			kind, body, err := or.next()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := nd.applyOp(kind, body); err != nil {
				return err
			}
		}
	}
	if inst.cfg.DataDir == "" {
		if err := apply(cr); err != nil {
			return nil, RestoreDataError(device, err)
		}
		return nd, nil
	}
	if err := os.RemoveAll(inst.dbDir(meta.Name)); err != nil {
		return nil, fmt.Errorf("restore %s: %w", meta.Name, err)
	}
	if err := inst.openLog(nd); err != nil {
		return nil, err
	}
	// On failure the database stays registered RESTORING with an empty
	// log (as a failed restore leaves it in SQL Server); its in-memory
	// tables are emptied so nothing half-applied is ever visible.
	fail := func(err error) (*Database, error) {
		nd.mu.Lock()
		nd.tables, nd.tablesByID = map[string]*Table{}, map[int]*Table{}
		nd.mu.Unlock()
		return nil, err
	}
	if _, err := nd.log.Append(context.WithoutCancel(ctx), encMarker()); err != nil {
		return fail(fmt.Errorf("restore %s: %w", meta.Name, err))
	}
	err = nd.log.WriteSnapshot(1, func(w io.Writer) error {
		return opstream.TeeAhead(cr, w, apply)
	})
	if err != nil {
		return fail(RestoreDataError(device, err))
	}
	if err := nd.resolveSegs(1); err != nil {
		return fail(RestoreDataError(device, err))
	}
	return nd, nil
}

// RestoreDataError is the error a restore or verify reports when reading a
// set fails: a SQL Server message passes as is, damage (a bad frame, a
// malformed operation, a cut-off set) is 3189, anything else the device's
// read error.
func RestoreDataError(device string, err error) error {
	var sqlErr *Error
	if errors.As(err, &sqlErr) {
		return sqlErr
	}
	if errors.Is(err, media.ErrCorrupt) || errors.Is(err, errBadOp) || errors.Is(err, backupset.ErrDamaged) || errors.Is(err, io.ErrUnexpectedEOF) {
		return newErr(sqlerr.BackupSetDamaged)
	}
	return backupset.MediaReadError(device, err)
}

// The file procedures (sim/mssql/backup's Files feature: xp_fileexist,
// xp_create_subdir, xp_dirtree, sys.dm_os_file_exists) answer as the
// service account through Instance.Files (their OS errors are
// backupset.XPError's); what they need beyond it:

// EvalTyped evaluates a scalar expression in the statement's scope with
// its type (a table-valued function converts its arguments as SQL Server
// does).
func (sc *scope) EvalTyped(e tsql.Expr) (Value, Type, error) { return sc.evalScalar(e) }

// TableSource is what a table-valued function registered with
// Registry.TableFunc returns for one call: its columns and how to produce
// its rows when the query reads them.
type TableSource = source

// NewTableSource is the result of the table-valued function call x: cols,
// exposed under x's alias (name without one), and run, called when the
// query reads the rows.
func NewTableSource(x *tsql.FuncTable, name string, cols []Column, run func() ([][]Value, error)) *TableSource {
	exposed := name
	if x.Alias != nil {
		exposed = x.Alias.Name
	}
	bc := make([]bindCol, len(cols))
	for i, c := range cols {
		bc[i] = bindCol{Name: c.Name, Type: c.Type, Nullable: c.Nullable, Qual: strings.ToLower(exposed)}
	}
	return &source{Cols: bc, Names: []string{exposed}, Run: func(*env) ([][]Value, error) { return run() }}
}
