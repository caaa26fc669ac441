package lync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Install-CsMirrorDatabase's SQL Server side, done over TDS as the real
// cmdlet does from the Front End: mirroring endpoints on both partners
// (CONNECT for the other partner's service account when they differ), a
// full and a COPY_ONLY log backup of the principal's database to the file
// share, both restored WITH NORECOVERY on the mirror (replacing a copy
// already there only with -DropExistingDatabasesOnMirror), SET PARTNER on
// the mirror and then on the principal, and a wait until the session is
// SYNCHRONIZED. The partners find each other by host name on port 5022
// (the DNS of the network they run on).

// mirrorEndpointPort is the LISTENER_PORT of the endpoints the cmdlet
// creates and of the partner names (SQL Server's conventional port).
const mirrorEndpointPort = 5022

// mirrorEndpointName is the endpoint created when an instance has none.
const mirrorEndpointName = "Mirroring"

// mirrorSyncTimeout bounds the wait for a SYNCHRONIZED session.
const mirrorSyncTimeout = 60 * time.Second

// installMirrorSQL mirrors req.Database from req.Principal to req.Mirror
// over the SQL Servers; the error is the cmdlet's reason.
func (s *Server) installMirrorSQL(ctx context.Context, req MirrorRequest) error {
	pdb, err := s.sql.Open(ctx, req.Principal, req.SqlInstanceName)
	if err == nil {
		err = pdb.PingContext(ctx)
	}
	if err != nil {
		return fmt.Errorf("cannot connect to SQL Server %q: %w", req.Principal, err)
	}
	mdb, err := s.sql.Open(ctx, req.Mirror, req.SqlInstanceName)
	if err == nil {
		err = mdb.PingContext(ctx)
	}
	if err != nil {
		return fmt.Errorf("cannot connect to SQL Server %q: %w", req.Mirror, err)
	}
	pAcct, err := serviceAccount(ctx, pdb)
	if err != nil {
		return fmt.Errorf("%s: %w", req.Principal, err)
	}
	mAcct, err := serviceAccount(ctx, mdb)
	if err != nil {
		return fmt.Errorf("%s: %w", req.Mirror, err)
	}
	if err := ensureMirrorEndpoint(ctx, pdb, pAcct, mAcct); err != nil {
		return fmt.Errorf("%s: %w", req.Principal, err)
	}
	if err := ensureMirrorEndpoint(ctx, mdb, mAcct, pAcct); err != nil {
		return fmt.Errorf("%s: %w", req.Mirror, err)
	}
	db := req.Database
	m, err := readMirroring(ctx, mdb, db)
	if err != nil {
		return fmt.Errorf("%s: %w", req.Mirror, err)
	}
	// What the mirror holds decides: a database of the same name there
	// (the RESTORING copy a failback leaves) is replaced only with
	// -DropExistingDatabasesOnMirror, which "deletes any existing copies
	// of the mirrored databases from the server acting as the mirror".
	switch {
	case m.exists && m.role != "":
		return fmt.Errorf("database %s on %s is already mirrored", db, req.Mirror)
	case m.exists && !req.DropExisting:
		return fmt.Errorf("database %s already exists on the mirror %s (%s); use -DropExistingDatabasesOnMirror to replace it", db, req.Mirror, m.state)
	}
	var pname string
	if err := pdb.QueryRowContext(ctx, "SELECT CAST(SERVERPROPERTY('ServerName') AS nvarchar(256))").Scan(&pname); err != nil {
		return fmt.Errorf("%s: %w", req.Principal, err)
	}
	base := strings.TrimRight(req.FileShare, `\`) + `\mirror_` + db + "_" + strings.ReplaceAll(pname, `\`, "_")
	full, log := base+".bak", base+".trn"
	q := quoteName(db)
	replace := ""
	if m.exists {
		replace = ", REPLACE"
	}
	// The log backup is COPY_ONLY: a log-shipping chain of the same
	// database keeps its own log backups.
	steps := []struct {
		host string
		db   *sql.DB
		q    string
	}{
		{req.Principal, pdb, "BACKUP DATABASE " + q + " TO DISK = " + nlit(full) + " WITH INIT, FORMAT, CHECKSUM, NAME = " + nlit(db+" mirroring initialisation")},
		{req.Principal, pdb, "BACKUP LOG " + q + " TO DISK = " + nlit(log) + " WITH INIT, FORMAT, CHECKSUM, COPY_ONLY, NAME = " + nlit(db+" mirroring initialisation log")},
		{req.Mirror, mdb, "RESTORE DATABASE " + q + " FROM DISK = " + nlit(full) + " WITH NORECOVERY" + replace},
		{req.Mirror, mdb, "RESTORE LOG " + q + " FROM DISK = " + nlit(log) + " WITH NORECOVERY"},
		{req.Mirror, mdb, "ALTER DATABASE " + q + " SET PARTNER = " + nlit(mirrorPartnerName(req.Principal))},
		{req.Principal, pdb, "ALTER DATABASE " + q + " SET PARTNER = " + nlit(mirrorPartnerName(req.Mirror))},
	}
	for _, st := range steps {
		if _, err := st.db.ExecContext(ctx, st.q); err != nil {
			return fmt.Errorf("%s on %s: %w", st.q, st.host, err)
		}
	}
	wctx, cancel := context.WithTimeout(ctx, mirrorSyncTimeout)
	defer cancel()
	return waitMirrorSynchronized(wctx, pdb, db)
}

// mirrorPartnerName is the partner name SET PARTNER gives for a host.
func mirrorPartnerName(host string) string {
	return fmt.Sprintf("TCP://%s:%d", host, mirrorEndpointPort)
}

// serviceAccount is the account the instance's SQL Server service runs as.
func serviceAccount(ctx context.Context, db *sql.DB) (string, error) {
	var acct sql.NullString
	err := db.QueryRowContext(ctx, "SELECT TOP (1) service_account FROM sys.dm_server_services WHERE servicename LIKE N'SQL Server (%'").Scan(&acct)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return acct.String, err
}

// ensureMirrorEndpoint creates the instance's mirroring endpoint when it
// has none, and lets the partner's service account connect to it when it
// differs from the instance's own (SQL Server's rule for partners running
// under other accounts).
func ensureMirrorEndpoint(ctx context.Context, db *sql.DB, own, partner string) error {
	var ep string
	err := db.QueryRowContext(ctx, "SELECT TOP (1) name FROM sys.database_mirroring_endpoints").Scan(&ep)
	var stmts []string
	switch {
	case errors.Is(err, sql.ErrNoRows):
		ep = mirrorEndpointName
		stmts = append(stmts, fmt.Sprintf("CREATE ENDPOINT %s STATE = STARTED AS TCP (LISTENER_PORT = %d) "+
			"FOR DATABASE_MIRRORING (ROLE = PARTNER, AUTHENTICATION = WINDOWS NEGOTIATE, ENCRYPTION = REQUIRED ALGORITHM AES)", quoteName(ep), mirrorEndpointPort))
	case err != nil:
		return err
	}
	if partner != "" && !strings.EqualFold(partner, own) {
		var logins int
		if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM sys.server_principals WHERE name = @p1", partner).Scan(&logins); err != nil {
			return err
		}
		if logins == 0 {
			stmts = append(stmts, "CREATE LOGIN "+quoteName(partner)+" FROM WINDOWS")
		}
		stmts = append(stmts, "GRANT CONNECT ON ENDPOINT::"+quoteName(ep)+" TO "+quoteName(partner))
	}
	for _, q := range stmts {
		if _, err := db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

// waitMirrorSynchronized polls the principal until db is the principal of
// a SYNCHRONIZED session.
func waitMirrorSynchronized(ctx context.Context, db *sql.DB, name string) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var role, state sql.NullString
	for {
		err := db.QueryRowContext(ctx, "SELECT mirroring_role_desc, mirroring_state_desc FROM sys.database_mirroring WHERE database_id = DB_ID(@p1)", name).Scan(&role, &state)
		if err == nil && role.String == "PRINCIPAL" && state.String == "SYNCHRONIZED" {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("wait for mirroring of %s (role %q, state %q, last error %v): %w", name, role.String, state.String, err, ctx.Err())
		case <-tick.C:
		}
	}
}

// nlit is s as a T-SQL Unicode string literal: a share path from the
// cmdlet's -FileShare stays one literal, whatever quotes it holds.
func nlit(s string) string { return "N'" + strings.ReplaceAll(s, "'", "''") + "'" }
