package engine

import (
	"context"
	"errors"
	"fmt"
	"github.com/pchatdr/harness/sim/mssql/backupset"
	"io"
	"os"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/hostfs"
	"github.com/pchatdr/harness/sim/mssql/storage/media"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// RESTORE DATABASE and RESTORE LOG. Every refusal is a comparison in
// lsn.go's model (family, fork, redo point against the set's LSNs), checked
// before anything changes; the data path then streams the set from media
// into the database's new log.

func installRestore(r *Registry) {
	r.Statement(&tsql.RestoreStmt{}, func(sc *scope, st tsql.Stmt) error {
		x := st.(*tsql.RestoreStmt)
		verb := restoreVerb(x.Kind)
		return sc.bkFail(verb, sc.execRestore(x, verb))
	})
}

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

func (sc *scope) execRestore(x *tsql.RestoreStmt, verb string) error {
	if sc.s.tranCount > 0 {
		return newErr(sqlerr.BackupInTransaction)
	}
	o, err := sc.bkEvalOptions(x.Options)
	if err != nil {
		return err
	}
	for _, f := range []string{"STOPAT", "STOPATMARK", "STOPBEFOREMARK", "PARTIAL", "MEDIAPASSWORD", "PASSWORD"} {
		if o.flags[f] {
			return newErr(sqlerr.Message, "RESTORE ... WITH "+f+" is not supported by the simulator.")
		}
	}
	switch x.Kind {
	case tsql.RestoreHeaderOnly, tsql.RestoreFileListOnly, tsql.RestoreVerifyOnly, tsql.RestoreLabelOnly:
		device, err := sc.bkDevice(x.From)
		if err != nil {
			return err
		}
		return sc.restoreInfo(x.Kind, device, o)
	}
	name, err := sc.bkDBName(x.DB, x.DBVar)
	if err != nil {
		return err
	}
	if strings.EqualFold(name, "tempdb") {
		return newErr(sqlerr.TempdbBackup)
	}
	if len(x.From) == 0 {
		return sc.restoreRecoverOnly(name, o, verb)
	}
	device, err := sc.bkDevice(x.From)
	if err != nil {
		return err
	}
	if x.Kind == tsql.RestoreLog {
		return sc.restoreLog(name, device, o, verb)
	}
	return sc.restoreDatabase(name, device, o, verb)
}

// fileNumber is WITH FILE = n (default 1).
func (o *bkOptions) fileNumber() int {
	if v, ok := o.vals["FILE"]; ok {
		if n, ok := toInt64(v); ok {
			return int(n)
		}
	}
	return 1
}

// openMedia resolves device for reading as the service account and reads
// its set list.
func (sc *scope) openMedia(device string) (string, *media.Contents, error) {
	inst := sc.s.inst
	if device == "NUL" {
		return "", nil, newErr(sqlerr.BackupDeviceOpen, device, "2(The system cannot find the file specified.)")
	}
	fs, err := inst.Files()
	if err != nil {
		return "", nil, err
	}
	acct := inst.ServiceAccount()
	if _, err := fs.Stat(acct, device); err != nil {
		return "", nil, newErr(sqlerr.BackupDeviceOpen, device, backupset.OSErrText(err))
	}
	host, err := fs.Check(acct, device, hostfs.Read)
	if err != nil {
		return "", nil, newErr(sqlerr.BackupDeviceOpen, device, backupset.OSErrText(err))
	}
	c, err := media.ReadHeaders(host)
	if err != nil {
		if c != nil && len(c.Sets) > 0 {
			return host, c, nil // damage after the sets: they stay readable
		}
		return "", nil, backupset.MediaReadError(device, err)
	}
	return host, c, nil
}

// openSet opens a restore's media and picks its backup set (WITH FILE), which
// must be of the type the RESTORE reads: a set of the other kind is error
// 3135, naming the statement that wrote it (other).
func (sc *scope) openSet(device string, o *bkOptions, want int16, other string) (string, media.SetHeader, error) {
	host, c, err := sc.openMedia(device)
	if err != nil {
		return "", media.SetHeader{}, err
	}
	set, err := backupset.PickSet(device, c, o.fileNumber())
	if err != nil {
		return "", media.SetHeader{}, err
	}
	if set.BackupType != want {
		return "", media.SetHeader{}, newErr(sqlerr.BackupSetWrongKind, device, other)
	}
	return host, set, nil
}

// bkExclusive is RESTORE's exclusive-access check (3102 for the caller's own
// session, 3101 for others).
func (sc *scope) bkExclusive(db *Database, verb string) error {
	if sc.s.currentDB() == db {
		return newErr(sqlerr.DatabaseInUseBySession, strings.Fields(verb)[0], db.Name())
	}
	for _, id := range sc.s.inst.SessionsIn(db) {
		if id != sc.s.id {
			return newErr(sqlerr.DatabaseInUse)
		}
	}
	return nil
}

// restorable reports whether db takes log restores (RESTORING or STANDBY).
func restorable(m DBMeta) bool { return m.State == StateRestoring || m.Standby }

func (sc *scope) restoreDatabase(name, device string, o *bkOptions, verb string) error {
	began := sc.s.inst.now() // restorehistory.restore_date: the start of the restore
	ctx := sc.ctx
	inst := sc.s.inst
	start := time.Now()
	existing := inst.DB(name)
	if existing != nil {
		if existing.ID() <= msdbID && existing.ID() != msdbID {
			return newErr(sqlerr.Message, "Restoring master or model is not supported by the simulator.")
		}
		if existing.IsMirrored() {
			return newErr(sqlerr.RestoreMirrored, name)
		}
		if err := sc.bkExclusive(existing, verb); err != nil {
			return err
		}
	}
	host, set, err := sc.openSet(device, o, media.TypeDatabase, "BACKUP LOG")
	if err != nil {
		return err
	}
	if o.flags["CHECKSUM"] && !set.HasBackupChecksums {
		return newErr(sqlerr.NoChecksum)
	}
	if existing != nil && !o.flags["REPLACE"] {
		em := existing.Meta()
		if em.FamilyGUID != set.FamilyGUID || !strings.EqualFold(set.DatabaseName, name) {
			return newErr(sqlerr.BackupOfOtherDatabase, name)
		}
		ls := existing.LogState()
		if em.State == StateOnline && !em.Standby && em.Recovery != RecoverySimple && ls.ChainStart != 0 &&
			existing.NextLSN() > ls.LastLogBackupEnd {
			return newErr(sqlerr.TailLogNotBackedUp, name)
		}
	}
	files, err := sc.restoreFiles(name, existing, set, o)
	if err != nil {
		return err
	}
	if err := sc.restoreSpace(existing, files); err != nil {
		return err
	}
	endSeq, ok := LSN(set.LastLSN).Seq()
	if !ok || endSeq == 0 {
		return newErr(sqlerr.MediaFamilyMalformed, device)
	}
	standby, err := sc.prepareStandby(existing, o)
	if err != nil {
		return err
	}
	recovery := !o.flags["NORECOVERY"] && !o.flags["STANDBY"]

	meta := DBMeta{Name: name, State: StateRestoring, Recovery: recoveryFromName(set.RecoveryModel),
		Created: set.DatabaseCreationDate, FamilyGUID: set.FamilyGUID, Files: files}
	ls := LogState{Offset: int64(endSeq) - 2, DatabaseGUID: newGUID(), ForkGUID: set.RecoveryForkID,
		PrevForkGUID: set.FirstRecoveryForkID, ForkPoint: LSN(set.ForkPointLSN), RedoLSN: LSN(set.LastLSN),
		LastFullCheckpoint: LSN(set.CheckpointLSN), LastFullBackupSet: set.BackupSetGUID, StandbyFile: standby}
	if meta.Recovery != RecoverySimple {
		ls.ChainStart = lsnOfSeq(endSeq - 1)
		ls.LastLogBackupEnd = lsnOfSeq(endSeq - 1)
	}
	putLogState(&meta, ls)

	st := newStats(sc, o.stats)
	pace, err := sc.pacing("read", device)
	if err != nil {
		return err
	}
	nd, n, err := inst.restoreFull(ctx, existing, meta, host, set.Position, pace, st)
	if err != nil {
		return err
	}
	final := nd.Meta()
	if recovery {
		final.State = StateOnline
		ls.PrevForkGUID, ls.ForkGUID, ls.ForkPoint, ls.RedoLSN = ls.ForkGUID, newGUID(), lsnOfSeq(endSeq), 0
	} else if standby != "" {
		final.State, final.Standby, final.ReadOnly = StateOnline, true, true
	}
	putLogState(&final, ls)
	if err := inst.SetMeta(ctx, nd, func(m *DBMeta) { *m = final }); err != nil {
		return err
	}
	nd.holdLogForBackup()
	inst.recordRestoreHistory(ctx, began, device, set, name, sc.s.login, "D", o.flags["REPLACE"], recovery)
	for _, f := range final.DBFiles() {
		pages := int64(2)
		if f.Type == 0 {
			pages = backupset.PagesOf(n)
		}
		if err := sc.message(newErr(sqlerr.ProcessedPages, pages, name, f.Name, set.Position)); err != nil {
			return err
		}
	}
	if err := sc.message(backupset.DoneMessage(verb, backupset.PagesOf(n)+2, time.Since(start))); err != nil {
		return err
	}
	sc.s.lastError = 0
	return nil
}

// restoreFiles applies MOVE to the set's file list and refuses files that
// another database uses (1834, then 3156).
func (sc *scope) restoreFiles(name string, existing *Database, set media.SetHeader, o *bkOptions) ([]DBFile, error) {
	var files []DBFile
	moved := map[string]bool{}
	for _, mv := range o.moves {
		found := false
		for _, f := range set.Files {
			if strings.EqualFold(f.LogicalName, mv[0]) {
				found = true
			}
		}
		if !found {
			return nil, newErr(sqlerr.LogicalFileNotFound, mv[0], set.DatabaseName)
		}
	}
	for _, f := range set.Files {
		phys := f.PhysicalName
		for _, mv := range o.moves {
			if strings.EqualFold(f.LogicalName, mv[0]) {
				phys = mv[1]
				moved[strings.ToLower(f.LogicalName)] = true
			}
		}
		typ := 0
		if f.Type == "L" {
			typ = 1
		}
		pages := f.Size / 8192
		if pages < 1 {
			pages = 1
		}
		files = append(files, DBFile{FileID: int(f.FileID), Type: typ, Name: f.LogicalName, Physical: phys, SizePages: pages})
	}
	for _, db := range sc.s.inst.sortedDBs() {
		if db == existing {
			continue
		}
		for _, of := range db.Meta().DBFiles() {
			for _, f := range files {
				if strings.EqualFold(of.Physical, f.Physical) {
					if err := sc.message(newErr(sqlerr.FileInUse, f.Physical, db.Name())); err != nil {
						return nil, err
					}
					return nil, newErr(sqlerr.RestoreNeedsMove, f.Name, f.Physical)
				}
			}
		}
	}
	return files, nil
}

// prepareStandby creates the STANDBY undo file as the service account and
// removes the previous one.
func (sc *scope) prepareStandby(existing *Database, o *bkOptions) (string, error) {
	inst := sc.s.inst
	fs, err := inst.Files()
	if err != nil {
		return "", err
	}
	if existing != nil {
		if old := existing.LogState().StandbyFile; old != "" {
			_ = fs.Remove(inst.ServiceAccount(), old)
		}
	}
	if !o.flags["STANDBY"] {
		return "", nil
	}
	path := o.str("STANDBY")
	f, err := fs.Create(inst.ServiceAccount(), path)
	if err != nil {
		return "", newErr(sqlerr.BackupDeviceOpen, path, backupset.OSErrText(err))
	}
	_, werr := f.Write([]byte("MSSQLSIM STANDBY UNDO FILE\n"))
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return "", newErr(sqlerr.BackupDeviceWrite, path, backupset.OSErrText(werr))
	}
	return path, nil
}

