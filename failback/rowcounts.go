package failback

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/pchatdr/harness/failback/sqlserver"
)

// Row counts from metadata (issue 12, defect 6): on a 200 GB mgc, a
// COUNT_BIG(*) and CHECKSUM_AGG over every table reads every page, in plan
// and inside the outage. sys.partitions keeps each table's row count, so
// comparing two copies of mgc costs a catalog read.

// TableRows is one user table and its row count (sys.partitions, heap or
// clustered index).
type TableRows struct {
	Schema string
	Table  string
	Rows   int64
}

// RowCountsSQL lists every user table of db with its row count from
// sys.partitions (three-part names: no USE, the pooled connection's
// database does not change).
func RowCountsSQL(db string) (string, error) {
	q, err := sqlserver.QuoteName(db)
	if err != nil {
		return "", err
	}
	return "SELECT s.name, t.name, SUM(p.rows) FROM " + q + ".sys.tables AS t JOIN " + q + ".sys.schemas AS s ON s.schema_id = t.schema_id " +
		"JOIN " + q + ".sys.partitions AS p ON p.object_id = t.object_id WHERE t.is_ms_shipped = 0 AND p.index_id IN (0, 1) " +
		"GROUP BY s.name, t.name ORDER BY s.name, t.name", nil
}

// RowCounts reads RowCountsSQL.
func (l *LiveSQL) RowCounts(ctx context.Context, db string) ([]TableRows, error) {
	q, err := RowCountsSQL(db)
	if err != nil {
		return nil, fmt.Errorf("row counts: %w", err)
	}
	var out []TableRows
	err = l.db(ctx, false).Query(ctx, q, func(r *sql.Rows) error {
		var t TableRows
		if err := r.Scan(&t.Schema, &t.Table, &t.Rows); err != nil {
			return err
		}
		out = append(out, t)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("row counts of %s: %w", db, err)
	}
	return out, nil
}

// CompareRowCounts describes every table whose row count differs between
// two databases ("" when they match).
func CompareRowCounts(want, got []TableRows) string {
	key := func(t TableRows) string { return t.Schema + "." + t.Table }
	g := map[string]TableRows{}
	for _, t := range got {
		g[key(t)] = t
	}
	var diffs []string
	seen := map[string]bool{}
	for _, w := range want {
		k := key(w)
		seen[k] = true
		x, ok := g[k]
		switch {
		case !ok:
			diffs = append(diffs, k+" is missing")
		case x.Rows != w.Rows:
			diffs = append(diffs, fmt.Sprintf("%s has %d rows, want %d", k, x.Rows, w.Rows))
		}
	}
	for _, t := range got {
		if !seen[key(t)] {
			diffs = append(diffs, key(t)+" is not in the source")
		}
	}
	slices.Sort(diffs)
	return strings.Join(diffs, "; ")
}
