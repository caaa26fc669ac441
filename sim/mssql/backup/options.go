package backup

import (
	"strings"

	"github.com/pchatdr/harness/sim/mssql/backupset"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// What BACKUP and RESTORE share: their evaluated WITH options, the
// database operand and the device.

// options are the evaluated WITH options of a BACKUP or RESTORE.
type options struct {
	flags map[string]bool
	vals  map[string]engine.Value
	moves [][2]string
	stats int // 0: no STATS
}

func evalOptions(sc *engine.Scope, opts []*tsql.Option) (*options, error) {
	o := &options{flags: map[string]bool{}, vals: map[string]engine.Value{}}
	for _, op := range opts {
		o.flags[op.Name] = true
		switch {
		case op.Name == "MOVE":
			from, err := sc.EvalScalar(op.Value)
			if err != nil {
				return nil, err
			}
			to, err := sc.EvalScalar(op.To)
			if err != nil {
				return nil, err
			}
			o.moves = append(o.moves, [2]string{engine.StringValue(from), engine.StringValue(to)})
		case op.Value != nil:
			v, err := sc.EvalScalar(op.Value)
			if err != nil {
				return nil, err
			}
			o.vals[op.Name] = v
		}
	}
	if o.flags["STATS"] {
		o.stats = 10
		if v, ok := o.vals["STATS"]; ok {
			if n, ok := engine.IntValue(v); ok && n > 0 && n <= 100 {
				o.stats = int(n)
			}
		}
	}
	return o, nil
}

func (o *options) str(name string) string { return engine.StringValue(o.vals[name]) }

// fileNumber is WITH FILE = n (default 1).
func (o *options) fileNumber() int {
	if v, ok := o.vals["FILE"]; ok {
		if n, ok := engine.IntValue(v); ok {
			return int(n)
		}
	}
	return 1
}

// dbName resolves BACKUP/RESTORE's database operand.
func dbName(sc *engine.Scope, id tsql.Ident, varName string) (string, error) {
	if varName == "" {
		return id.Name, nil
	}
	v, ok := sc.Variable(varName)
	if !ok {
		return "", newErr(sqlerr.MustDeclareVariable, varName)
	}
	return engine.StringValue(v), nil
}

// device resolves the single DISK device of a BACKUP/RESTORE to its
// Windows path. Striped sets (several devices) are not simulated.
func device(sc *engine.Scope, devs []*tsql.BackupDevice) (string, error) {
	if len(devs) == 0 {
		return "", newErr(sqlerr.Message, "BACKUP/RESTORE without a device is not supported by the simulator.")
	}
	if len(devs) > 1 {
		return "", newErr(sqlerr.Message, "Striped backup sets (several devices) are not supported by the simulator.")
	}
	d := devs[0]
	if d.Logical != nil {
		return "", newErr(sqlerr.BackupDeviceNotFound, d.Logical.Name)
	}
	if d.Kind != "" && d.Kind != "DISK" {
		return "", newErr(sqlerr.Message, "Backup devices of type "+d.Kind+" are not supported by the simulator.")
	}
	v, err := sc.EvalScalar(d.Target)
	if err != nil {
		return "", err
	}
	name := strings.TrimSpace(engine.StringValue(v))
	fs, err := sc.Instance().Files()
	if err != nil {
		return "", err
	}
	if strings.EqualFold(name, "NUL") {
		return "NUL", nil
	}
	return backupset.DevicePath(fs, name), nil
}

// newStats is STATS's progress reporter for the statement (nil: no STATS).
func newStats(sc *engine.Scope, step int) *backupset.Stats {
	return backupset.NewStats(step, sc.Message)
}

func recoveryName(r engine.RecoveryModel) string {
	switch r {
	case engine.RecoveryFull:
		return "FULL"
	case engine.RecoveryBulkLogged:
		return "BULK-LOGGED"
	}
	return "SIMPLE"
}

func recoveryFromName(s string) engine.RecoveryModel {
	switch strings.ToUpper(s) {
	case "FULL":
		return engine.RecoveryFull
	case "BULK-LOGGED", "BULK_LOGGED":
		return engine.RecoveryBulkLogged
	}
	return engine.RecoverySimple
}
