package engine

import (
	"context"
	"encoding/json"
	"fmt"
)

// MasterExt is the value a feature keeps as JSON under key in master's
// metadata (server-level state such as logins or endpoints, saved with the
// instance as SQL Server keeps it in master), the zero value when there is
// none.
func MasterExt[T any](inst *Instance, key string) (T, error) {
	var v T
	if b := inst.master.Meta().Ext[key]; len(b) > 0 {
		if err := json.Unmarshal(b, &v); err != nil {
			return v, fmt.Errorf("engine: master metadata %q: %w", key, err)
		}
	}
	return v, nil
}

// UpdateMasterExt changes the value kept under key in master's metadata
// durably: change edits the current value and the result is written back
// in one metadata update. A stored value that cannot be read is refused,
// never replaced, so what it held is not lost.
func UpdateMasterExt[T any](ctx context.Context, inst *Instance, key string, change func(*T) error) error {
	var cerr error
	err := inst.UpdateMeta(ctx, inst.master, func(m *DBMeta) {
		var v T
		if b := m.Ext[key]; len(b) > 0 {
			if err := json.Unmarshal(b, &v); err != nil {
				cerr = fmt.Errorf("engine: master metadata %q: %w", key, err)
				return
			}
		}
		if cerr = change(&v); cerr != nil {
			return
		}
		b, err := json.Marshal(v)
		if err != nil {
			cerr = fmt.Errorf("engine: encode master metadata %q: %w", key, err)
			return
		}
		ext := cloneExt(m)
		ext[key] = b
		m.Ext = ext
	})
	if cerr != nil {
		return cerr
	}
	return err
}
