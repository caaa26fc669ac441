// Package sqlrules is one table of SQL Server's rules the failback meets,
// stated over the engine's own view of SQL Server (failback.SQL), so that
// the same table runs against every model of SQL Server the project has:
// the in-memory model (failback/memory) in its tests, and the simulator
// over TDS (rulestest). Two models of one product drift unless one table
// checks both; this is go-mysql-server's enginetest shape (one table of
// scripts, a harness per engine).
//
// Every rule starts from the state the failback starts from: the pool
// failed over to the backup data center (the backup mgc and mgccomp
// principal of a mirroring session with the backup-mirror instance, chat
// servers connected to the backup mgc) and the primary data center
// rebuilt (empty stores from Topology Builder).
package sqlrules

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/sqlserver"
	"github.com/pchatdr/harness/sqlerr"
)

// Deployment is a fresh failed-over deployment, as a rule sees it.
type Deployment interface {
	// SQL is the engine's connection to a topology instance (by name, as
	// topologies/embedded.yaml names them).
	SQL(instance string) failback.SQL
	// Share is the log-shipping share's UNC path, writable by every
	// instance's service account.
	Share() string
	// NonSysadmin is a connection to the instance as a login that is a
	// member of no server role (the deployment creates it); SQL keeps
	// connecting as the engine's sysadmin login.
	NonSysadmin(instance string) failback.SQL
}

// Rule is one refusal: what to do, and the SQL Server error numbers it
// must fail with, in order.
type Rule struct {
	Name string
	Do   func(ctx context.Context, d Deployment) error
	Want []int32
}

// Instance names of topologies/embedded.yaml.
const (
	primary      = "sql-primary"
	backup       = "sql-backup"
	backupMirror = "sql-backup-mirror"
)

