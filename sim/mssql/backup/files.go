package backup

import (
	"sort"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/backupset"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/hostfs"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// The file procedures backup jobs use to manage their folders
// (xp_fileexist, xp_create_subdir, xp_dirtree, sys.dm_os_file_exists;
// maintenance scripts and log shipping call them), answered through the
// instance's file view as the service account, as BACKUP and RESTORE are.

func installFileProcs(r *engine.Registry) {
	r.Procedure("xp_fileexist", engine.SystemProc{
		Params: []engine.ProcParam{{Name: "@filename", Type: sqltypes.NVarChar(4000)}, {Name: "@exists", Type: sqltypes.TypeInt, HasDefault: true, Output: true}},
		Run:    xpFileExist,
	})
	r.Procedure("xp_create_subdir", engine.SystemProc{
		Params: []engine.ProcParam{{Name: "@dir", Type: sqltypes.NVarChar(4000)}},
		Run:    xpCreateSubdir,
	})
	r.Procedure("xp_dirtree", engine.SystemProc{
		Params: []engine.ProcParam{{Name: "@dir", Type: sqltypes.NVarChar(4000)}, {Name: "@depth", Type: sqltypes.TypeInt, HasDefault: true, Default: int64(0)},
			{Name: "@file", Type: sqltypes.TypeInt, HasDefault: true, Default: int64(0)}},
		Run: xpDirtree,
	})
	r.TableFunc("sys.dm_os_file_exists", dmOSFileExists)
	r.TableFunc("dm_os_file_exists", dmOSFileExists)
	r.TableFunc("master.sys.dm_os_file_exists", dmOSFileExists)
}

// xpFileExist is master.dbo.xp_fileexist: a one-row result (File Exists,
// File is a Directory, Parent Directory Exists), or with @exists OUTPUT only
// that flag, answered as the service account.
func xpFileExist(pc *engine.ProcCall) (int32, error) {
	inst := pc.Instance()
	fs, err := inst.Files()
	if err != nil {
		return 1, err
	}
	path := engine.StringValue(pc.Arg("@filename"))
	fe, dir, parent := fs.FileExists(inst.ServiceAccount(), path)
	if pc.Given("@exists") {
		pc.SetOutput("@exists", b2i(fe))
		return 0, nil
	}
	cols := []engine.Column{engine.Col("File Exists", sqltypes.TypeInt, false), engine.Col("File is a Directory", sqltypes.TypeInt, false), engine.Col("Parent Directory Exists", sqltypes.TypeInt, false)}
	return 0, pc.Result(cols, [][]engine.Value{{b2i(fe), b2i(dir), b2i(parent)}})
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// xpCreateSubdir is xp_create_subdir: creates the folder and its parents
// as the service account; failure is error 22048 with the OS text.
func xpCreateSubdir(pc *engine.ProcCall) (int32, error) {
	inst := pc.Instance()
	fs, err := inst.Files()
	if err != nil {
		return 1, err
	}
	path := engine.StringValue(pc.Arg("@dir"))
	if err := fs.MkdirAll(inst.ServiceAccount(), path); err != nil {
		return 1, backupset.XPError("xp_create_subdir", err)
	}
	return 0, nil
}

// xpDirtree is xp_dirtree @dir, @depth, @file: subdirectory, depth[, file]
// rows, walking as the service account.
func xpDirtree(pc *engine.ProcCall) (int32, error) {
	inst := pc.Instance()
	fs, err := inst.Files()
	if err != nil {
		return 1, err
	}
	root := engine.StringValue(pc.Arg("@dir"))
	maxDepth, _ := engine.IntValue(pc.Arg("@depth"))
	withFiles, _ := engine.IntValue(pc.Arg("@file"))
	var rows [][]engine.Value
	var walk func(dir string, depth int64)
	walk = func(dir string, depth int64) {
		ents, err := fs.ReadDir(inst.ServiceAccount(), dir)
		if err != nil {
			return // xp_dirtree lists nothing it cannot read
		}
		sort.Slice(ents, func(i, j int) bool { return strings.ToLower(ents[i].Name()) < strings.ToLower(ents[j].Name()) })
		for _, e := range ents {
			if !e.IsDir() && withFiles == 0 {
				continue
			}
			r := []engine.Value{e.Name(), depth}
			if withFiles != 0 {
				r = append(r, b2i(!e.IsDir()))
			}
			rows = append(rows, r)
			if e.IsDir() && (maxDepth == 0 || depth < maxDepth) {
				walk(hostfs.Join(dir, e.Name()), depth+1)
			}
		}
	}
	walk(root, 1)
	cols := []engine.Column{engine.Col("subdirectory", sqltypes.NVarChar(512), true), engine.Col("depth", sqltypes.TypeInt, true)}
	if withFiles != 0 {
		cols = append(cols, engine.Col("file", sqltypes.TypeInt, true))
	}
	return 0, pc.Result(cols, rows)
}

// dmOSFileExists is sys.dm_os_file_exists('path').
func dmOSFileExists(sc *engine.Scope, x *tsql.FuncTable) (*engine.TableSource, error) {
	if len(x.Call.Args) != 1 {
		return nil, newErr(sqlerr.FunctionArgCount, "dm_os_file_exists", 1)
	}
	cols := []engine.Column{engine.Col("file_exists", sqltypes.TypeBit, false), engine.Col("file_is_a_directory", sqltypes.TypeBit, false),
		engine.Col("parent_directory_exists", sqltypes.TypeBit, false)}
	return engine.NewTableSource(x, "dm_os_file_exists", cols, func() ([][]engine.Value, error) {
		v, vt, err := sc.EvalTyped(x.Call.Args[0])
		if err != nil {
			return nil, err
		}
		inst := sc.Instance()
		fs, err := inst.Files()
		if err != nil {
			return nil, err
		}
		s, err := sqltypes.Convert(v, vt, sqltypes.NVarChar(4000))
		if err != nil {
			return nil, err
		}
		fe, dir, parent := fs.FileExists(inst.ServiceAccount(), engine.StringValue(s))
		return [][]engine.Value{{fe, dir, parent}}, nil
	}), nil
}
