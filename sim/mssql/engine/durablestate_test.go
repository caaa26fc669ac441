package engine

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// DurableState renders the committed state of every durable database of
// inst (tempdb and model are not durable) in a canonical text: each
// database's metadata, and the operations a snapshot of it would hold
// (modules, table definitions with their counters and indexes, every
// committed row keyed by table and row id), sorted, so that two instances
// holding the same committed state render the same text however they
// rebuilt it (from a snapshot and the log after it, or from the log
// alone) and wherever their rows live (the segment or the row map).
// Exported for the external tests of the package (engine_test).
func DurableState(inst *Instance) string {
	var lines []string
	for _, db := range inst.sortedDBs() {
		if db.ID() == tempdbID || db.ID() == modelID {
			continue
		}
		name := db.Name()
		// The database's metadata is in master's snapshot; rendered here
		// once, from the database itself.
		meta, err := json.Marshal(db.Meta())
		if err != nil {
			panic(err)
		}
		lines = append(lines, fmt.Sprintf("%s meta %s", name, meta))
		state := db.collect()
		if db == inst.master {
			// master's part of the snapshot names every database: already
			// rendered above, each from its own metadata.
			state.master = db.encodeModules()
		}
		err = forEachOp(state.encode(), func(kind byte, body []byte) error {
			switch kind {
			case opInsert:
				ids, rest, err := readUvarints(body, 2)
				if err != nil {
					return err
				}
				lines = append(lines, fmt.Sprintf("%s row %d/%d %s", name, ids[0], ids[1], hex.EncodeToString(rest)))
			case opCounters:
				ids, rest, err := readUvarints(body, 1)
				if err != nil {
					return err
				}
				ident, w := binary.Varint(rest)
				if w <= 0 || len(rest) < w+1 {
					return errBadOp
				}
				lines = append(lines, fmt.Sprintf("%s identity %d: %d used=%v", name, ids[0], ident, rest[w] == 1))
			default:
				lines = append(lines, fmt.Sprintf("%s op%d %s", name, kind, body))
			}
			return nil
		})
		if err != nil {
			lines = append(lines, fmt.Sprintf("%s: %v", name, err))
		}
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// CopyDataDirForTest copies a data folder as a crash leaves it on disk
// (copyDir), for the external tests.
func CopyDataDirForTest(t *testing.T, src, dst string) { copyDir(t, src, dst) }

// LineDiffForTest is lineDiff, for the external tests.
func LineDiffForTest(a, b string) string { return lineDiff(a, b) }
