// Package features is the list of features a simulated SQL Server instance
// is built from. It sits outside sim/mssql/engine so that features living in
// packages of their own (which import the engine) can be wired in without an
// import cycle, as go-mysql-server's engine is given its binlog replication
// and event scheduler from outside.
package features

import (
	"github.com/pchatdr/harness/sim/mssql/backup"
	"github.com/pchatdr/harness/sim/mssql/capacity"
	"github.com/pchatdr/harness/sim/mssql/catalog"
	"github.com/pchatdr/harness/sim/mssql/databases"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/mirroring"
	"github.com/pchatdr/harness/sim/mssql/modules"
	"github.com/pchatdr/harness/sim/mssql/msdb"
	"github.com/pchatdr/harness/sim/mssql/security"
	"github.com/pchatdr/harness/sim/mssql/sysprocs"
)

// Default is every feature of the simulated SQL Server, in the order they
// are installed and started. Catalog views get their object_id from this
// order, so a new feature goes at the end; msdb's log-shipping tables exist
// before the Agent starts, and the Agent creates its tables before the
// backup history is read.
func Default() []engine.Feature {
	return []engine.Feature{
		catalog.Catalog(),
		sysprocs.Procedures(),
		backup.Files(),
		security.Logins(),
		mirroring.Endpoints(),
		msdb.LogShipping(),
		msdb.Agent(),
		mirroring.Mirroring(),
		backup.Backup(),
		backup.Restore(),
		capacity.Capacity(),
		catalog.ClientCatalog(),
		catalog.CompatibilityViews(),
		msdb.LogShippingAlert(),
		// User procedures and views, sp_configure, sp_help_job, sp_help
		// (issue 14): ahead of security so its checks wrap them too.
		catalog.WithModuleViews(modules.Modules()),
		sysprocs.Config(),
		msdb.AgentHelp(),
		catalog.SpHelp(),
		// Database DDL (issue 13 moved it out of the engine's core); it
		// installs no view.
		databases.Databases(),
		// Last: its permission checks wrap the statements, procedures
		// and ALTER DATABASE options the features above installed.
		security.Security(),
	}
}
