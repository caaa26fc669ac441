package world

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pchatdr/harness/failback/topology"
	lyncfake "github.com/pchatdr/harness/fakes/lync"
	"github.com/pchatdr/harness/sim/mssql/mirroring"
)

// Database mirroring in the world. Every instance's host name is a fake
// FQDN (sqlpri.dc1.contoso.test) living on 127.0.0.1, so each instance's
// DATABASE_MIRRORING endpoint listens on a loopback port the engine picks
// (engine.Config.EndpointListen 127.0.0.1:0) and the world tells every
// instance where each host's endpoint is (mirroring.MapPartnerHost), as DNS
// would: the partner name TCP://<host>:5022 dials that address. Ports are
// not reserved ahead: a port probed free and bound later can be taken in
// between by any other listener on a busy machine. After a restart the
// endpoint listens on a new port and the world republishes it; partners
// redial through the table and find it.

// endpointPort is the LISTENER_PORT the world's endpoints declare and the
// partner names use (SQL Server's conventional mirroring port).
const endpointPort = 5022

// endpointName is the endpoint the world creates (SSMS's wizard default).
const endpointName = "Mirroring"

// mirrorTimeout bounds how long a new session may take to synchronise.
const mirrorTimeout = 30 * time.Second

// publishEndpoints records inst's endpoint address (when it listens) under
// its host name and hands the whole table to every running instance.
func (w *World) publishEndpoints(inst *Instance) {
	w.partnersMu.Lock()
	defer w.partnersMu.Unlock()
	if inst.srv == nil || inst.srv.Engine() == nil {
		return // containers resolve partner names through the network's DNS
	}
	if inst.host != "" {
		if addr := mirroring.EndpointAddr(inst.srv.Engine()); addr != "" {
			w.partners[strings.ToLower(inst.host)] = addr
			if short, _, ok := strings.Cut(inst.host, "."); ok {
				w.partners[strings.ToLower(short)] = addr // @@SERVERNAME-style partner names
			}
		}
	}
	all := append(w.allInstances(), inst) // not yet registered on its first start
	for _, i := range all {
		if i.srv == nil || i.srv.Engine() == nil {
			continue
		}
		e := i.srv.Engine()
		for h, a := range w.partners {
			mirroring.MapPartnerHost(e, h, w.mirrorAddr(i.dataCenter, h, a)) // across the WAN link when h is in another data center
		}
	}
}

// partnerName is the name SET PARTNER gives for an instance.
func partnerName(in *topology.Instance) string {
	host := in.Host
	if host == "" {
		host = in.Name
	}
	return "TCP://" + host + ":" + strconv.Itoa(endpointPort)
}

// storeInstance is the instance holding db for a role: mgc on the role's
// instance, mgccomp on the role's compliance instance (the same one unless
// the topology has dedicated compliance instances).
func (w *World) storeInstance(db string, role topology.Role) (*topology.Instance, bool) {
	if db == "mgccomp" {
		return w.Topology.ComplianceInstance(role)
	}
	return w.Topology.InstanceByRole(role)
}

// ConfigureMirroring sets up database mirroring of the Persistent Chat
// stores from the principalRole instance to the mirrorRole instance as a
// DBA does before a disaster (reference §2.2): mgc, and mgccomp when
// compliance is on. Each store: endpoints on both instances, CONNECT for
// the other partner's service account when they differ, a full and a log
// backup on the principal through the share, both restored WITH
// NORECOVERY on the mirror, SET PARTNER on the mirror and then on the
// principal, and a wait until the session is SYNCHRONIZED.
func (w *World) ConfigureMirroring(ctx context.Context, principalRole, mirrorRole topology.Role) error {
	dbs := []string{"mgc"}
	if w.Topology.Compliance {
		dbs = append(dbs, "mgccomp")
	}
	for _, db := range dbs {
		p, pok := w.storeInstance(db, principalRole)
		m, mok := w.storeInstance(db, mirrorRole)
		if !pok || !mok {
			if db == "mgc" {
				return fmt.Errorf("world: mirroring %s: the topology has no %s or no %s instance", db, principalRole, mirrorRole)
			}
			w.Timeline.Add("world", "mirroring", fmt.Sprintf("%s not mirrored: no compliance instance for %s and %s", db, principalRole, mirrorRole), nil)
			continue
		}
		if err := w.mirrorDatabase(ctx, db, p, m, false); err != nil {
			return err
		}
	}
	return nil
}

