package engine

import "sync"

// Row counts without reading rows (issue 12, defect 6): sys.partitions
// gives each table's row count from metadata, as SQL Server keeps it, and
// the instance counts the user-table rows each client program read, so a
// test can prove that a harmless operation (the failback's plan, its
// verification inside the outage) read none.

// rowReads counts rows read from user tables (databases other than master,
// tempdb, model and msdb) per client program name.
type rowReads struct {
	mu sync.Mutex
	n  map[string]int64
}

func (r *rowReads) add(program string, n int) {
	if n == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.n == nil {
		r.n = map[string]int64{}
	}
	r.n[program] += int64(n)
}

// UserRowsRead is how many rows of user tables sessions of program (their
// LOGIN7 application name) have read since the instance started: every
// row a scan of a user table returned to a query.
func (inst *Instance) UserRowsRead(program string) int64 {
	r := &inst.userReads
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n[program]
}

// countScan records a scan of t by the scope's session.
func (sc *scope) countScan(t *Table, n int) {
	if t.db == nil || t.db.ID() <= msdbID {
		return
	}
	sc.s.inst.userReads.add(sc.s.appName, n)
}

// installPartitionsView adds sys.partitions.
func installPartitionsView(r *Registry) {
	r.View("sys", "partitions", []Column{
		col("partition_id", tBig, false), col("object_id", tInt, false), col("index_id", tInt, false),
		col("partition_number", tInt, false), col("hobt_id", tBig, false), col("rows", tBig, true),
		col("filestream_filegroup_id", tSm, false), col("data_compression", tTiny, false),
		col("data_compression_desc", nv(60), true),
	}, func(sc *scope, db *Database) ([][]Value, error) {
		var out [][]Value
		db.mu.RLock()
		defer db.mu.RUnlock()
		for _, t := range db.sortedTables() {
			if !db.listed(t, sc.s.tx) {
				continue
			}
			// Like SQL Server's, the count is the row count the storage
			// keeps (uncommitted rows included), not a scan.
			rows := int64(len(t.Rows) - t.Dead + t.SegLive())
			base := int64(0) // heap
			for _, ix := range t.Indexes {
				if ix.Primary {
					base = 1 // clustered primary key
				}
			}
			ids := []int64{base}
			next := int64(2)
			for _, ix := range t.Indexes {
				if !ix.Primary {
					ids = append(ids, next)
					next++
				}
			}
			for _, id := range ids {
				pid := int64(t.ID)<<16 | id
				out = append(out, []Value{pid, int64(t.ID), id, int64(1), pid, rows, int64(0), int64(0), "NONE"})
			}
		}
		return out, nil
	})
}
