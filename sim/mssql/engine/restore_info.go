package engine

import (
	"github.com/pchatdr/harness/sim/mssql/backupset"
	"github.com/pchatdr/harness/sim/mssql/storage/media"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// RESTORE HEADERONLY, FILELISTONLY, LABELONLY and VERIFYONLY; the result
// sets' shapes are sim/mssql/backupset's.

func (sc *scope) restoreInfo(kind tsql.RestoreKind, device string, o *bkOptions) error {
	host, c, err := sc.openMedia(device)
	if err != nil {
		return err
	}
	switch kind {
	case tsql.RestoreHeaderOnly:
		rows := make([][]Value, 0, len(c.Sets))
		for _, s := range c.Sets {
			rows = append(rows, backupset.HeaderOnlyRow(s))
		}
		return sc.bkResult(backupset.HeaderOnlyColumns, rows)
	case tsql.RestoreLabelOnly:
		return sc.bkResult(backupset.LabelOnlyColumns, [][]Value{backupset.LabelOnlyRow(c)})
	case tsql.RestoreFileListOnly:
		set, err := backupset.PickSet(device, c, o.fileNumber())
		if err != nil {
			return err
		}
		rows := make([][]Value, 0, len(set.Files))
		for _, f := range set.Files {
			rows = append(rows, backupset.FileListRow(f))
		}
		return sc.bkResult(backupset.FileListColumns, rows)
	}
	// VERIFYONLY: read the whole set, checking every frame's checksum.
	n := o.fileNumber()
	set, err := backupset.PickSet(device, c, n)
	if err != nil {
		return err
	}
	if o.flags["CHECKSUM"] && !set.HasBackupChecksums {
		return newErr(sqlerr.NoChecksum)
	}
	pace, err := sc.pacing("read", device)
	if err != nil {
		return err
	}
	if err := media.VerifyPaced(host, n, pace); err != nil {
		return restoreDataError(device, err)
	}
	if err := sc.message(newErr(sqlerr.BackupSetValid, n)); err != nil {
		return err
	}
	sc.s.lastError = 0
	return nil
}

// bkResult sends one result set.
func (sc *scope) bkResult(bcols []backupset.Column, rows [][]Value) error {
	cols := make([]Column, len(bcols))
	for i, c := range bcols {
		cols[i] = col(c.Name, c.Type, true)
	}
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
