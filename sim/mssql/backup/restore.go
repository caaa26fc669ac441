package backup

import (
	"errors"
	"io"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/backupset"
	"github.com/pchatdr/harness/sim/mssql/capacity"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/hostfs"
	"github.com/pchatdr/harness/sim/mssql/storage/media"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// RESTORE DATABASE and RESTORE LOG. Every refusal is a comparison in the
// engine's LSN model (family, fork, redo point against the set's LSNs),
// checked before anything changes; the data path then streams the set
// from media into the database's new log.

func execRestore(sc *engine.Scope, x *tsql.RestoreStmt, verb string) error {
	if sc.InTransaction() {
		return newErr(sqlerr.BackupInTransaction)
	}
	o, err := evalOptions(sc, x.Options)
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
		device, err := device(sc, x.From)
		if err != nil {
			return err
		}
		return restoreInfo(sc, x.Kind, device, o)
	}
	name, err := dbName(sc, x.DB, x.DBVar)
	if err != nil {
		return err
	}
	if strings.EqualFold(name, "tempdb") {
		return newErr(sqlerr.TempdbBackup)
	}
	if len(x.From) == 0 {
		return restoreRecoverOnly(sc, name, o, verb)
	}
	device, err := device(sc, x.From)
	if err != nil {
		return err
	}
	if x.Kind == tsql.RestoreLog {
		return restoreLog(sc, name, device, o, verb)
	}
	return restoreDatabase(sc, name, device, o, verb)
}