// Rules is the table. Numbers and texts are SQL Server's (sqlerr); see
// reference/procedure-and-sql.md §8.
var Rules = []Rule{
	{"unmirror twice (1416)", func(ctx context.Context, d Deployment) error {
		if err := d.SQL(backup).RemoveMirroring(ctx, "mgc"); err != nil {
			return err
		}
		return d.SQL(backup).RemoveMirroring(ctx, "mgc")
	}, []int32{sqlerr.NotMirrored, sqlerr.AlterDatabaseFailed}},
	{"backup of a mirror (954)", func(ctx context.Context, d Deployment) error {
		_, err := d.SQL(backupMirror).BackupDatabase(ctx, failback.BackupSpec{Database: "mgc", Path: d.Share() + `\m.bak`, Name: "n"})
		return err
	}, []int32{sqlerr.DatabaseIsMirror, sqlerr.BackupRestoreAborted}},
	{"backup to an unknown folder (3201)", func(ctx context.Context, d Deployment) error {
		_, err := d.SQL(backup).BackupDatabase(ctx, failback.BackupSpec{Database: "mgc", Path: `\\nowhere\x\m.bak`, Name: "n"})
		return err
	}, []int32{sqlerr.BackupDeviceOpen, sqlerr.BackupRestoreAborted}},
	{"restore over a mirrored database (3104)", func(ctx context.Context, d Deployment) error {
		if _, err := d.SQL(primary).BackupDatabase(ctx, failback.BackupSpec{Database: "mgc", Path: d.Share() + `\p.bak`, Name: "n"}); err != nil {
			return err
		}
		return d.SQL(backup).RestoreDatabase(ctx, failback.RestoreSpec{Database: "mgc", Path: d.Share() + `\p.bak`, File: 1, Replace: true})
	}, []int32{sqlerr.RestoreMirrored, sqlerr.BackupRestoreAborted}},
	{"restore with chat sessions (3101)", func(ctx context.Context, d Deployment) error {
		if err := d.SQL(backup).RemoveMirroring(ctx, "mgc"); err != nil {
			return err
		}
		if _, err := d.SQL(primary).BackupDatabase(ctx, failback.BackupSpec{Database: "mgc", Path: d.Share() + `\p.bak`, Name: "n"}); err != nil {
			return err
		}
		return d.SQL(backup).RestoreDatabase(ctx, failback.RestoreSpec{Database: "mgc", Path: d.Share() + `\p.bak`, File: 1, Replace: true})
	}, []int32{sqlerr.DatabaseInUse, sqlerr.BackupRestoreAborted}},
	{"restore without REPLACE (3154)", func(ctx context.Context, d Deployment) error {
		if _, err := d.SQL(backup).BackupDatabase(ctx, failback.BackupSpec{Database: "mgc", Path: d.Share() + `\b.bak`, Name: "n"}); err != nil {
			return err
		}
		return d.SQL(primary).RestoreDatabase(ctx, failback.RestoreSpec{Database: "mgc", Path: d.Share() + `\b.bak`, File: 1, Recovery: true})
	}, []int32{sqlerr.BackupOfOtherDatabase, sqlerr.BackupRestoreAborted}},
	{"unknown job (14262)", func(ctx context.Context, d Deployment) error {
		return d.SQL(primary).StartJob(ctx, "nope")
	}, []int32{sqlerr.AgentObjectNotFound}},
	{"recover a missing database (3118)", func(ctx context.Context, d Deployment) error {
		return d.SQL(backup).RecoverDatabase(ctx, "nope")
	}, []int32{sqlerr.RestoreDatabaseNotFound, sqlerr.BackupRestoreAborted}},
	{"recover a mirrored database (3104)", func(ctx context.Context, d Deployment) error {
		return d.SQL(backup).RecoverDatabase(ctx, "mgc")
	}, []int32{sqlerr.RestoreMirrored, sqlerr.BackupRestoreAborted}},
	{"recover an online database (3153)", func(ctx context.Context, d Deployment) error {
		return d.SQL(primary).RecoverDatabase(ctx, "mgc")
	}, []int32{sqlerr.AlreadyRecovered, sqlerr.BackupRestoreAborted}},
	{"kill an unknown session (6106)", func(ctx context.Context, d Deployment) error {
		return d.SQL(backup).KillSession(ctx, 999)
	}, []int32{sqlerr.ProcessNotActive}},
	{"remove the secondary the failover removed (32014)", func(ctx context.Context, d Deployment) error {
		return d.SQL(backup).RemoveLogShippingSecondary(ctx, "mgc")
	}, []int32{sqlerr.LSNotSecondary}},
	{"unmirror a database that is not mirrored (1416)", func(ctx context.Context, d Deployment) error {
		return d.SQL(primary).RemoveMirroring(ctx, "mgc")
	}, []int32{sqlerr.NotMirrored, sqlerr.AlterDatabaseFailed}},
	// Issue 12, defect 5: the failback's statements need sysadmin.
	{"a login that is not sysadmin reads so and may not BACKUP (262)", func(ctx context.Context, d Deployment) error {
		if li, err := d.SQL(backup).Login(ctx); err != nil || !li.Sysadmin {
			return fmt.Errorf("the engine's login %+v (%v) is not sysadmin", li, err)
		}
		s := d.NonSysadmin(backup)
		li, err := s.Login(ctx)
		if err != nil {
			return err
		}
		if li.Sysadmin || li.Name == "" {
			return fmt.Errorf("login %+v: want a named login that is not sysadmin", li)
		}
		_, err = s.BackupDatabase(ctx, failback.BackupSpec{Database: "mgc", Path: d.Share() + `\n.bak`, Name: "n"})
		return err
	}, []int32{sqlerr.PermissionDenied, sqlerr.BackupRestoreAborted}},
	{"restore by a login that is not sysadmin (3110)", func(ctx context.Context, d Deployment) error {
		if _, err := d.SQL(backup).BackupDatabase(ctx, failback.BackupSpec{Database: "mgc", Path: d.Share() + `\b.bak`, Name: "n"}); err != nil {
			return err
		}
		return d.NonSysadmin(primary).RestoreDatabase(ctx, failback.RestoreSpec{Database: "mgc", Path: d.Share() + `\b.bak`, File: 1, Replace: true, Recovery: true})
	}, []int32{sqlerr.RestorePermissionDenied, sqlerr.BackupRestoreAborted}},
	{"unmirror by a login that is not sysadmin (5011)", func(ctx context.Context, d Deployment) error {
		return d.NonSysadmin(backup).RemoveMirroring(ctx, "mgc")
	}, []int32{sqlerr.AlterDatabaseDenied, sqlerr.AlterDatabaseFailed}},
	{"a log-shipping procedure run by a login that is not sysadmin (15247)", func(ctx context.Context, d Deployment) error {
		return d.NonSysadmin(primary).AddLogShippingAlertJob(ctx)
	}, []int32{sqlerr.NoPermissionForAction}},
}

// Run runs every rule as a subtest, each on a fresh deployment.
func Run(t *testing.T, fresh func(t *testing.T) Deployment) {
	for _, r := range Rules {
		t.Run(r.Name, func(t *testing.T) {
			err := r.Do(t.Context(), fresh(t))
			if got := sqlserver.SQLErrorNumbers(err); !slices.Equal(got, r.Want) {
				t.Fatalf("error numbers %v (%v), want %v", got, err, r.Want)
			}
		})
	}
}
