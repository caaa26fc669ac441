package world

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// Fingerprint describes everything a failback could change: every
// database's state on every instance, the row count of every user table,
// and the pool's state and active list. Two equal fingerprints mean the
// world did not change in any way the procedure touches.
func (w *World) Fingerprint(ctx context.Context) (string, error) {
	var lines []string
	w.mu.Lock()
	names := make([]string, 0, len(w.instances))
	for n := range w.instances {
		names = append(names, n)
	}
	w.mu.Unlock()
	sort.Strings(names)
	for _, name := range names {
		inst, _ := w.Instance(name)
		if !inst.Up() {
			lines = append(lines, name+": down")
			continue
		}
		master, err := w.DB(inst, "master")
		if err != nil {
			return "", err
		}
		rows, err := master.QueryContext(ctx, "SELECT name, state_desc, recovery_model_desc, user_access_desc FROM sys.databases WHERE database_id > 4 ORDER BY name")
		if err != nil {
			return "", fmt.Errorf("fingerprint %s: %w", name, err)
		}
		var dbs []string
		for rows.Next() {
			var db, state, recovery, access string
			if err := rows.Scan(&db, &state, &recovery, &access); err != nil {
				rows.Close()
				return "", err
			}
			lines = append(lines, fmt.Sprintf("%s/%s: %s %s %s", name, db, state, recovery, access))
			if state == "ONLINE" {
				dbs = append(dbs, db)
			}
		}
		rows.Close()
		for _, db := range dbs {
			counts, err := tableCounts(ctx, master, db)
			if err != nil {
				return "", fmt.Errorf("fingerprint %s/%s: %w", name, db, err)
			}
			lines = append(lines, fmt.Sprintf("%s/%s tables: %s", name, db, counts))
		}
	}
	if p := w.Pool(); p != nil {
		st, err := p.State(ctx)
		if err != nil {
			return "", fmt.Errorf("fingerprint pool: %w", err)
		}
		active := append([]string(nil), st.ActiveServers...)
		sort.Strings(active)
		lines = append(lines, fmt.Sprintf("pool: %s active=%s", st.PoolState, strings.Join(active, ",")))
	}
	return strings.Join(lines, "\n"), nil
}

// tableCounts lists "table=rows" for every user table of db.
func tableCounts(ctx context.Context, master *sql.DB, db string) (string, error) {
	q := "[" + strings.ReplaceAll(db, "]", "]]") + "]"
	rows, err := master.QueryContext(ctx, "SELECT name FROM "+q+".sys.tables ORDER BY name")
	if err != nil {
		return "", err
	}
	var tables []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			rows.Close()
			return "", err
		}
		tables = append(tables, t)
	}
	rows.Close()
	var parts []string
	for _, t := range tables {
		var n int64
		tq := "[" + strings.ReplaceAll(t, "]", "]]") + "]"
		if err := master.QueryRowContext(ctx, "SELECT COUNT_BIG(*) FROM "+q+".dbo."+tq).Scan(&n); err != nil {
			return "", err
		}
		parts = append(parts, fmt.Sprintf("%s=%d", t, n))
	}
	return strings.Join(parts, " "), nil
}
