package fault

import (
	"context"
	"fmt"
)

// KindLogBackupDuringMirrorInstall is LogBackupDuringMirrorInstall's kind.
const KindLogBackupDuringMirrorInstall Kind = "log-backup-during-mirror-install"

// LogBackupDuringMirrorInstall: the principal's log-shipping backup job
// comes due during the next Install-CsMirrorDatabase of Database, between
// the cmdlet's full backup and its log backup, and runs as its schedule
// would (not if it is disabled). In production this is what a large mgc's
// minutes-long full backup meets whenever log shipping from the principal
// is already configured (world.ArmLogBackupDuringMirrorSetup). Embedded
// worlds only; not schedulable: it is a moment, not a failure to survive.
type LogBackupDuringMirrorInstall struct {
	Database string
}

func (LogBackupDuringMirrorInstall) Kind() Kind              { return KindLogBackupDuringMirrorInstall }
func (LogBackupDuringMirrorInstall) AppliesTo(t Target) bool { return t.Cmdlets }

func (f LogBackupDuringMirrorInstall) Apply(_ context.Context, env *Env) error {
	return env.World.ArmLogBackupDuringMirrorSetup(f.Database)
}

// Undo takes back a due backup the set-up has not met yet.
func (f LogBackupDuringMirrorInstall) Undo(_ context.Context, env *Env) error {
	env.World.DisarmLogBackupDuringMirrorSetup()
	return nil
}

func (f LogBackupDuringMirrorInstall) String() string {
	return fmt.Sprintf("the principal's log-shipping backup job comes due between Install-CsMirrorDatabase's full and log backups of %s", f.Database)
}