// openMedia resolves device for reading as the service account and reads
// its set list.
func openMedia(sc *engine.Scope, device string) (string, *media.Contents, error) {
	inst := sc.Instance()
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
func openSet(sc *engine.Scope, device string, o *options, want int16, other string) (string, media.SetHeader, error) {
	host, c, err := openMedia(sc, device)
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

// exclusive is RESTORE's exclusive-access check (3102 for the caller's own
// session, 3101 for others).
func exclusive(sc *engine.Scope, db *engine.Database, verb string) error {
	s := sc.Session()
	if s.CurrentDatabase() == db {
		return newErr(sqlerr.DatabaseInUseBySession, strings.Fields(verb)[0], db.Name())
	}
	for _, id := range sc.Instance().SessionsIn(db) {
		if id != s.ID() {
			return newErr(sqlerr.DatabaseInUse)
		}
	}
	return nil
}

// restorable reports whether db takes log restores (RESTORING or STANDBY).
func restorable(m engine.DBMeta) bool { return m.State == engine.StateRestoring || m.Standby }

func restoreDatabase(sc *engine.Scope, name, device string, o *options, verb string) error {
	inst := sc.Instance()
	began := inst.Now() // restorehistory.restore_date: the start of the restore
	ctx := sc.Context()
	start := time.Now()
	existing := inst.DB(name)
	if existing != nil {
		if existing.IsSystem() && !strings.EqualFold(existing.Name(), "msdb") {
			return newErr(sqlerr.Message, "Restoring master or model is not supported by the simulator.")
		}
		if existing.IsMirrored() {
			return newErr(sqlerr.RestoreMirrored, name)
		}
		if err := exclusive(sc, existing, verb); err != nil {
			return err
		}
	}
	host, set, err := openSet(sc, device, o, media.TypeDatabase, "BACKUP LOG")
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
		if em.State == engine.StateOnline && !em.Standby && em.Recovery != engine.RecoverySimple && ls.ChainStart != 0 &&
			existing.NextLSN() > ls.LastLogBackupEnd {
			return newErr(sqlerr.TailLogNotBackedUp, name)
		}
	}
	files, err := restoreFiles(sc, existing, set, o)
	if err != nil {
		return err
	}
	if err := capacity.CheckRestoreSpace(sc.Instance(), existing, files); err != nil {
		return err
	}
	endSeq, ok := engine.LSN(set.LastLSN).Seq()
	if !ok || endSeq == 0 {
		return newErr(sqlerr.MediaFamilyMalformed, device)
	}
	standby, err := prepareStandby(sc, existing, o)
	if err != nil {
		return err
	}
	recovery := !o.flags["NORECOVERY"] && !o.flags["STANDBY"]

	meta := engine.DBMeta{Name: name, State: engine.StateRestoring, Recovery: recoveryFromName(set.RecoveryModel),
		Created: set.DatabaseCreationDate, FamilyGUID: set.FamilyGUID, Files: files}
	ls := engine.LogState{Offset: int64(endSeq) - 2, DatabaseGUID: engine.NewGUID(), ForkGUID: set.RecoveryForkID,
		PrevForkGUID: set.FirstRecoveryForkID, ForkPoint: engine.LSN(set.ForkPointLSN), RedoLSN: engine.LSN(set.LastLSN),
		LastFullCheckpoint: engine.LSN(set.CheckpointLSN), LastFullBackupSet: set.BackupSetGUID, StandbyFile: standby}
	if meta.Recovery != engine.RecoverySimple {
		ls.ChainStart = engine.LSNOfSeq(endSeq - 1)
		ls.LastLogBackupEnd = engine.LSNOfSeq(endSeq - 1)
	}
	engine.PutLogState(&meta, ls)

	st := newStats(sc, o.stats)
	pace, err := sc.Pacing("read", device)
	if err != nil {
		return err
	}
	// The set is opened once master says RESTORING (RestoreState's crash
	// safety), and read at the device's pace.
	var cr *countReader
	var rc io.Closer
	defer func() {
		if rc != nil {
			rc.Close()
		}
	}()
	nd, err := inst.RestoreState(ctx, existing, meta, host, func() (io.Reader, error) {
		_, r, err := media.OpenPaced(host, set.Position, pace)
		if err != nil {
			return nil, backupset.MediaReadError(host, err)
		}
		rc = r
		total := int64(0)
		if hs, err := media.ReadHeaders(host); err == nil && set.Position <= len(hs.Sets) {
			total = hs.Sets[set.Position-1].BackupSize
		}
		cr = &countReader{r: capacity.PacedReader(ctx, inst, r), st: st, total: total}
		return cr, nil
	})
	if err != nil {
		return err
	}
	n := cr.n
	final := nd.Meta()
	if recovery {
		final.State = engine.StateOnline
		ls.PrevForkGUID, ls.ForkGUID, ls.ForkPoint, ls.RedoLSN = ls.ForkGUID, engine.NewGUID(), engine.LSNOfSeq(endSeq), 0
	} else if standby != "" {
		final.State, final.Standby, final.ReadOnly = engine.StateOnline, true, true
	}
	engine.PutLogState(&final, ls)
	if err := inst.SetMeta(ctx, nd, func(m *engine.DBMeta) { *m = final }); err != nil {
		return err
	}
	nd.HoldLogForBackup()
	recordRestoreHistory(ctx, inst, began, device, set, name, sc.Session().LoginName(), "D", o.flags["REPLACE"], recovery)
	for _, f := range final.DBFiles() {
		pages := int64(2)
		if f.Type == 0 {
			pages = backupset.PagesOf(n)
		}
		if err := sc.Message(newErr(sqlerr.ProcessedPages, pages, name, f.Name, set.Position)); err != nil {
			return err
		}
	}
	if err := sc.Message(backupset.DoneMessage(verb, backupset.PagesOf(n)+2, time.Since(start))); err != nil {
		return err
	}
	sc.Succeeded()
	return nil
}

// restoreFiles applies MOVE to the set's file list and refuses files that
// another database uses (1834, then 3156).
func restoreFiles(sc *engine.Scope, existing *engine.Database, set media.SetHeader, o *options) ([]engine.DBFile, error) {
	var files []engine.DBFile
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
		files = append(files, engine.DBFile{FileID: int(f.FileID), Type: typ, Name: f.LogicalName, Physical: phys, SizePages: pages})
	}
	for _, db := range sc.Instance().Databases() {
		if db == existing {
			continue
		}
		for _, of := range db.Meta().DBFiles() {
			for _, f := range files {
				if strings.EqualFold(of.Physical, f.Physical) {
					if err := sc.Message(newErr(sqlerr.FileInUse, f.Physical, db.Name())); err != nil {
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
func prepareStandby(sc *engine.Scope, existing *engine.Database, o *options) (string, error) {
	inst := sc.Instance()
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
func restoreTarget(sc *engine.Scope, name, verb string) (*engine.Database, error) {
	db := sc.Instance().DB(name)
	if db == nil {
		return nil, newErr(sqlerr.RestoreDatabaseNotFound, name)
	}
	if db.IsMirrored() {
		return nil, newErr(sqlerr.RestoreMirrored, name)
	}
	if err := exclusive(sc, db, verb); err != nil {
		return nil, err
	}
	return db, nil
}

func restoreLog(sc *engine.Scope, name, device string, o *options, verb string) error {
	inst := sc.Instance()
	began := inst.Now() // restorehistory.restore_date: the start of the restore
	ctx := sc.Context()
	start := time.Now()
	db, err := restoreTarget(sc, name, verb)
	if err != nil {
		return err
	}
	host, set, err := openSet(sc, device, o, media.TypeLog, "BACKUP DATABASE")
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
	if !db.Durable() {
		return newErr(sqlerr.Message, "RESTORE LOG needs a durable instance (a data directory): this in-memory instance keeps no log.")
	}
	ls := db.LogState()
	redo := db.NextLSN()
	first, last := engine.LSN(set.FirstLSN), engine.LSN(set.LastLSN)
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
	standby, err := prepareStandby(sc, db, o)
	if err != nil {
		return err
	}
	pace, err := sc.Pacing("read", device)
	if err != nil {
		return err
	}
	_, rc, err := media.OpenPaced(host, set.Position, pace)
	if err != nil {
		return backupset.MediaReadError(device, err)
	}
	defer rc.Close()
	cr := &countReader{r: rc, st: newStats(sc, o.stats), total: set.BackupSize}
	var batch []engine.LogRecord
	var batchBytes int
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := db.ApplyLogRecords(ctx, batch)
		batch, batchBytes = batch[:0], 0
		return err
	}
	err = backupset.ReadLogRecords(cr, func(l engine.LSN, p []byte) error {
		r := engine.LogRecord{LSN: l, Payload: p}
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
		var gap *engine.LogGapError
		if errors.As(err, &gap) {
			return newErr(sqlerr.BackupSetDamaged)
		}
		return engine.RestoreDataError(device, err)
	}
	if got := db.NextLSN(); got != last {
		return newErr(sqlerr.BackupSetDamaged)
	}
	recovery := !o.flags["NORECOVERY"] && !o.flags["STANDBY"]
	err = inst.UpdateLogState(ctx, db, func(dm *engine.DBMeta, ls *engine.LogState) {
		ls.RedoLSN = last
		ls.StandbyFile = standby
		// The database now follows the backup's recovery path: the next
		// log backup of the source continues on its fork.
		if set.RecoveryForkID != ls.ForkGUID {
			ls.PrevForkGUID, ls.ForkGUID, ls.ForkPoint = ls.ForkGUID, set.RecoveryForkID, engine.LSN(set.ForkPointLSN)
		}
		dm.State, dm.Standby, dm.ReadOnly = engine.StateRestoring, false, false
		switch {
		case recovery:
			dm.State = engine.StateOnline
			ls.PrevForkGUID, ls.ForkGUID, ls.ForkPoint, ls.RedoLSN = ls.ForkGUID, engine.NewGUID(), last, 0
		case standby != "":
			dm.State, dm.Standby, dm.ReadOnly = engine.StateOnline, true, true
		}
	})
	if err != nil {
		return err
	}
	db.HoldLogForBackup()
	recordRestoreHistory(ctx, inst, began, device, set, name, sc.Session().LoginName(), "L", false, recovery)
	files := m.DBFiles()
	if err := sc.Message(newErr(sqlerr.ProcessedPages, backupset.PagesOf(cr.n)+1, name, files[len(files)-1].Name, set.Position)); err != nil {
		return err
	}
	if err := sc.Message(backupset.DoneMessage(verb, backupset.PagesOf(cr.n)+1, time.Since(start))); err != nil {
		return err
	}
	sc.Succeeded()
	return nil
}

// restoreRecoverOnly is RESTORE DATABASE x WITH RECOVERY without a device:
// bring a RESTORING database online on a new recovery fork.
func restoreRecoverOnly(sc *engine.Scope, name string, o *options, verb string) error {
	inst := sc.Instance()
	start := time.Now()
	db, err := restoreTarget(sc, name, verb)
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
	err = inst.UpdateLogState(sc.Context(), db, func(dm *engine.DBMeta, ls *engine.LogState) {
		dm.State, dm.Standby, dm.ReadOnly = engine.StateOnline, false, false
		ls.PrevForkGUID, ls.ForkGUID, ls.ForkPoint, ls.RedoLSN = ls.ForkGUID, engine.NewGUID(), next, 0
	})
	if err != nil {
		return err
	}
	if err := sc.Message(backupset.DoneMessage(verb, 0, time.Since(start))); err != nil {
		return err
	}
	sc.Succeeded()
	return nil
}
