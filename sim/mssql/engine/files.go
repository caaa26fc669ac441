package engine

import (
	"context"
	"errors"
	"fmt"
	"github.com/pchatdr/harness/sim/mssql/backupset"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/pchatdr/harness/sim/mssql/hostfs"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// Every file the instance touches on behalf of T-SQL (backup devices, the
// log-shipping share, xp_fileexist) goes through hostfs as the account
// Windows would use: the SQL Server service account for BACKUP, RESTORE and
// the xp_ procedures, the Agent account for the log-shipping copy job. That
// is what makes "the service cannot write the share" a 3201 with operating
// system error 5 instead of a silent success.

// Default accounts, as a default SQL Server 2022 install names them (the
// Agent's is AgentAccount in agent.go).
const (
	defaultServiceAccount = `NT SERVICE\MSSQLSERVER`
	// DefaultBackupDir is the instance's default backup folder (bare
	// device names land there).
	DefaultBackupDir = `C:\Program Files\Microsoft SQL Server\MSSQL16.MSSQLSERVER\MSSQL\Backup`
)

type instFiles struct {
	once sync.Once
	fs   *hostfs.FS
	err  error
}

// Files returns the instance's file system view, built on first use from
// Config.Files (or the default: C:\ on DataDir/c-drive, everyone allowed).
func (inst *Instance) Files() (*hostfs.FS, error) {
	f := &inst.files
	f.once.Do(func() { f.fs, f.err = inst.openFiles() })
	return f.fs, f.err
}

func (inst *Instance) openFiles() (*hostfs.FS, error) {
	if inst.cfg.Files != nil {
		fs, err := hostfs.New(*inst.cfg.Files)
		if err != nil {
			return nil, fmt.Errorf("engine: files: %w", err)
		}
		return fs, nil
	}
	var root string
	if inst.cfg.DataDir != "" {
		root = filepath.Join(inst.cfg.DataDir, "c-drive")
	} else {
		d, err := os.MkdirTemp("", "mssqlsim-c-")
		if err != nil {
			return nil, fmt.Errorf("engine: files: %w", err)
		}
		root = d
	}
	bk := filepath.Join(root, "Program Files", "Microsoft SQL Server", "MSSQL16.MSSQLSERVER", "MSSQL", "Backup")
	if err := os.MkdirAll(bk, 0o755); err != nil {
		return nil, fmt.Errorf("engine: files: %w", err)
	}
	fs, err := hostfs.New(hostfs.Config{
		Mounts:        []hostfs.Mount{{Prefix: `C:\`, Host: root}},
		Rules:         []hostfs.Rule{{Account: "*", Prefix: `C:\`, Access: hostfs.ReadWrite}},
		DefaultBackup: DefaultBackupDir,
	})
	if err != nil {
		return nil, fmt.Errorf("engine: files: %w", err)
	}
	return fs, nil
}

// closeFiles releases the file view (called when the instance closes).
func (inst *Instance) closeFiles() {
	// Taking once here makes a Files call racing with Close either see the
	// view before it closes or build none.
	f := &inst.files
	f.once.Do(func() { f.err = errInstanceClosed })
	if f.fs != nil {
		f.fs.Close()
		f.fs = nil
	}
}

// ServiceAccount is the SQL Server service account file access runs as.
func (inst *Instance) ServiceAccount() string {
	if inst.cfg.ServiceAccount != "" {
		return inst.cfg.ServiceAccount
	}
	return defaultServiceAccount
}

// devicePath turns a backup device name into the Windows path it means: a
// bare name lives in the default backup folder, as in SQL Server.
func devicePath(fs *hostfs.FS, name string) string {
	if strings.ContainsAny(name, `\/`) || (len(name) >= 2 && name[1] == ':') {
		return name
	}
	dir := fs.DefaultBackupDir()
	if dir == "" {
		dir = DefaultBackupDir
	}
	return hostfs.Join(dir, name)
}

func installFileProcs(r *Registry) {
	r.Procedure("xp_fileexist", SystemProc{
		Params: []ProcParam{{Name: "@filename", Type: nv(4000)}, {Name: "@exists", Type: tInt, HasDefault: true, Output: true}},
		Run:    xpFileExist,
	})
	r.Procedure("xp_create_subdir", SystemProc{
		Params: []ProcParam{{Name: "@dir", Type: nv(4000)}},
		Run:    xpCreateSubdir,
	})
	r.Procedure("xp_dirtree", SystemProc{
		Params: []ProcParam{{Name: "@dir", Type: nv(4000)}, {Name: "@depth", Type: tInt, HasDefault: true, Default: int64(0)},
			{Name: "@file", Type: tInt, HasDefault: true, Default: int64(0)}},
		Run: xpDirtree,
	})
	r.TableFunc("sys.dm_os_file_exists", dmOSFileExists)
	r.TableFunc("dm_os_file_exists", dmOSFileExists)
	r.TableFunc("master.sys.dm_os_file_exists", dmOSFileExists)
}

func argString(v Value) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
}

// xpFileExist is master.dbo.xp_fileexist: a one-row result (File Exists,
// File is a Directory, Parent Directory Exists), or with @exists OUTPUT only
// that flag, answered as the service account.
func xpFileExist(pc *ProcCall) (int32, error) {
	inst := pc.Instance()
	fs, err := inst.Files()
	if err != nil {
		return 1, err
	}
	path := argString(pc.Arg("@filename"))
	fe, dir, parent := fs.FileExists(inst.ServiceAccount(), path)
	if pc.Given("@exists") {
		pc.SetOutput("@exists", b2i(fe))
		return 0, nil
	}
	cols := []Column{col("File Exists", tInt, false), col("File is a Directory", tInt, false), col("Parent Directory Exists", tInt, false)}
	return 0, pc.Result(cols, [][]Value{{b2i(fe), b2i(dir), b2i(parent)}})
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// xpCreateSubdir is xp_create_subdir: creates the folder and its parents
// as the service account; failure is error 22048 with the OS text.
func xpCreateSubdir(pc *ProcCall) (int32, error) {
	inst := pc.Instance()
	fs, err := inst.Files()
	if err != nil {
		return 1, err
	}
	path := argString(pc.Arg("@dir"))
	if err := fs.MkdirAll(inst.ServiceAccount(), path); err != nil {
		return 1, xpError("xp_create_subdir", err)
	}
	return 0, nil
}

// xpError is how the extended procedures report an OS failure (22048:
// "xp_create_subdir() returned error 5, 'Access is denied.'").
func xpError(proc string, err error) *Error {
	code, text := 0, err.Error()
	if oe, ok := err.(*hostfs.OSError); ok {
		code, text = oe.Code, oe.Text
	}
	e := &Error{Number: 22048, Class: 16, State: 1,
		Message: fmt.Sprintf("%s() returned error %d, '%s'", proc, code, text)}
	return e
}

// xpDirtree is xp_dirtree @dir, @depth, @file: subdirectory, depth[, file]
// rows, walking as the service account.
func xpDirtree(pc *ProcCall) (int32, error) {
	inst := pc.Instance()
	fs, err := inst.Files()
	if err != nil {
		return 1, err
	}
	root := argString(pc.Arg("@dir"))
	maxDepth, _ := toInt64(pc.Arg("@depth"))
	withFiles, _ := toInt64(pc.Arg("@file"))
	var rows [][]Value
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
			r := []Value{e.Name(), depth}
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
	cols := []Column{col("subdirectory", nv(512), true), col("depth", tInt, true)}
	if withFiles != 0 {
		cols = append(cols, col("file", tInt, true))
	}
	return 0, pc.Result(cols, rows)
}

// dmOSFileExists is sys.dm_os_file_exists('path').
func dmOSFileExists(sc *scope, x *tsql.FuncTable) (*source, error) {
	if len(x.Call.Args) != 1 {
		return nil, newErr(sqlerr.FunctionArgCount, "dm_os_file_exists", 1)
	}
	cols := []bindCol{{name: "file_exists", typ: tBit}, {name: "file_is_a_directory", typ: tBit}, {name: "parent_directory_exists", typ: tBit}}
	exposed := "dm_os_file_exists"
	if x.Alias != nil {
		exposed = x.Alias.Name
	}
	for i := range cols {
		cols[i].qual = strings.ToLower(exposed)
	}
	return &source{cols: cols, names: []string{exposed}, run: func(en *env) ([][]Value, error) {
		v, vt, err := sc.evalScalar(x.Call.Args[0])
		if err != nil {
			return nil, err
		}
		inst := sc.s.inst
		fs, err := inst.Files()
		if err != nil {
			return nil, err
		}
		s, err := sqltypes.Convert(v, vt, nv(4000))
		if err != nil {
			return nil, err
		}
		fe, dir, parent := fs.FileExists(inst.ServiceAccount(), argString(s))
		return [][]Value{{fe, dir, parent}}, nil
	}}, nil
}

// pacing is how a backup device's bytes must be held to the network its
// path sits behind (a share in the other data center: the WAN link the
// world gives hostfs); nil for local disk. A share the link cannot reach
// is 3201 at open, as for any unreachable device.
func (sc *scope) pacing(op, device string) (func(int) error, error) {
	fs, err := sc.s.inst.Files()
	if err != nil {
		return nil, err
	}
	pace, err := fs.Pacing(sc.ctx, op, device)
	if err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		return nil, newErr(sqlerr.BackupDeviceOpen, device, backupset.OSErrText(err))
	}
	return pace, nil
}
