package steps

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/cucumber/godog"

	"github.com/pchatdr/harness/failback/sqlserver"
	"github.com/pchatdr/harness/failback/topology"
)

// registerCapacity binds the steps that break one of the assumptions issue
// 12's defect 5 adds to the precondition table: mirroring on the rebuilt
// primary, recovery models, the Agent, free space, share writes.
func registerCapacity(sc *godog.ScenarioContext) {
	sc.Step(`^the rebuilt primary databases are mirrored to the "([^"]*)" instance$`, primaryMirroredTo)
	sc.Step(`^database "([^"]*)" on the "([^"]*)" instance uses the (SIMPLE|BULK_LOGGED|FULL) recovery model$`, recoveryModelIs)
	sc.Step(`^SQL Server Agent is stopped on the "([^"]*)" instance$`, agentStopped)
	sc.Step(`^the backup mgc grew to (\d+) MB and the "([^"]*)" instance's mgc volume has (\d+) MB free$`, backupGrewVolumeFree)
	sc.Step(`^the share has (\d+) MB free$`, shareFree)
	sc.Step(`^the engine read no row of a user table on any instance$`, engineReadNoUserRow)
	sc.Step(`^the SQL Server service account "([^"]*)" cannot write the share from the "([^"]*)" instance$`, serviceCannotWriteShare)
}

func primaryMirroredTo(ctx context.Context, role string) error {
	return get(ctx).world.ConfigureMirroring(ctx, topology.RolePrimary, topology.Role(role))
}

func recoveryModelIs(ctx context.Context, db, role, model string) error {
	return get(ctx).world.SetRecoveryModel(ctx, topology.Role(role), db, model)
}

func agentStopped(ctx context.Context, role string) error {
	w, inst, err := instance(ctx, role)
	if err != nil {
		return err
	}
	return w.StopAgent(ctx, inst)
}

func backupGrewVolumeFree(ctx context.Context, grown int, role string, mb int) error {
	w, inst, err := instance(ctx, role)
	if err != nil {
		return err
	}
	if err := w.GrowDataFile(ctx, topology.RoleBackup, "mgc", int64(grown)<<20); err != nil {
		return err
	}
	path, err := w.DataFileOf(ctx, inst, "mgc")
	if err != nil {
		return err
	}
	return w.SetVolumeFree(inst, path, int64(mb)<<20)
}

func shareFree(ctx context.Context, mb int) error {
	return get(ctx).world.SetShareFree(int64(mb) << 20)
}

func serviceCannotWriteShare(ctx context.Context, account, role string) error {
	w, inst, err := instance(ctx, role)
	if err != nil {
		return err
	}
	return w.SetShareAccess(inst, account, true, false)
}

// engineReadNoUserRow checks every running instance's count of user-table
// rows read by the engine's program name (sqlserver.DefaultAppName).
func engineReadNoUserRow(ctx context.Context) error {
	reads, err := get(ctx).world.UserRowsRead(sqlserver.DefaultAppName)
	if err != nil {
		return err
	}
	var bad []string
	for inst, n := range reads {
		if n > 0 {
			bad = append(bad, fmt.Sprintf("%s: %d rows", inst, n))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("the engine read rows of user tables: %s", strings.Join(bad, ", "))
	}
	return nil
}