// restoreFull replaces (or creates) the database with the state in set
// position pos of the media at host. Crash safety: the database is first
// registered RESTORING in master, so a crash at any point after leaves it
// RESTORING (as SQL Server does), never half ONLINE; the state is written
// as storage LSN 1 (a checkpoint record) plus a snapshot at that LSN, so
// it is either complete or absent after a restart.
func (inst *Instance) restoreFull(ctx context.Context, existing *Database, meta DBMeta, host string, pos int, pace func(int) error, st *backupset.Stats) (*Database, int64, error) {
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
		return nil, 0, err
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
	_, rc, err := media.OpenPaced(host, pos, pace)
	if err != nil {
		return nil, 0, backupset.MediaReadError(host, err)
	}
	defer rc.Close()
	total := int64(0)
	if hs, err := media.ReadHeaders(host); err == nil && pos <= len(hs.Sets) {
		total = hs.Sets[pos-1].BackupSize
	}
	cr := &countReader{r: &pacedReader{ctx: ctx, inst: inst, r: rc}, st: st, total: total}
	apply := func(r io.Reader) error {
		or := newOpReader(r)
		nd.mu.Lock()
		defer nd.mu.Unlock()
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
			return nil, 0, restoreDataError(host, err)
		}
		return nd, cr.n, nil
	}
	if err := os.RemoveAll(inst.dbDir(meta.Name)); err != nil {
		return nil, 0, fmt.Errorf("restore %s: %w", meta.Name, err)
	}
	if err := inst.openLog(nd); err != nil {
		return nil, 0, err
	}
	// On failure the database stays registered RESTORING with an empty
	// log (as a failed restore leaves it in SQL Server); its in-memory
	// tables are emptied so nothing half-applied is ever visible.
	fail := func(err error) (*Database, int64, error) {
		nd.mu.Lock()
		nd.tables, nd.tablesByID = map[string]*Table{}, map[int]*Table{}
		nd.mu.Unlock()
		return nil, 0, err
	}
	if _, err := nd.log.Append(context.WithoutCancel(ctx), encMarker()); err != nil {
		return fail(fmt.Errorf("restore %s: %w", meta.Name, err))
	}
	err = nd.log.WriteSnapshot(1, func(w io.Writer) error {
		return apply(io.TeeReader(cr, w))
	})
	if err != nil {
		return fail(restoreDataError(host, err))
	}
	return nd, cr.n, nil
}

