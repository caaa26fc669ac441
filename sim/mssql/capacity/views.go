package capacity

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/backupset"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/hostfs"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/storage/media"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// installVolumeStats adds sys.dm_os_volume_stats.
func installVolumeStats(r *engine.Registry) {
	for _, n := range []string{"sys.dm_os_volume_stats", "dm_os_volume_stats", "master.sys.dm_os_volume_stats"} {
		r.TableFunc(n, dmOSVolumeStats)
	}
}

// dmOSVolumeStats is sys.dm_os_volume_stats(database_id, file_id): one row
// for the volume holding that file, none when the database or file does
// not exist. total_bytes is the free space plus the database files on the
// volume (the simulator knows no other use of it).
func dmOSVolumeStats(sc *engine.Scope, x *tsql.FuncTable) (*engine.TableSource, error) {
	if len(x.Call.Args) != 2 {
		return nil, newErr(sqlerr.FunctionArgCount, "dm_os_volume_stats", 2)
	}
	return engine.NewTableSource(x, "dm_os_volume_stats", volumeStatsCols(), func() ([][]engine.Value, error) {
		var ids [2]int64
		for i, a := range x.Call.Args {
			v, vt, err := sc.EvalTyped(a)
			if err != nil {
				return nil, err
			}
			if v == nil {
				return nil, nil
			}
			c, err := sqltypes.Convert(v, vt, sqltypes.TypeBigInt)
			if err != nil {
				return nil, err
			}
			ids[i], _ = engine.IntValue(c)
		}
		inst := sc.Instance()
		db := inst.DBByID(int(ids[0]))
		if db == nil {
			return nil, nil
		}
		for _, f := range db.Meta().DBFiles() {
			if int64(f.FileID) != ids[1] {
				continue
			}
			mount, free, ok := volumeOf(inst, f.Physical)
			if !ok {
				return nil, nil
			}
			total := free + bytesOnVolume(inst, mount)
			return [][]engine.Value{{ids[0], ids[1], mount, `\\?\Volume{` + strings.ToLower(mount) + `}\`, "", "NTFS",
				total, free, int64(1), int64(1), int64(1), int64(0), int64(0), int64(0)}}, nil
		}
		return nil, nil
	}), nil
}

// installDeleteFile adds xp_delete_file.
func installDeleteFile(r *engine.Registry) {
	r.Procedure("xp_delete_file", engine.SystemProc{
		Params: []engine.ProcParam{{Name: "@FileTypeSelected", Type: sqltypes.TypeInt}, {Name: "@folder", Type: sqltypes.NVarChar(4000)},
			{Name: "@extension", Type: sqltypes.NVarChar(260), HasDefault: true}, {Name: "@cutoff", Type: sqltypes.NVarChar(64), HasDefault: true},
			{Name: "@subfolder", Type: sqltypes.TypeInt, HasDefault: true, Default: int64(0)}},
		Run: xpDeleteFile,
	})
}

// xpDeleteFile is master.sys.xp_delete_file (undocumented; maintenance
// plans' cleanup task) for one named file: type 0 deletes it only when it
// is backup media, as SQL Server reads the header first and leaves any
// other file alone without an error. Folder sweeps by extension and date
// are refused rather than half done.
func xpDeleteFile(pc *engine.ProcCall) (int32, error) {
	inst := pc.Instance()
	fs, err := inst.Files()
	if err != nil {
		return 1, err
	}
	typ, _ := engine.IntValue(pc.Arg("@FileTypeSelected"))
	path := engine.StringValue(pc.Arg("@folder"))
	if pc.Given("@extension") || pc.Given("@cutoff") {
		return 1, newErr(sqlerr.Message, "xp_delete_file with an extension or cutoff date (a folder sweep) is not supported by the simulator.")
	}
	if typ != 0 {
		return 1, newErr(sqlerr.Message, "xp_delete_file for maintenance-plan reports (type 1) is not supported by the simulator.")
	}
	host, err := fs.Check(inst.ServiceAccount(), path, hostfs.Read)
	if err != nil {
		return 1, backupset.XPError("xp_delete_file", err)
	}
	if _, err := media.ReadHeaders(host); err != nil {
		return 0, nil
	}
	if err := fs.Remove(inst.ServiceAccount(), path); err != nil {
		return 1, backupset.XPError("xp_delete_file", err)
	}
	return 0, nil
}
