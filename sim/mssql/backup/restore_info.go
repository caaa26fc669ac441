package backup

import (
	"github.com/pchatdr/harness/sim/mssql/backupset"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/storage/media"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// RESTORE HEADERONLY, FILELISTONLY, LABELONLY and VERIFYONLY; the result
// sets' shapes are sim/mssql/backupset's.

func restoreInfo(sc *engine.Scope, kind tsql.RestoreKind, device string, o *options) error {
	host, c, err := openMedia(sc, device)
	if err != nil {
		return err
	}
	switch kind {
	case tsql.RestoreHeaderOnly:
		rows := make([][]engine.Value, 0, len(c.Sets))
		for _, s := range c.Sets {
			rows = append(rows, backupset.HeaderOnlyRow(s))
		}
		return result(sc, backupset.HeaderOnlyColumns, rows)
	case tsql.RestoreLabelOnly:
		return result(sc, backupset.LabelOnlyColumns, [][]engine.Value{backupset.LabelOnlyRow(c)})
	case tsql.RestoreFileListOnly:
		set, err := backupset.PickSet(device, c, o.fileNumber())
		if err != nil {
			return err
		}
		rows := make([][]engine.Value, 0, len(set.Files))
		for _, f := range set.Files {
			rows = append(rows, backupset.FileListRow(f))
		}
		return result(sc, backupset.FileListColumns, rows)
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
	pace, err := sc.Pacing("read", device)
	if err != nil {
		return err
	}
	if err := media.VerifyPaced(host, n, pace); err != nil {
		return engine.RestoreDataError(device, err)
	}
	if err := sc.Message(newErr(sqlerr.BackupSetValid, n)); err != nil {
		return err
	}
	sc.Succeeded()
	return nil
}

// result sends one result set (every column nullable, as SQL Server
// describes them).
func result(sc *engine.Scope, bcols []backupset.Column, rows [][]engine.Value) error {
	cols := make([]engine.Column, len(bcols))
	for i, c := range bcols {
		cols[i] = engine.Col(c.Name, c.Type, true)
	}
	return sc.Result(cols, rows)
}