func restoreDataError(device string, err error) error {
	var sqlErr *Error
	if errors.As(err, &sqlErr) {
		return sqlErr
	}
	if errors.Is(err, media.ErrCorrupt) || errors.Is(err, errBadOp) || errors.Is(err, backupset.ErrDamaged) || errors.Is(err, io.ErrUnexpectedEOF) {
		return newErr(sqlerr.BackupSetDamaged)
	}
	return backupset.MediaReadError(device, err)
}

// countReader counts bytes and reports STATS progress.
type countReader struct {
	r     io.Reader
	n     int64
	st    *backupset.Stats
	total int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if c.st != nil {
		c.st.Progress(c.n, c.total)
	}
	return n, err
}

// restoreTarget is the existing database a RESTORE LOG or a RESTORE ...
// WITH RECOVERY works on: it must exist (3118), not be mirrored (3104) and
// be free of other sessions.
func (sc *scope) restoreTarget(name, verb string) (*Database, error) {
	db := sc.s.inst.DB(name)
	if db == nil {
		return nil, newErr(sqlerr.RestoreDatabaseNotFound, name)
	}
	if db.IsMirrored() {
		return nil, newErr(sqlerr.RestoreMirrored, name)
	}
	if err := sc.bkExclusive(db, verb); err != nil {
		return nil, err
	}
	return db, nil
}

