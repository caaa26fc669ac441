package engine

import (
	"errors"
	"github.com/pchatdr/harness/sim/mssql/backupset"
	"io"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/mssql/hostfs"
	"github.com/pchatdr/harness/sim/mssql/storage/media"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// BACKUP DATABASE and BACKUP LOG. The LSN bookkeeping is lsn.go's model;
// this file checks SQL Server's preconditions, writes the media through
// sim/mssql/storage/media as the service account, streams STATS progress
// and records msdb history.

func installBackup(r *Registry) {
	r.Statement(&tsql.BackupStmt{}, func(sc *scope, st tsql.Stmt) error {
		x := st.(*tsql.BackupStmt)
		verb := "BACKUP DATABASE"
		if x.Log {
			verb = "BACKUP LOG"
		}
		return sc.bkFail(verb, sc.execBackup(x, verb))
	})
}

// bkFail reports a BACKUP/RESTORE failure as SQL Server does: the specific
// error, then 3013 "<verb> is terminating abnormally." Inside TRY only the
// 3013 reaches CATCH (ERROR_NUMBER() is 3013 there, as on a real server).
func (sc *scope) bkFail(verb string, err error) error {
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

// bkOptions are the evaluated WITH options of a BACKUP or RESTORE.
type bkOptions struct {
	flags map[string]bool
	vals  map[string]Value
	moves [][2]string
	stats int // 0: no STATS
}

func (sc *scope) bkEvalOptions(opts []*tsql.Option) (*bkOptions, error) {
	o := &bkOptions{flags: map[string]bool{}, vals: map[string]Value{}}
	for _, op := range opts {
		o.flags[op.Name] = true
		switch {
		case op.Name == "MOVE":
			from, _, err := sc.evalScalar(op.Value)
			if err != nil {
				return nil, err
			}
			to, _, err := sc.evalScalar(op.To)
			if err != nil {
				return nil, err
			}
			o.moves = append(o.moves, [2]string{argString(from), argString(to)})
		case op.Value != nil:
			v, _, err := sc.evalScalar(op.Value)
			if err != nil {
				return nil, err
			}
			o.vals[op.Name] = v
		}
	}
	if o.flags["STATS"] {
		o.stats = 10
		if v, ok := o.vals["STATS"]; ok {
			if n, ok := toInt64(v); ok && n > 0 && n <= 100 {
				o.stats = int(n)
			}
		}
	}
	return o, nil
}

func (o *bkOptions) str(name string) string { return argString(o.vals[name]) }

// bkDBName resolves BACKUP/RESTORE's database operand.
func (sc *scope) bkDBName(id tsql.Ident, varName string) (string, error) {
	if varName == "" {
		return id.Name, nil
	}
	v := sc.lookupVar(varName)
	if v == nil {
		return "", newErr(sqlerr.MustDeclareVariable, varName)
	}
	return argString(v.val), nil
}

// bkDevice resolves the single DISK device of a BACKUP/RESTORE to its
// Windows path. Striped sets (several devices) are not simulated.
func (sc *scope) bkDevice(devs []*tsql.BackupDevice) (string, error) {
	if len(devs) == 0 {
		return "", newErr(sqlerr.Message, "BACKUP/RESTORE without a device is not supported by the simulator.")
	}
	if len(devs) > 1 {
		return "", newErr(sqlerr.Message, "Striped backup sets (several devices) are not supported by the simulator.")
	}
	d := devs[0]
	if d.Logical != nil {
		return "", newErr(sqlerr.BackupDeviceNotFound, d.Logical.Name)
	}
	if d.Kind != "" && d.Kind != "DISK" {
		return "", newErr(sqlerr.Message, "Backup devices of type "+d.Kind+" are not supported by the simulator.")
	}
	v, _, err := sc.evalScalar(d.Target)
	if err != nil {
		return "", err
	}
	name := strings.TrimSpace(argString(v))
	fs, err := sc.s.inst.Files()
	if err != nil {
		return "", err
	}
	if strings.EqualFold(name, "NUL") {
		return "NUL", nil
	}
	return devicePath(fs, name), nil
}

// newStats is STATS's progress reporter for the statement (nil: no STATS).
func newStats(sc *scope, step int) *backupset.Stats { return backupset.NewStats(step, sc.message) }

// countWriter counts what a backup to NUL would write.
type countWriter struct{ n int64 }

func (c *countWriter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

func recoveryName(r RecoveryModel) string {
	switch r {
	case RecoveryFull:
		return "FULL"
	case RecoveryBulkLogged:
		return "BULK-LOGGED"
	}
	return "SIMPLE"
}

func recoveryFromName(s string) RecoveryModel {
	switch strings.ToUpper(s) {
	case "FULL":
		return RecoveryFull
	case "BULK-LOGGED", "BULK_LOGGED":
		return RecoveryBulkLogged
	}
	return RecoverySimple
}

// fileEntries is FILELISTONLY's list for a database.
func fileEntries(m DBMeta, dataBytes int64) []media.FileEntry {
	var out []media.FileEntry
	for _, f := range m.DBFiles() {
		e := media.FileEntry{LogicalName: f.Name, PhysicalName: f.Physical, Type: "D", FileGroupName: "PRIMARY",
			Size: f.SizePages * 8192, MaxSize: 35184372080640, FileID: int64(f.FileID), SourceBlockSize: 512,
			FileGroupID: 1, IsPresent: true}
		copy(e.UniqueID[:], m.FamilyGUID[:])
		e.UniqueID[15] ^= byte(f.FileID)
		if f.Type == 1 {
			e.Type, e.FileGroupName, e.FileGroupID, e.MaxSize = "L", "", 0, 2199023255552
			e.BackupSizeInBytes = 0
		} else {
			e.BackupSizeInBytes = backupset.PagesOf(dataBytes) * 8192
			if e.Size < e.BackupSizeInBytes {
				e.Size = e.BackupSizeInBytes
			}
		}
		out = append(out, e)
	}
	return out
}

// backupMedia writes one set to the device (or discards it for NUL).
func (sc *scope) backupMedia(device string, hdr media.SetHeader, o *bkOptions, payload func(io.Writer) error) (media.SetHeader, error) {
	inst := sc.s.inst
	wopts := media.WriteOptions{
		Init: o.flags["INIT"], Format: o.flags["FORMAT"], Skip: o.flags["SKIP"],
		MediaName: o.str("MEDIANAME"), MediaDescription: o.str("MEDIADESCRIPTION"),
		Checksum: o.flags["CHECKSUM"], Compress: o.flags["COMPRESSION"], Now: inst.now,
	}
	st := newStats(sc, o.stats)
	if st != nil {
		wopts.Progress = st.Progress
	}
	if device == "NUL" {
		cw := &countWriter{}
		if err := payload(cw); err != nil {
			return hdr, err
		}
		hdr.BackupSize, hdr.CompressedBackupSize, hdr.Position = cw.n, cw.n, 1
		st.Progress(cw.n, cw.n)
		return hdr, nil
	}
	fs, err := inst.Files()
	if err != nil {
		return hdr, err
	}
	host, err := fs.Check(inst.ServiceAccount(), device, hostfs.ReadWrite)
	if err != nil {
		if hostfs.Code(err) == hostfs.ErrDiskFull {
			return hdr, newErr(sqlerr.BackupDeviceWrite, device, backupset.OSErrText(err))
		}
		return hdr, newErr(sqlerr.BackupDeviceOpen, device, backupset.OSErrText(err))
	}
	if wopts.Pace, err = sc.pacing("write", device); err != nil {
		return hdr, err
	}
	payload, err = inst.withQuota(sc.ctx, device, payload)
	if err != nil {
		return hdr, err
	}
	out, err := media.Write(host, hdr, wopts, payload)
	if st != nil && st.Err != nil {
		return out, st.Err
	}
	if err != nil {
		return out, backupset.MediaWriteError(device, err)
	}
	// The estimate the percentages were taken against may exceed what was
	// written; SQL Server always reports the last step ("100 percent
	// processed.") before 3014.
	st.Progress(1, 1)
	if st != nil && st.Err != nil {
		return out, st.Err
	}
	return out, nil
}

func (sc *scope) execBackup(x *tsql.BackupStmt, verb string) error {
	s := sc.s
	inst := s.inst
	if s.tranCount > 0 {
		return newErr(sqlerr.BackupInTransaction)
	}
	name, err := sc.bkDBName(x.DB, x.DBVar)
	if err != nil {
		return err
	}
	db := inst.DB(name)
	if db == nil {
		return newErr(sqlerr.DatabaseNotFound, name)
	}
	o, err := sc.bkEvalOptions(x.Options)
	if err != nil {
		return err
	}
	if o.flags["DIFFERENTIAL"] {
		return newErr(sqlerr.Message, "BACKUP ... WITH DIFFERENTIAL is not supported by the simulator.")
	}
	if !x.Log && (o.flags["NORECOVERY"] || o.flags["STANDBY"] || o.flags["NO_TRUNCATE"]) {
		return newErr(sqlerr.OptionsNotSupported, "NORECOVERY, STANDBY, NO_TRUNCATE")
	}
	if db.ID() == tempdbID {
		return newErr(sqlerr.TempdbBackup)
	}
	m := db.Meta()
	if db.MirroringRole() == MirrorRoleMirror {
		return newErr(sqlerr.DatabaseIsMirror, m.Name)
	}
	if e := db.openError(); e != nil {
		return e
	}
	device, err := sc.bkDevice(x.Devices)
	if err != nil {
		return err
	}
	if db.log == nil && x.Log {
		return newErr(sqlerr.Message, "BACKUP LOG needs a durable instance (a data directory): this in-memory instance keeps no log.")
	}
	start := time.Now()
	if x.Log {
		return sc.backupLog(db, device, o, verb, start)
	}
	return sc.backupDatabase(db, device, o, verb, start)
}

// baseHeader fills the HEADERONLY columns every set of db shares.
func (sc *scope) baseHeader(db *Database, o *bkOptions) media.SetHeader {
	inst := sc.s.inst
	m := db.Meta()
	ls := db.LogState()
	machine, _, _ := strings.Cut(inst.Name(), `\`)
	h := media.SetHeader{
		BackupName: o.str("NAME"), BackupDescription: o.str("DESCRIPTION"),
		UserName: sc.s.login, ServerName: inst.Name(), DatabaseName: m.Name, DatabaseVersion: 957,
		DatabaseCreationDate: m.Created, BackupStartDate: wallClock(inst.now()), CompatibilityLevel: 160,
		SoftwareVendorID: 4608, SoftwareVersionMajor: 16, SoftwareVersionMinor: 0, SoftwareVersionBuild: 1000,
		MachineName: machine, BindingID: ls.DatabaseGUID, RecoveryForkID: ls.ForkGUID,
		Collation: "SQL_Latin1_General_CP1_CI_AS", FamilyGUID: m.FamilyGUID, IsReadOnly: m.ReadOnly,
		IsSingleUser: m.UserAccess == SingleUser, IsCopyOnly: o.flags["COPY_ONLY"], FirstRecoveryForkID: ls.ForkGUID,
		ForkPointLSN: uint64(ls.ForkPoint), RecoveryModel: recoveryName(m.Recovery), BackupSetGUID: newGUID(),
		DatabaseGUID: ls.DatabaseGUID,
	}
	if o.flags["CHECKSUM"] {
		h.Flags |= 16
	}
	if h.IsCopyOnly {
		h.Flags |= 1024
	}
	if v, ok := o.vals["EXPIREDATE"]; ok {
		if t, ok := v.(time.Time); ok {
			h.ExpirationDate = t
		}
	} else if v, ok := o.vals["RETAINDAYS"]; ok {
		if n, ok := toInt64(v); ok && n > 0 {
			h.ExpirationDate = wallClock(inst.now()).AddDate(0, 0, int(n))
		}
	}
	return h
}

func (sc *scope) backupDatabase(db *Database, device string, o *bkOptions, verb string, start time.Time) error {
	ctx := sc.ctx
	inst := sc.s.inst
	hdr := sc.baseHeader(db, o)
	hdr.BackupType = media.TypeDatabase
	// The checkpoint record first, then the committed state: every record
	// up to the state's point is in the backup, so its LastLSN is the next
	// LSN and a restore continues exactly there.
	var ckp LSN
	if db.log != nil {
		var err error
		if ckp, err = db.appendMarker(ctx); err != nil {
			return err
		}
	}
	db.gate.Lock()
	var last uint64
	if db.log != nil {
		last = db.log.LastLSN()
	}
	state := db.collect()
	db.gate.Unlock()
	ls := db.LogState()
	endSeq := uint64(int64(last) + 1 + ls.Offset)
	if ckp == 0 {
		ckp = lsnOfSeq(endSeq - 1)
	}
	hdr.FirstLSN, hdr.CheckpointLSN, hdr.LastLSN = uint64(ckp), uint64(ckp), uint64(lsnOfSeq(endSeq))
	hdr.DatabaseBackupLSN = uint64(ls.LastFullCheckpoint)
	if ls.ForkPoint != 0 && ckp < ls.ForkPoint {
		hdr.FirstRecoveryForkID = ls.PrevForkGUID
	}
	size := state.size()
	hdr.BackupSize = size
	hdr.Files = fileEntries(db.Meta(), size)
	out, err := sc.backupMedia(device, hdr, o, func(w io.Writer) error {
		_, err := writeState(w, state)
		return err
	})
	if err != nil {
		return err
	}
	m := db.Meta()
	if !hdr.IsCopyOnly {
		err := inst.UpdateLogState(ctx, db, func(_ *DBMeta, ls *LogState) {
			ls.LastFullCheckpoint = ckp
			ls.LastFullBackupSet = hdr.BackupSetGUID
			if m.Recovery != RecoverySimple && ls.ChainStart == 0 && db.log != nil {
				ls.ChainStart = ckp
				ls.LastLogBackupEnd = 0
			}
		})
		if err != nil {
			return err
		}
		db.holdLogForBackup()
	}
	inst.recordBackupHistory(ctx, device, out, o)
	files := db.Meta().DBFiles()
	for _, f := range files {
		pages := int64(2)
		if f.Type == 0 {
			pages = backupset.PagesOf(size)
		}
		if err := sc.message(newErr(sqlerr.ProcessedPages, pages, m.Name, f.Name, out.Position)); err != nil {
			return err
		}
	}
	if err := sc.message(backupset.DoneMessage(verb, backupset.PagesOf(size)+2, time.Since(start))); err != nil {
		return err
	}
	sc.s.lastError = 0
	return nil
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
	for _, v := range r.vals {
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

func (sc *scope) backupLog(db *Database, device string, o *bkOptions, verb string, start time.Time) error {
	ctx := sc.ctx
	inst := sc.s.inst
	m := db.Meta()
	if m.Recovery == RecoverySimple {
		return newErr(sqlerr.LogBackupSimpleRecovery)
	}
	ls := db.LogState()
	if ls.ChainStart == 0 {
		return newErr(sqlerr.NoCurrentDatabaseBackup)
	}
	tail := o.flags["NORECOVERY"] || o.flags["STANDBY"]
	if tail {
		for _, id := range inst.SessionsIn(db) {
			if id != sc.s.id {
				return newErr(sqlerr.DatabaseInUse)
			}
		}
		if sc.s.currentDB() == db {
			return newErr(sqlerr.DatabaseInUseBySession, "BACKUP LOG", m.Name)
		}
	}
	first := ls.LastLogBackupEnd
	if first == 0 {
		first = ls.ChainStart
	}
	mark, err := db.appendMarker(ctx)
	if err != nil {
		return err
	}
	ms, _ := mark.Seq()
	last := lsnOfSeq(ms + 1)
	hdr := sc.baseHeader(db, o)
	hdr.BackupType = media.TypeLog
	hdr.FirstLSN, hdr.LastLSN, hdr.CheckpointLSN = uint64(first), uint64(last), uint64(mark)
	hdr.DatabaseBackupLSN = uint64(ls.LastFullCheckpoint)
	hdr.BeginsLogChain = first == ls.ChainStart && ls.LastLogBackupEnd == 0
	if ls.ForkPoint != 0 && first < ls.ForkPoint {
		hdr.FirstRecoveryForkID = ls.PrevForkGUID
	}
	hdr.Files = fileEntries(m, 0)
	var total int64
	errStop := errors.New("stop")
	out, err := sc.backupMedia(device, hdr, o, func(w io.Writer) error {
		err := db.ReadLogRecords(first, func(r LogRecord) error {
			if r.LSN >= last {
				return errStop
			}
			n, err := backupset.WriteLogRecord(w, r.LSN, r.Payload)
			total += int64(n)
			return err
		})
		if errors.Is(err, errStop) {
			return nil
		}
		if errors.Is(err, ErrLogTruncated) {
			return newErr(sqlerr.NoCurrentDatabaseBackup)
		}
		return err
	})
	if err != nil {
		return err
	}
	err = inst.UpdateLogState(ctx, db, func(dm *DBMeta, ls *LogState) {
		if !hdr.IsCopyOnly {
			ls.LastLogBackupEnd = last
		}
		if tail {
			dm.State = StateRestoring
			ls.RedoLSN = last
			if o.flags["STANDBY"] {
				dm.State, dm.Standby, dm.ReadOnly = StateOnline, true, true
			}
		}
	})
	if err != nil {
		return err
	}
	db.holdLogForBackup()
	inst.recordBackupHistory(ctx, device, out, o)
	if err := sc.message(newErr(sqlerr.ProcessedPages, backupset.PagesOf(total)+1, m.Name, m.DBFiles()[len(m.DBFiles())-1].Name, out.Position)); err != nil {
		return err
	}
	if err := sc.message(backupset.DoneMessage(verb, backupset.PagesOf(total)+1, time.Since(start))); err != nil {
		return err
	}
	sc.s.lastError = 0
	return nil
}

// holdLogForBackup keeps the records the next log backup needs.
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