// installMirror is the fake endpoint's Install-CsMirrorDatabase: the same
// setup between the SQL stores the published topology names.
func (w *World) installMirror(ctx context.Context, req lyncfake.MirrorRequest) error {
	if req.SqlInstanceName != "" {
		return fmt.Errorf("SQL Server instance %q not found on %s: the world's instances are default instances", req.SqlInstanceName, req.Principal)
	}
	if !strings.EqualFold(req.FileShare, w.Topology.Share.UNC) {
		// The one share every instance mounts; any other path fails in
		// BACKUP with the simulator's own error, which is what we want.
		w.Timeline.Add("lync", "mirror", fmt.Sprintf("Install-CsMirrorDatabase uses file share %s, not the topology's %s", req.FileShare, w.Topology.Share.UNC), nil)
	}
	p, ok := w.instanceByHost(req.Principal)
	if !ok {
		return fmt.Errorf("no SQL Server %s in the deployment", req.Principal)
	}
	m, ok := w.instanceByHost(req.Mirror)
	if !ok {
		return fmt.Errorf("no SQL Server %s in the deployment", req.Mirror)
	}
	// The cmdlet runs on the front end (where the engine's remote
	// PowerShell lands, as the other database cmdlets do: their SQL goes to
	// the topology's addresses, seen from there), so its statements to an
	// instance in another data center cross the link.
	return w.mirrorDatabaseVia(ctx, req.Database, p, m, req.DropExisting, req.FileShare, w.frontEndDC)
}

func (w *World) instanceByHost(host string) (*topology.Instance, bool) {
	for i := range w.Topology.Instances {
		in := &w.Topology.Instances[i]
		if strings.EqualFold(in.Host, host) {
			return in, true
		}
	}
	return nil, false
}

func (w *World) mirrorDatabase(ctx context.Context, db string, p, m *topology.Instance, dropExisting bool) error {
	return w.mirrorDatabaseVia(ctx, db, p, m, dropExisting, w.Topology.Share.UNC, "")
}

