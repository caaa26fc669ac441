package world

import (
	"context"
	"fmt"
	"strings"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/mssql/capacity"
	"github.com/pchatdr/harness/sim/mssql/engine"
)

// What an operator's world can lack before a failback (issue 12, defect 5):
// a stopped Agent, a full volume, a database in the wrong recovery model.
// Each is set the way it happens on a real server, so the engine reads it
// through the documented views (sys.dm_server_services,
// sys.dm_os_volume_stats, sys.databases) and meets the real error if it
// goes on anyway.

// StopAgent stops SQL Server Agent on one instance, as `net stop
// SQLSERVERAGENT` does: no schedule runs, sp_start_job fails with 22022
// and sys.dm_server_services reports the Agent Stopped.
func (w *World) StopAgent(ctx context.Context, inst *Instance) error {
	e, err := w.engineOf(inst, "stop SQL Server Agent on "+inst.Name)
	if err != nil {
		return err
	}
	a := e.Agent()
	if a == nil {
		return fmt.Errorf("world: stop SQL Server Agent on %s: the instance has no Agent", inst.Name)
	}
	if err := a.Stop(ctx); err != nil {
		return fmt.Errorf("world: stop SQL Server Agent on %s: %w", inst.Name, err)
	}
	w.Timeline.Add(inst.Name, "fault", "SQL Server Agent stopped", nil)
	return nil
}

// SetVolumeFree makes the volume holding winPath on one instance's host
// report n free bytes and refuse writes beyond them (a nearly full data
// drive).
func (w *World) SetVolumeFree(inst *Instance, winPath string, n int64) error {
	e, err := w.engineOf(inst, "fill the volume of "+winPath+" on "+inst.Name)
	if err != nil {
		return err
	}
	if strings.HasPrefix(winPath, engine.DataPath) {
		if err := capacity.SetDataVolumeFree(e, n); err != nil {
			return fmt.Errorf("world: volume of %s on %s: %w", winPath, inst.Name, err)
		}
		w.Timeline.Add(inst.Name, "fault", fmt.Sprintf("data volume has %d bytes free", n), nil)
		return nil
	}
	fs, err := e.Files()
	if err != nil {
		return err
	}
	if err := fs.SetVolumeFree(winPath, n); err != nil {
		return fmt.Errorf("world: volume of %s on %s: %w", winPath, inst.Name, err)
	}
	w.Timeline.Add(inst.Name, "fault", fmt.Sprintf("volume of %s has %d bytes free", winPath, n), nil)
	return nil
}

// SetShareFree makes the log-shipping share report n free bytes, and
// refuse writes beyond them, from every running instance: the file server
// is one volume whoever looks at it.
func (w *World) SetShareFree(n int64) error {
	for _, in := range w.Topology.Instances {
		inst, ok := w.Instance(in.Name)
		if !ok || !inst.Up() {
			continue
		}
		if err := w.SetVolumeFree(inst, w.Topology.Share.UNC, n); err != nil {
			return err
		}
	}
	return nil
}

// SetRecoveryModel runs ALTER DATABASE ... SET RECOVERY on the instance of
// role, as a DBA (or a Topology Builder default) would.
func (w *World) SetRecoveryModel(ctx context.Context, role topology.Role, db, model string) error {
	inst, master, err := w.masterByRole(role)
	if err != nil {
		return err
	}
	q := "ALTER DATABASE " + quoteName(db) + " SET RECOVERY " + model
	_, err = master.ExecContext(ctx, q)
	w.Timeline.Add(inst.Name, "admin", q, err)
	if err != nil {
		return fmt.Errorf("world: %s on %s: %w", q, inst.Name, err)
	}
	return nil
}

// DataFileOf is the physical path of db's first data file on inst
// (sys.master_files), so a fault can fill the volume that holds it.
func (w *World) DataFileOf(ctx context.Context, inst *Instance, db string) (string, error) {
	master, err := w.DB(inst, "master")
	if err != nil {
		return "", err
	}
	var p string
	err = master.QueryRowContext(ctx, "SELECT TOP (1) physical_name FROM sys.master_files WHERE database_id = DB_ID(@p1) AND type = 0 ORDER BY file_id", db).Scan(&p)
	if err != nil {
		return "", fmt.Errorf("world: data file of %s on %s: %w", db, inst.Name, err)
	}
	return p, nil
}

// GrowDataFile grows db's data file (file 1) on the instance of role to
// bytes, as a database that kept growing while the pool ran failed over.
func (w *World) GrowDataFile(ctx context.Context, role topology.Role, db string, bytes int64) error {
	inst, err := w.InstanceByRole(role)
	if err != nil {
		return err
	}
	e, err := w.engineOf(inst, "grow "+db+" on "+inst.Name)
	if err != nil {
		return err
	}
	err = capacity.GrowFile(ctx, e, db, 1, bytes)
	w.Timeline.Add(inst.Name, "admin", fmt.Sprintf("%s data file grown to %d bytes", db, bytes), err)
	if err != nil {
		return fmt.Errorf("world: grow %s on %s: %w", db, inst.Name, err)
	}
	return nil
}

// UserRowsRead is, per running instance, how many rows of user tables
// sessions of program have read (the simulator's count; in-process
// instances only).
func (w *World) UserRowsRead(program string) (map[string]int64, error) {
	out := map[string]int64{}
	for _, in := range w.Topology.Instances {
		inst, ok := w.Instance(in.Name)
		if !ok || !inst.Up() {
			continue
		}
		e, err := w.engineOf(inst, "count the rows "+program+" read on "+inst.Name)
		if err != nil {
			return nil, err
		}
		out[inst.Name] = e.UserRowsRead(program)
	}
	return out, nil
}

// SetDeviceThroughput makes BACKUP write and RESTORE read the backup
// devices of inst at bytesPerSec (0: unlimited), as a slow share does.
func (w *World) SetDeviceThroughput(inst *Instance, bytesPerSec int64) error {
	e, err := w.engineOf(inst, "slow the backup devices of "+inst.Name)
	if err != nil {
		return err
	}
	if err := capacity.SetDeviceThroughput(e, bytesPerSec); err != nil {
		return fmt.Errorf("world: slow the backup devices of %s: %w", inst.Name, err)
	}
	w.Timeline.Add(inst.Name, "fault", fmt.Sprintf("backup devices move %d bytes per second", bytesPerSec), nil)
	return nil
}
