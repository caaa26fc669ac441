package mirroring

import (
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sqlerr"
)

// Endpoints is the endpoints feature: CREATE/ALTER/DROP ENDPOINT, GRANT ON
// ENDPOINT and the endpoint catalog views (sys.endpoints,
// sys.tcp_endpoints, sys.database_mirroring_endpoints). A STARTED
// DATABASE_MIRRORING endpoint's listener is the mirroring host's, so the
// two features share one per-instance host.
func Endpoints() engine.Feature {
	return engine.Feature{Name: "endpoints", Install: func(r *engine.Registry) {
		r.InstanceState(hostKey{}, func(inst *engine.Instance) any { return newHost(inst) })
		installEndpointViews(r)
		installEndpointStmts(r)
	}}
}

// Mirroring is the database mirroring feature: ALTER DATABASE SET PARTNER
// and WITNESS, the partners' sessions over the endpoint and the
// engine.MirrorController the instance asks about a database's role.
// Start listens on a STARTED endpoint and reconnects every mirrored
// database; Stop ends them while the logs are still open.
func Mirroring() engine.Feature {
	return engine.Feature{Name: "mirroring", Install: installMirroring, Start: startMirroring, Stop: stopMirroring}
}

// newErr is the SQL Server message n (sqlerr's catalogue).
func newErr(n int32, args ...any) *engine.Error { return sqlerr.New(n, args...) }
