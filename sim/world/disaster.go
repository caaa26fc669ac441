package world

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
)

// StopDataCenter takes every SQL instance of a data center down, as a total
// outage of that site would: listeners closed, connections dropped. The
// instances' data folders stay (what is on the disks survives the outage,
// but the site is rebuilt before failback anyway).
func (w *World) StopDataCenter(ctx context.Context, dc string) error {
	for _, in := range w.Topology.Instances {
		if in.DataCenter != dc {
			continue
		}
		inst, ok := w.Instance(in.Name)
		if !ok || inst.srv == nil {
			continue
		}
		err := inst.srv.Close()
		inst.srv = nil
		w.Timeline.Add(in.Name, "stop", "data center "+dc+" down", err)
		if err != nil {
			return fmt.Errorf("world: stop %s: %w", in.Name, err)
		}
	}
	return nil
}

// Rebuild replaces an instance with a freshly installed one on the same
// address: an empty data folder, only the system databases, as after the
// primary site is rebuilt from bare metal.
func (w *World) Rebuild(ctx context.Context, inst *Instance) error {
	if inst.srv != nil {
		if err := inst.srv.Close(); err != nil {
			return fmt.Errorf("world: rebuild %s: %w", inst.Name, err)
		}
		inst.srv = nil
	}
	// A rebuilt server is a new machine (on containers, a new container
	// on the same host port).
	if err := w.backend.discard(ctx, inst); err != nil {
		return fmt.Errorf("world: rebuild %s: %w", inst.Name, err)
	}
	old := inst.cfg.DataDir
	inst.rebuilds++
	inst.cfg.DataDir = filepath.Join(w.dir, "sql", fmt.Sprintf("%s.rebuilt%d", inst.Name, inst.rebuilds))
	if err := os.RemoveAll(old); err != nil {
		return fmt.Errorf("world: rebuild %s: %w", inst.Name, err)
	}
	if in, ok := w.Topology.Instance(inst.Name); ok {
		files, err := w.filesFor(in, inst.cfg.DataDir)
		if err != nil {
			return err
		}
		inst.cfg.Files = files
	}
	if err := w.launch(ctx, inst, inst.Addr); err != nil {
		w.Timeline.Add(inst.Name, "start", "rebuilt", err)
		return fmt.Errorf("world: rebuild %s: %w", inst.Name, err)
	}
	w.Timeline.Add(inst.Name, "start", "rebuilt from scratch on "+inst.Addr, nil)
	return nil
}

// RebuildDataCenter rebuilds every instance of a data center.
func (w *World) RebuildDataCenter(ctx context.Context, dc string) error {
	for _, in := range w.Topology.Instances {
		if in.DataCenter != dc {
			continue
		}
		inst, ok := w.Instance(in.Name)
		if !ok {
			continue
		}
		if err := w.Rebuild(ctx, inst); err != nil {
			return err
		}
	}
	return nil
}