func (sc *scope) restoreLog(name, device string, o *bkOptions, verb string) error {
	began := sc.s.inst.now() // restorehistory.restore_date: the start of the restore
	ctx := sc.ctx
	inst := sc.s.inst
	start := time.Now()
	db, err := sc.restoreTarget(name, verb)
	if err != nil {
		return err
	}
	host, set, err := sc.openSet(device, o, media.TypeLog, "BACKUP DATABASE")
	if err != nil {
		return err
	}
	m := db.Meta()
	if !restorable(m) {
		return newErr(sqlerr.NoFilesToRollForward)
	}
	if o.flags["CHECKSUM"] && !set.HasBackupChecksums {
		return newErr(sqlerr.NoChecksum)
	}
	if db.log == nil {
		return newErr(sqlerr.Message, "RESTORE LOG needs a durable instance (a data directory): this in-memory instance keeps no log.")
	}
	ls := db.LogState()
	redo := db.NextLSN()
	first, last := LSN(set.FirstLSN), LSN(set.LastLSN)
	if set.FirstRecoveryForkID != ls.ForkGUID && set.RecoveryForkID != ls.ForkGUID {
		return newErr(sqlerr.RecoveryPathInconsistent)
	}
	// A log backup that crosses a recovery fork (its source was restored
	// WITH RECOVERY inside it: the log-shipping role switch's new primary)
	// applies to a database on the older fork only up to the fork point:
	// past it, the database holds records the backup's path does not.
	if set.FirstRecoveryForkID == ls.ForkGUID && set.RecoveryForkID != ls.ForkGUID && set.ForkPointLSN != 0 && uint64(redo) > set.ForkPointLSN {
		return newErr(sqlerr.RecoveryPathInconsistent)
	}
	if first > redo {
		return newErr(sqlerr.LogTooRecent, first.String(), redo.String())
	}
	if last <= redo {
		return newErr(sqlerr.LogTooEarly, last.String(), redo.String())
	}
	standby, err := sc.prepareStandby(db, o)
	if err != nil {
		return err
	}
	pace, err := sc.pacing("read", device)
	if err != nil {
		return err
	}
	_, rc, err := media.OpenPaced(host, set.Position, pace)
	if err != nil {
		return backupset.MediaReadError(device, err)
	}
	defer rc.Close()
	cr := &countReader{r: rc, st: newStats(sc, o.stats), total: set.BackupSize}
	var batch []LogRecord
	var batchBytes int
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := db.ApplyLogRecords(ctx, batch)
		batch, batchBytes = batch[:0], 0
		return err
	}
	err = backupset.ReadLogRecords(cr, func(l LSN, p []byte) error {
		r := LogRecord{LSN: l, Payload: p}
		if r.LSN < redo {
			return nil
		}
		batch = append(batch, r)
		batchBytes += len(r.Payload)
		if len(batch) >= 1024 || batchBytes >= 8<<20 {
			return flush()
		}
		return nil
	})
	if err == nil {
		err = flush()
	}
	if err != nil {
		var gap *LogGapError
		if errors.As(err, &gap) {
			return newErr(sqlerr.BackupSetDamaged)
		}
		return restoreDataError(device, err)
	}
	if got := db.NextLSN(); got != last {
		return newErr(sqlerr.BackupSetDamaged)
	}
	recovery := !o.flags["NORECOVERY"] && !o.flags["STANDBY"]
	err = inst.UpdateLogState(ctx, db, func(dm *DBMeta, ls *LogState) {
		ls.RedoLSN = last
		ls.StandbyFile = standby
		// The database now follows the backup's recovery path: the next
		// log backup of the source continues on its fork.
		if set.RecoveryForkID != ls.ForkGUID {
			ls.PrevForkGUID, ls.ForkGUID, ls.ForkPoint = ls.ForkGUID, set.RecoveryForkID, LSN(set.ForkPointLSN)
		}
		dm.State, dm.Standby, dm.ReadOnly = StateRestoring, false, false
		switch {
		case recovery:
			dm.State = StateOnline
			ls.PrevForkGUID, ls.ForkGUID, ls.ForkPoint, ls.RedoLSN = ls.ForkGUID, newGUID(), last, 0
		case standby != "":
			dm.State, dm.Standby, dm.ReadOnly = StateOnline, true, true
		}
	})
	if err != nil {
		return err
	}
	db.holdLogForBackup()
	inst.recordRestoreHistory(ctx, began, device, set, name, sc.s.login, "L", false, recovery)
	files := m.DBFiles()
	if err := sc.message(newErr(sqlerr.ProcessedPages, backupset.PagesOf(cr.n)+1, name, files[len(files)-1].Name, set.Position)); err != nil {
		return err
	}
	if err := sc.message(backupset.DoneMessage(verb, backupset.PagesOf(cr.n)+1, time.Since(start))); err != nil {
		return err
	}
	sc.s.lastError = 0
	return nil
}

// restoreRecoverOnly is RESTORE DATABASE x WITH RECOVERY without a device:
// bring a RESTORING database online on a new recovery fork.
func (sc *scope) restoreRecoverOnly(name string, o *bkOptions, verb string) error {
	inst := sc.s.inst
	start := time.Now()
	db, err := sc.restoreTarget(name, verb)
	if err != nil {
		return err
	}
	if o.flags["NORECOVERY"] || o.flags["STANDBY"] {
		return newErr(sqlerr.OptionsNotSupported, "NORECOVERY, STANDBY")
	}
	if !restorable(db.Meta()) {
		return newErr(sqlerr.AlreadyRecovered)
	}
	next := db.NextLSN()
	err = inst.UpdateLogState(sc.ctx, db, func(dm *DBMeta, ls *LogState) {
		dm.State, dm.Standby, dm.ReadOnly = StateOnline, false, false
		ls.PrevForkGUID, ls.ForkGUID, ls.ForkPoint, ls.RedoLSN = ls.ForkGUID, newGUID(), next, 0
	})
	if err != nil {
		return err
	}
	if err := sc.message(backupset.DoneMessage(verb, 0, time.Since(start))); err != nil {
		return err
	}
	sc.s.lastError = 0
	return nil
}
