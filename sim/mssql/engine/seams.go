package engine

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// This file holds the hooks issue 3 (backup/restore, mirroring, log
// shipping) builds on. They work on whole committed database states and on
// the per-database log records, never on the in-memory structures.

// LastLSN is the LSN of the database's last durable log record (0 when it
// has no log, as tempdb).
func (d *Database) LastLSN() uint64 {
	d.gate.RLock()
	defer d.gate.RUnlock()
	if d.log == nil {
		return 0
	}
	return d.log.LastLSN()
}

// CommittedState returns the database's committed contents (tables,
// rows, identity counters) as of a log LSN, in the log's own operation
// format: what a full backup stores. Uncommitted changes are excluded.
func (d *Database) CommittedState() (lsn uint64, state []byte) {
	d.gate.Lock()
	if d.log != nil {
		lsn = d.log.LastLSN()
	}
	st := d.collect()
	d.gate.Unlock()
	return lsn, st.encode()
}

// SetCommitHook installs fn, called with every record this database makes
// durable, right after its append and before other sessions see the
// change: database mirroring ships them to the mirror. Concurrent commits
// call fn concurrently and not necessarily in LSN order (the receiver
// orders by lsn); fn must not block for long. nil removes it.
func (d *Database) SetCommitHook(fn func(lsn uint64, payload []byte)) {
	d.gate.Lock()
	d.commitHook = fn
	d.gate.Unlock()
}

// ApplyRecords applies log records made elsewhere (a mirror following its
// principal, a log restore) and makes them durable in this database's own
// log as one record.
func (d *Database) ApplyRecords(ctx context.Context, payloads [][]byte) error {
	d.gate.Lock()
	defer d.gate.Unlock()
	var all []byte
	for _, p := range payloads {
		all = append(all, p...)
	}
	if d.log != nil && len(all) > 0 {
		if _, err := d.log.Append(context.WithoutCancel(ctx), all); err != nil {
			return fmt.Errorf("apply records to %s: %w", d.Name(), err)
		}
		d.sinceCkp.Add(1)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	return forEachOp(all, d.applyOp)
}

// ReplaceDatabase creates or overwrites database name with meta and the
// contents state (from CommittedState): RESTORE DATABASE. An existing
// database of that name is dropped first (its sessions must be gone: the
// caller checks 3101). The new contents are durable when it returns.
func (inst *Instance) ReplaceDatabase(ctx context.Context, meta DBMeta, state []byte) (*Database, error) {
	if old := inst.DB(meta.Name); old != nil {
		if meta.ID == 0 {
			meta.ID = old.ID()
		}
		if err := inst.DropDatabase(ctx, old); err != nil {
			return nil, err
		}
	}
	inst.mu.Lock()
	if meta.ID == 0 || inst.dbByID[meta.ID] != nil {
		meta.ID = inst.nextDBID
	}
	if meta.ID >= inst.nextDBID {
		inst.nextDBID = meta.ID + 1
	}
	inst.mu.Unlock()
	db := newDatabase(inst, meta)
	if inst.cfg.DataDir != "" {
		if err := os.RemoveAll(inst.dbDir(meta.Name)); err != nil {
			return nil, fmt.Errorf("engine: replace database %s: %w", meta.Name, err)
		}
		if err := inst.openLog(db); err != nil {
			return nil, err
		}
	}
	if err := db.ApplyRecords(ctx, [][]byte{state}); err != nil {
		if db.log != nil {
			db.log.Close()
		}
		return nil, err
	}
	err := inst.master.appendDirect(ctx, encJSON(opDBMeta, meta), func() {
		inst.mu.Lock()
		inst.dbs[strings.ToLower(meta.Name)] = db
		inst.dbByID[meta.ID] = db
		inst.mu.Unlock()
	})
	if err != nil {
		return nil, err
	}
	return db, nil
}

// SessionsIn lists the spids of user sessions whose current database is db
// (RESTORE's exclusive-access check, 3101/3102).
func (inst *Instance) SessionsIn(db *Database) []int {
	var out []int
	for _, s := range inst.sessionList() {
		if s.currentDB() == db && !s.Killed() {
			out = append(out, s.id)
		}
	}
	return out
}
