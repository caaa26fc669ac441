package lync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"

	_ "github.com/microsoft/go-mssqldb" // the "sqlserver" driver

	"github.com/pchatdr/harness/failback/sqlserver"
	"github.com/pchatdr/harness/failback/topology"
)

// SQLServers is how the database cmdlets (Get-CsDatabaseMirrorState,
// Invoke-CsDatabaseFailover, Test-CsDatabase, Uninstall-CsMirrorDatabase)
// reach the SQL Server instances the topology names, as the real cmdlets
// do from the Front End: over TDS, every call, so what they report is what
// SQL Server holds (a SET PARTNER OFF done in T-SQL shows at once). Open
// returns a pool on master of the instance whose host is fqdn; an
// instance it cannot reach is the error the cmdlet reports.
type SQLServers interface {
	Open(ctx context.Context, fqdn, instanceName string) (*sql.DB, error)
}

// ErrNoSuchSQLServer is returned by TopologySQL for a host the topology
// has no instance on.
var ErrNoSuchSQLServer = errors.New("no SQL Server instance in the topology")

// TopologySQL is SQLServers over the topology's instances and their
// connection settings (address, login, password secret), through
// go-mssqldb. It reads the topology at each Open, so an address the world
// fills in after start is used. Close closes every pool it opened.
type TopologySQL struct {
	topo func() *topology.Topology

	mu    sync.Mutex
	pools map[string]*sql.DB // by DSN
}

// NewTopologySQL connects through the instances of the topology topo
// returns (a func, so the caller may swap or update the topology).
func NewTopologySQL(topo func() *topology.Topology) *TopologySQL {
	return &TopologySQL{topo: topo, pools: map[string]*sql.DB{}}
}

// Open implements SQLServers.
func (t *TopologySQL) Open(_ context.Context, fqdn, instanceName string) (*sql.DB, error) {
	top := t.topo()
	var in *topology.Instance
	for i := range top.Instances {
		if strings.EqualFold(top.Instances[i].Host, fqdn) {
			in = &top.Instances[i]
			break
		}
	}
	if in == nil {
		return nil, fmt.Errorf("%w: %q", ErrNoSuchSQLServer, fqdn)
	}
	if instanceName != "" {
		_, named, _, err := topology.ParseAddress(in.Address)
		if err != nil || !strings.EqualFold(named, instanceName) {
			return nil, fmt.Errorf("%w: %s\\%s (the topology's instance on %s is %q)", ErrNoSuchSQLServer, fqdn, instanceName, fqdn, in.Address)
		}
	}
	pw, err := in.Password.Resolve()
	if err != nil {
		return nil, fmt.Errorf("sql %s: %w", fqdn, err)
	}
	cfg := sqlserver.Config{Address: in.Address, User: in.User, Password: pw, Database: "master", AppName: "lyncfake",
		Encrypt: in.Encrypt, TrustServerCertificate: in.TrustServerCertificate}
	dsn, err := cfg.DSN()
	if err != nil {
		return nil, fmt.Errorf("sql %s: %w", fqdn, err)
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if db, ok := t.pools[dsn]; ok {
		return db, nil
	}
	db, err := sql.Open("sqlserver", dsn)
	if err != nil {
		return nil, fmt.Errorf("sql %s: %w", fqdn, err)
	}
	db.SetMaxIdleConns(1)
	t.pools[dsn] = db
	return db, nil
}

// Close closes the pools.
func (t *TopologySQL) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var errs []error
	for k, db := range t.pools {
		errs = append(errs, db.Close())
		delete(t.pools, k)
	}
	return errors.Join(errs...)
}

// dbMirroring is one database's row of sys.databases and
// sys.database_mirroring on one instance.
type dbMirroring struct {
	exists      bool
	state       string // sys.databases.state_desc
	role, mstat string // mirroring_role_desc, mirroring_state_desc ("" when not mirrored)
	partner     string
}

const mirroringQuery = `SELECT d.state_desc, m.mirroring_role_desc, m.mirroring_state_desc, m.mirroring_partner_name
FROM sys.databases AS d JOIN sys.database_mirroring AS m ON m.database_id = d.database_id WHERE d.name = @p1`

func readMirroring(ctx context.Context, db *sql.DB, name string) (dbMirroring, error) {
	var st string
	var role, ms, partner sql.NullString
	err := db.QueryRowContext(ctx, mirroringQuery, name).Scan(&st, &role, &ms, &partner)
	if errors.Is(err, sql.ErrNoRows) {
		return dbMirroring{}, nil
	}
	if err != nil {
		return dbMirroring{}, err
	}
	return dbMirroring{exists: true, state: st, role: role.String, mstat: ms.String, partner: partner.String}, nil
}
