package world

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/mssql/hostfs"
)

// filesFor is how an instance's host sees Windows paths: its own C: drive,
// the log-shipping share under its UNC name, and (on the log-shipping
// secondary) the copy directory. Access follows the topology: the share's
// readers and writers, everything else open to the instance's own accounts.
func (w *World) filesFor(in *topology.Instance, dataDir string) (*hostfs.Config, error) {
	cDrive := filepath.Join(dataDir+".host", "c-drive")
	dDrive := filepath.Join(dataDir+".host", "d-drive")
	for _, d := range []string{cDrive, dDrive, filepath.Join(cDrive, "SQLBackup"), filepath.Join(cDrive, "SQLData")} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return nil, fmt.Errorf("world: files of %s: %w", in.Name, err)
		}
	}
	cfg := &hostfs.Config{
		Mounts: []hostfs.Mount{
			{Prefix: `C:\`, Host: cDrive},
			{Prefix: w.Topology.Share.UNC, Host: w.ShareDir, Pacer: w.sharePacer(in.DataCenter)},
		},
		Rules: []hostfs.Rule{
			{Account: "*", Prefix: `C:\`, Access: hostfs.ReadWrite},
		},
		DefaultData:   `C:\SQLData`,
		DefaultBackup: `C:\SQLBackup`,
	}
	ls := w.Topology.LogShipping
	if in.Role == topology.RoleBackup && ls.CopyDirectory != "" {
		cfg.Mounts = append(cfg.Mounts, hostfs.Mount{Prefix: ls.CopyDirectory, Host: w.CopyDir})
		cfg.Rules = append(cfg.Rules, hostfs.Rule{Account: "*", Prefix: ls.CopyDirectory, Access: hostfs.ReadWrite})
	} else {
		cfg.Mounts = append(cfg.Mounts, hostfs.Mount{Prefix: `D:\`, Host: dDrive})
		cfg.Rules = append(cfg.Rules, hostfs.Rule{Account: "*", Prefix: `D:\`, Access: hostfs.ReadWrite})
	}
	grant := map[string]hostfs.Access{}
	for _, a := range w.Topology.Share.Readers {
		grant[a] |= hostfs.Read
	}
	for _, a := range w.Topology.Share.Writers {
		grant[a] |= hostfs.Write
	}
	for account, access := range grant {
		cfg.Rules = append(cfg.Rules, hostfs.Rule{Account: account, Prefix: w.Topology.Share.UNC, Access: access})
	}
	return cfg, nil
}

// SetShareAccess changes what an account may do on the share, as seen from
// one instance (a fault: "the Agent cannot read the share").
func (w *World) SetShareAccess(inst *Instance, account string, read, write bool) error {
	e, err := w.engineOf(inst, "change share access for "+account+" on "+inst.Name)
	if err != nil {
		return err
	}
	fs, err := e.Files()
	if err != nil {
		return err
	}
	var a hostfs.Access
	if read {
		a |= hostfs.Read
	}
	if write {
		a |= hostfs.Write
	}
	if err := fs.SetAccess(account, w.Topology.Share.UNC, a); err != nil {
		return err
	}
	w.Timeline.Add(inst.Name, "fault", fmt.Sprintf("share access for %s: read=%t write=%t", account, read, write), nil)
	return nil
}
