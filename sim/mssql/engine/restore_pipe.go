package engine

import (
	"fmt"
)

// A restore reads the backup set (checking its frames' checksums), writes
// it to the database's new snapshot and decodes its operations into the
// database, the first two a few blocks ahead of the third
// (opstream.TeeAhead). segRefs below is how the rows it applies stay where
// that snapshot has them.

// segRefs marks a restore or recovery applying a snapshot's stream (a
// restore writes the database's snapshot as it reads the backup set;
// recovery reads it): the rows its tables' segments take are not copied
// but left where they are in the stream, and read from the snapshot's
// file once it is whole (resolveSegs). A restored mgc is then on disk
// once, not also in segment files of its own (a failback at 256 MiB held
// the primary's and the mirror's mgc each as a snapshot and as segment
// files, and a restore wrote both).
type segRefs struct {
	or *opReader // its bodyAt is where the body being applied starts
}

// snapshotFiler names a snapshot's file and where its stream starts in it
// (storage.Log through storageLog; a log without files has none).
type snapshotFiler interface {
	SnapshotFile(lsn uint64) (path string, streamAt int64, ok bool)
}

// newSegRefs is what applyOp's segment rows are told while d applies the
// stream or reads: nil (rows copied) when d's snapshots are not files.
func (d *Database) newSegRefs(or *opReader) *segRefs {
	if _, ok := d.log.(snapshotFiler); !ok || d.inst.cfg.DataDir == "" {
		return nil
	}
	return &segRefs{or: or}
}

// resolveSegs points d's segments that wait for their rows at the
// snapshot at lsn, whose stream they were applied from.
func (d *Database) resolveSegs(lsn uint64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	var path string
	var at int64
	for _, t := range d.tablesByID {
		if t.Seg == nil || !t.Seg.Refs() {
			continue
		}
		if path == "" {
			sf, ok := d.log.(snapshotFiler)
			var found bool
			if ok {
				path, at, found = sf.SnapshotFile(lsn)
			}
			if !found {
				return fmt.Errorf("engine: %s: no snapshot file at lsn %d for its rows", d.Name(), lsn)
			}
		}
		if err := t.Seg.Resolve(path, at); err != nil {
			return fmt.Errorf("engine: %s.%s: %w", d.Name(), t.Name, err)
		}
	}
	return nil
}