// mirrorDatabaseVia mirrors db from p to m through share, its statements
// sent from data center from (over the link to an instance elsewhere; ""
// dials the instances directly, as the world's own setup does).
func (w *World) mirrorDatabaseVia(ctx context.Context, db string, p, m *topology.Instance, dropExisting bool, share, from string) (err error) {
	what := fmt.Sprintf("mirror %s from %s to %s", db, p.Name, m.Name)
	defer func() {
		w.Timeline.Add("world", "mirroring", what, err)
		if err != nil {
			err = fmt.Errorf("world: %s: %w", what, err)
		}
	}()
	pi, ok := w.Instance(p.Name)
	if !ok || !pi.Up() {
		return fmt.Errorf("the principal %s is not running", p.Name)
	}
	mi, ok := w.Instance(m.Name)
	if !ok || !mi.Up() {
		return fmt.Errorf("the mirror %s is not running", m.Name)
	}
	pdb, err := w.DBFrom(from, pi, "master")
	if err != nil {
		return err
	}
	mdb, err := w.DBFrom(from, mi, "master")
	if err != nil {
		return err
	}
	if err := w.ensureEndpoint(ctx, pi, pdb, m.ServiceAccount); err != nil {
		return err
	}
	if err := w.ensureEndpoint(ctx, mi, mdb, p.ServiceAccount); err != nil {
		return err
	}
	var state string
	var mirrored bool
	err = mdb.QueryRowContext(ctx, "SELECT d.state_desc, CASE WHEN dm.mirroring_guid IS NULL THEN 0 ELSE 1 END FROM sys.databases AS d "+
		"JOIN sys.database_mirroring AS dm ON dm.database_id = d.database_id WHERE d.name = @p1", db).Scan(&state, &mirrored)
	exists := err == nil
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return err
	}
	// What the mirror instance holds decides, never what the caller sent:
	// a database of the same name there (the RESTORING copy every failback
	// leaves on the backup-mirror) is replaced only with
	// -DropExistingDatabasesOnMirror, whose help says it "deletes any
	// existing copies of the mirrored databases from the server acting as
	// the mirror before new data is copied". Without it the cmdlet's exact
	// error is undocumented; the stricter behaviour is chosen: refuse, name
	// the database, its state and the switch (the restore of the new full
	// backup over a RESTORING copy of the same family could otherwise
	// succeed and hide the engine's mistake).
	switch {
	case exists && mirrored:
		return fmt.Errorf("database %s on %s is already mirrored", db, m.Name)
	case exists && !dropExisting:
		return fmt.Errorf("database %s already exists on the mirror %s (%s); use -DropExistingDatabasesOnMirror to replace it", db, m.Name, state)
	}
	base := strings.TrimRight(share, `\`) + `\mirror_` + db + "_" + serverName(p)
	full, log := base+".bak", base+".trn"
	q := quoteName(db)
	replace := ""
	if exists {
		replace = ", REPLACE"
	}
	// The log backup is COPY_ONLY: it must not break a log-shipping chain
	// of the same database (the LS backup job owns the log chain).
	steps := []struct {
		inst *Instance
		db   *sql.DB
		q    string
	}{
		{pi, pdb, "BACKUP DATABASE " + q + " TO DISK = " + nlit(full) + " WITH INIT, FORMAT, CHECKSUM, NAME = " + nlit(db+" mirroring initialisation")},
		{pi, pdb, "BACKUP LOG " + q + " TO DISK = " + nlit(log) + " WITH INIT, FORMAT, CHECKSUM, COPY_ONLY, NAME = " + nlit(db+" mirroring initialisation log")},
		{mi, mdb, "RESTORE DATABASE " + q + " FROM DISK = " + nlit(full) + " WITH NORECOVERY" + replace},
		{mi, mdb, "RESTORE LOG " + q + " FROM DISK = " + nlit(log) + " WITH NORECOVERY"},
		{mi, mdb, "ALTER DATABASE " + q + " SET PARTNER = " + nlit(partnerName(p))},
		{pi, pdb, "ALTER DATABASE " + q + " SET PARTNER = " + nlit(partnerName(m))},
	}
	for i, s := range steps {
		if _, err := s.db.ExecContext(ctx, s.q); err != nil {
			w.Timeline.Add(s.inst.Name, "sql", s.q, err)
			return fmt.Errorf("%s: %w", s.q, err)
		}
		w.Timeline.Add(s.inst.Name, "sql", s.q, nil)
		if i == 0 { // the full backup is taken: a log-shipping backup may come due now
			if err := w.runDueLogBackup(ctx, db, p); err != nil {
				return fmt.Errorf("log-shipping backup due after the full backup: %w", err)
			}
		}
	}
	wctx, cancel := context.WithTimeout(ctx, mirrorTimeout)
	defer cancel()
	return waitSynchronized(wctx, pdb, db)
}

// waitSynchronized polls sys.database_mirroring on the principal until db
// is the principal of a SYNCHRONIZED session, as a DBA watching the
// mirroring monitor does (the same on every target).
func waitSynchronized(ctx context.Context, master *sql.DB, db string) error {
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	var role, state sql.NullString
	for {
		err := master.QueryRowContext(ctx, "SELECT mirroring_role_desc, mirroring_state_desc FROM sys.database_mirroring WHERE database_id = DB_ID(@p1)", db).Scan(&role, &state)
		if err == nil && role.String == "PRINCIPAL" && state.String == "SYNCHRONIZED" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for mirroring of %s (role %q, state %q, last error %v): %w", db, role.String, state.String, err, ctx.Err())
		case <-tick.C:
		}
	}
}

// ensureEndpoint creates the instance's mirroring endpoint when it has
// none, and lets the other partner's service account connect to it when
// that account differs from this instance's (SQL Server's rule: a partner
// running under another account needs a login with CONNECT).
func (w *World) ensureEndpoint(ctx context.Context, inst *Instance, master *sql.DB, partnerAccount string) error {
	var n int
	if err := master.QueryRowContext(ctx, "SELECT COUNT(*) FROM sys.database_mirroring_endpoints").Scan(&n); err != nil {
		return err
	}
	var stmts []string
	if n == 0 {
		stmts = append(stmts, fmt.Sprintf("CREATE ENDPOINT %s STATE = STARTED AS TCP (LISTENER_PORT = %d) "+
			"FOR DATABASE_MIRRORING (ROLE = PARTNER, AUTHENTICATION = WINDOWS NEGOTIATE, ENCRYPTION = REQUIRED ALGORITHM AES)", quoteName(endpointName), endpointPort))
	}
	if partnerAccount != "" && !strings.EqualFold(partnerAccount, inst.cfg.ServiceAccount) {
		var logins int
		if err := master.QueryRowContext(ctx, "SELECT COUNT(*) FROM sys.server_principals WHERE name = @p1", partnerAccount).Scan(&logins); err != nil {
			return err
		}
		if logins == 0 {
			stmts = append(stmts, "CREATE LOGIN "+quoteName(partnerAccount)+" FROM WINDOWS")
		}
		ep, err := w.endpointOf(ctx, master)
		if err != nil {
			return err
		}
		stmts = append(stmts, "GRANT CONNECT ON ENDPOINT::"+quoteName(ep)+" TO "+quoteName(partnerAccount))
	}
	for _, q := range stmts {
		if _, err := master.ExecContext(ctx, q); err != nil {
			w.Timeline.Add(inst.Name, "sql", q, err)
			return fmt.Errorf("%s: %w", q, err)
		}
		w.Timeline.Add(inst.Name, "sql", q, nil)
	}
	w.publishEndpoints(inst)
	return nil
}

// endpointOf is the name of the instance's mirroring endpoint (the world's
// own unless one existed before).
func (w *World) endpointOf(ctx context.Context, master *sql.DB) (string, error) {
	var name string
	err := master.QueryRowContext(ctx, "SELECT TOP (1) name FROM sys.database_mirroring_endpoints").Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		return endpointName, nil
	}
	return name, err
}

// Mirroring is a database's mirroring as sys.database_mirroring shows it on
// one instance ("" role: not mirrored).
type Mirroring struct {
	Role, State, Partner string
}

// MirroringOf reads db's mirroring on the instance with the given role.
func (w *World) MirroringOf(ctx context.Context, role topology.Role, db string) (Mirroring, error) {
	inst, master, err := w.masterByRole(role)
	if err != nil {
		return Mirroring{}, err
	}
	var r, s, p sql.NullString
	err = master.QueryRowContext(ctx, "SELECT mirroring_role_desc, mirroring_state_desc, mirroring_partner_name FROM sys.database_mirroring WHERE database_id = DB_ID(@p1)", db).Scan(&r, &s, &p)
	if errors.Is(err, sql.ErrNoRows) {
		return Mirroring{}, fmt.Errorf("world: no database %s on %s", db, inst.Name)
	}
	if err != nil {
		return Mirroring{}, fmt.Errorf("world: mirroring of %s on %s: %w", db, inst.Name, err)
	}
	return Mirroring{Role: r.String, State: s.String, Partner: p.String}, nil
}

func quoteName(s string) string { return "[" + strings.ReplaceAll(s, "]", "]]") + "]" }

// nlit is s as a T-SQL Unicode string literal: a share path or name taken
// from the topology or a cmdlet's parameters stays one literal, whatever
// quotes it holds (securitytest's hostile names).
func nlit(s string) string { return "N'" + strings.ReplaceAll(s, "'", "''") + "'" }
