package engine

import (
	"context"
	"errors"
	"fmt"
	"github.com/pchatdr/harness/sim/mssql/backupset"
	"os"
	"path/filepath"
	"sync"

	"github.com/pchatdr/harness/sim/mssql/hostfs"
	"github.com/pchatdr/harness/sqlerr"
)

// Every file the instance touches on behalf of T-SQL (backup devices, the
// log-shipping share, xp_fileexist) goes through hostfs as the account
// Windows would use: the SQL Server service account for BACKUP, RESTORE and
// the xp_ procedures, the Agent account for the log-shipping copy job. That
// is what makes "the service cannot write the share" a 3201 with operating
// system error 5 instead of a silent success.

// defaultServiceAccount is the service account as a default SQL Server
// 2022 install names it (the Agent's is AgentAccount in agent.go).
const defaultServiceAccount = `NT SERVICE\MSSQLSERVER`

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
		DefaultBackup: backupset.DefaultBackupDir,
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

func argString(v Value) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return fmt.Sprint(v)
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
