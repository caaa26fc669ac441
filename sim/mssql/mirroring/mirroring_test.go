package mirroring_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/features"
	"github.com/pchatdr/harness/sim/mssql/hostfs"
	"github.com/pchatdr/harness/sim/mssql/mirroring"
)

// mirrorPair is two instances with started mirroring endpoints that know
// each other's fake host names.
type mirrorPair struct {
	p, m         *engine.Instance
	pDir, mDir   string
	share        string
	ps, ms       *engine.Session
	pName, mName string
}

// mirrorConfig configures a test instance; share, when set, is mounted as
// \\files\share for everyone (backup and restore between the partners).
func mirrorConfig(name, dir string, share ...string) engine.Config {
	var logf func(string, ...any)
	if os.Getenv("MIRROR_DEBUG") != "" {
		logf = func(f string, a ...any) { fmt.Fprintf(os.Stderr, name+": "+f+"\n", a...) }
	}
	cfg := engine.Config{Name: name, DataDir: dir, SAPassword: "Pa55w.rd!", NoSync: true, Logf: logf,
		ServiceAccount: `CONTOSO\sqlsvc`, EndpointListen: "127.0.0.1:0", MirrorRetry: 20 * time.Millisecond,
		Features: features.Default()}
	if len(share) > 0 {
		cfg.Files = &hostfs.Config{Mounts: []hostfs.Mount{{Prefix: `\\files\share`, Host: share[0]}},
			Rules: []hostfs.Rule{{Account: "*", Prefix: `\\files\share`, Access: hostfs.ReadWrite}}}
	}
	return cfg
}

func newMirrorInstance(t *testing.T, name, dir string, share ...string) *engine.Instance {
	t.Helper()
	inst, err := engine.New(mirrorConfig(name, dir, share...))
	if err != nil {
		t.Fatalf("New %s: %v", name, err)
	}
	return inst
}

const createEndpoint = `CREATE ENDPOINT Mirroring STATE = STARTED AS TCP (LISTENER_PORT = 5022)
	FOR DATABASE_MIRRORING (ROLE = PARTNER, AUTHENTICATION = WINDOWS NEGOTIATE, ENCRYPTION = REQUIRED ALGORITHM AES)`

func newMirrorPair(t *testing.T) *mirrorPair {
	t.Helper()
	mp := &mirrorPair{pDir: t.TempDir(), mDir: t.TempDir(), share: t.TempDir(), pName: "TCP://primary.contoso.local:5022", mName: "TCP://mirror.contoso.local:5022"}
	mp.p = newMirrorInstance(t, "PRIMARY", mp.pDir, mp.share)
	mp.m = newMirrorInstance(t, "MIRROR", mp.mDir, mp.share)
	t.Cleanup(func() { mp.p.Close(); mp.m.Close() })
	mp.ps, mp.ms = login(t, mp.p, "test"), login(t, mp.m, "test")
	mustRun(t, mp.ps, createEndpoint)
	mustRun(t, mp.ms, createEndpoint)
	mp.mapHosts()
	return mp
}

// mapHosts gives both instances the same host table, as a world does.
func (mp *mirrorPair) mapHosts() {
	for _, inst := range []*engine.Instance{mp.p, mp.m} {
		mirroring.MapPartnerHost(inst, "primary.contoso.local", mirroring.EndpointAddr(mp.p))
		mirroring.MapPartnerHost(inst, "mirror.contoso.local", mirroring.EndpointAddr(mp.m))
	}
}

// seedMirror copies the principal's committed state to the mirror instance
// as a RESTORING database continuing the principal's LSNs (what RESTORE
// DATABASE ... WITH NORECOVERY does).
func seedMirror(t *testing.T, from, to *engine.Instance, name string) {
	t.Helper()
	src := from.DB(name)
	lsn, state := src.CommittedState()
	pm := src.Meta()
	ls := src.LogState()
	ls.Offset = int64(lsn) + ls.Offset - 1
	meta := engine.DBMeta{Name: name, State: engine.StateRestoring, Recovery: pm.Recovery, Created: pm.Created, FamilyGUID: pm.FamilyGUID}
	engine.PutLogState(&meta, ls)
	if _, err := to.ReplaceDatabase(context.Background(), meta, state); err != nil {
		t.Fatalf("seed mirror: %v", err)
	}
	if got, want := to.DB(name).NextLSN(), from.DB(name).NextLSN(); got != want {
		t.Fatalf("seeded mirror next LSN %s, principal %s", got, want)
	}
}

func wantErrs(t *testing.T, s *engine.Session, sql string, want ...int32) *recorder {
	t.Helper()
	r := run(t, s, sql)
	if got := r.ErrNums(); !slices.Equal(got, want) {
		t.Fatalf("%s: errors %v, want %v (%v)", sql, got, want, r.Errors())
	}
	return r
}

func waitState(t *testing.T, inst *engine.Instance, db string, role engine.MirrorRole, state string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := mirroring.Wait(ctx, inst, db, func(s mirroring.Status) bool { return s.Role == role && s.State == state }); err != nil {
		t.Fatalf("%s: %v", inst.Name(), err)
	}
}

func mscalar(t *testing.T, s *engine.Session, sql string) string {
	t.Helper()
	r := mustRun(t, s, sql)
	set := r.Last()
	if set == nil || len(set.Rows) != 1 {
		t.Fatalf("%s: want one row", sql)
	}
	return fmtRow(set.Rows[0], set.Cols)
}

// establish sets up mirroring of a fresh database mgc with rows rows.
func (mp *mirrorPair) establish(t *testing.T, rows int) {
	t.Helper()
	mustRun(t, mp.ps, `CREATE DATABASE mgc`)
	mustRun(t, mp.ps, `CREATE TABLE mgc.dbo.msg (id int PRIMARY KEY, body nvarchar(50))`)
	for i := 1; i <= rows; i++ {
		mustRun(t, mp.ps, fmt.Sprintf(`INSERT INTO mgc.dbo.msg VALUES (%d, N'before %d')`, i, i))
	}
	// The mirror is restored WITH NORECOVERY from a full backup; work
	// after the backup reaches it from the principal's log.
	mustRun(t, mp.ps, `BACKUP DATABASE mgc TO DISK = N'\\files\share\mgc.bak' WITH INIT`)
	mustRun(t, mp.ps, `INSERT INTO mgc.dbo.msg VALUES (1000, N'after seed')`)
	mustRun(t, mp.ms, `RESTORE DATABASE mgc FROM DISK = N'\\files\share\mgc.bak' WITH NORECOVERY`)
	mustRun(t, mp.ms, `ALTER DATABASE mgc SET PARTNER = '`+mp.pName+`'`)
	mustRun(t, mp.ps, `ALTER DATABASE mgc SET PARTNER = '`+mp.mName+`'`)
	waitState(t, mp.p, "mgc", engine.MirrorRolePrincipal, "SYNCHRONIZED")
	waitState(t, mp.m, "mgc", engine.MirrorRoleMirror, "SYNCHRONIZED")
}

func TestMirroringFailoverInProcess(t *testing.T) {
	mp := newMirrorPair(t)
	mp.establish(t, 5)

	// Synchronous commits: rows committed on the principal are on the mirror.
	for i := 6; i <= 20; i++ {
		mustRun(t, mp.ps, fmt.Sprintf(`INSERT INTO mgc.dbo.msg VALUES (%d, N'mirrored %d')`, i, i))
	}
	wantErrs(t, mp.ms, `USE mgc`, 954)
	wantErrs(t, mp.ms, `SELECT * FROM mgc.dbo.msg`, 954)
	got := mscalar(t, mp.ps, `SELECT mirroring_role_desc, mirroring_state_desc, mirroring_safety_level_desc, mirroring_partner_name, mirroring_partner_instance, mirroring_connection_timeout
		FROM sys.database_mirroring WHERE database_id = DB_ID('mgc')`)
	if want := "PRINCIPAL|SYNCHRONIZED|FULL|" + mp.mName + "|MIRROR|10"; got != want {
		t.Fatalf("principal row %q, want %q", got, want)
	}
	got = mscalar(t, mp.ms, `SELECT m.mirroring_role_desc, m.mirroring_state_desc, m.mirroring_partner_name, d.state_desc
		FROM sys.database_mirroring m JOIN sys.databases d ON d.database_id = m.database_id WHERE d.name = 'mgc'`)
	if want := "MIRROR|SYNCHRONIZED|" + mp.pName + "|RESTORING"; got != want {
		t.Fatalf("mirror row %q, want %q", got, want)
	}
	if got := mscalar(t, mp.ps, `SELECT COUNT(*) FROM sys.database_mirroring WHERE mirroring_guid IS NULL`); got != "4" {
		t.Fatalf("unmirrored databases with NULL mirroring columns: %s, want 4", got)
	}

	// Safety and timeout are principal-only (1470 on the mirror).
	wantErrs(t, mp.ms, `ALTER DATABASE mgc SET PARTNER SAFETY OFF`, 1470, 5069)
	wantErrs(t, mp.ms, `ALTER DATABASE mgc SET PARTNER FAILOVER`, 1470, 5069)
	wantErrs(t, mp.ps, `ALTER DATABASE mgc SET PARTNER FORCE_SERVICE_ALLOW_DATA_LOSS`, 1455, 5069)
	wantErrs(t, mp.ps, `ALTER DATABASE mgc SET PARTNER = '`+mp.mName+`'`, 1405, 5069)
	// A mirrored database keeps FULL recovery and cannot be dropped.
	wantErrs(t, mp.ps, `ALTER DATABASE mgc SET RECOVERY SIMPLE`, 1468, 5069)
	wantErrs(t, mp.ps, `USE master; DROP DATABASE mgc`, 3743)
	mustRun(t, mp.ps, `ALTER DATABASE mgc SET PARTNER TIMEOUT 2`)
	if got := mscalar(t, mp.ps, `SELECT mirroring_connection_timeout FROM sys.database_mirroring WHERE database_id = DB_ID('mgc')`); got != "5" {
		t.Fatalf("timeout 2 became %s, want 5", got)
	}

	// Failover: the mirror becomes the principal with every row.
	user := login(t, mp.p, "chat")
	mustRun(t, user, `USE mgc`)
	mustRun(t, mp.ps, `ALTER DATABASE mgc SET PARTNER FAILOVER`)
	if !user.Killed() {
		t.Fatal("a user of the old principal survived the failover")
	}
	waitState(t, mp.m, "mgc", engine.MirrorRolePrincipal, "SYNCHRONIZED")
	if got := mscalar(t, mp.ms, `SELECT COUNT(*), MAX(id) FROM mgc.dbo.msg`); got != "21|1000" {
		t.Fatalf("rows on the new principal: %s, want 21|1000", got)
	}
	wantErrs(t, mp.ps, `USE mgc`, 954)

	// The new principal ships to the old one; fail back and read there.
	mustRun(t, mp.ms, `INSERT INTO mgc.dbo.msg VALUES (2000, N'written on the mirror')`)
	waitState(t, mp.p, "mgc", engine.MirrorRoleMirror, "SYNCHRONIZED")
	mustRun(t, mp.ms, `ALTER DATABASE mgc SET PARTNER FAILOVER`)
	waitState(t, mp.p, "mgc", engine.MirrorRolePrincipal, "SYNCHRONIZED")
	if got := mscalar(t, mp.ps, `SELECT body FROM mgc.dbo.msg WHERE id = 2000`); got != "written on the mirror" {
		t.Fatalf("failed-back principal has %q", got)
	}
	if got := mscalar(t, mp.ps, `SELECT mirroring_role_sequence FROM sys.database_mirroring WHERE database_id = DB_ID('mgc')`); got != "3" {
		t.Fatalf("role sequence %s, want 3", got)
	}

	// Remove mirroring on the principal while connected: both sides drop
	// the metadata at once, the mirror stays RESTORING (927 now, not 954).
	mustRun(t, mp.ps, `ALTER DATABASE mgc SET PARTNER OFF`)
	waitState(t, mp.m, "mgc", engine.MirrorRoleNone, "")
	wantErrs(t, mp.ms, `USE mgc`, 927)
	if got := mscalar(t, mp.ms, `SELECT d.state_desc, ISNULL(m.mirroring_role_desc, 'NULL') FROM sys.databases d JOIN sys.database_mirroring m ON m.database_id = d.database_id WHERE d.name = 'mgc'`); got != "RESTORING|NULL" {
		t.Fatalf("former mirror: %s", got)
	}
	wantErrs(t, mp.ps, `ALTER DATABASE mgc SET PARTNER OFF`, 1416, 5069)
	wantErrs(t, mp.ms, `ALTER DATABASE mgc SET PARTNER OFF`, 1416, 5069)
	mustRun(t, mp.ps, `INSERT INTO mgc.dbo.msg VALUES (3000, N'after removal')`)
}

func TestMirroringSetPartnerErrors(t *testing.T) {
	mp := newMirrorPair(t)
	mustRun(t, mp.ps, `CREATE DATABASE mgc`)
	mustRun(t, mp.ps, `CREATE TABLE mgc.dbo.t (id int)`)
	tests := []struct {
		name string
		s    func() *engine.Session
		sql  string
		want []int32
	}{
		{"off on unmirrored", func() *engine.Session { return mp.ps }, `ALTER DATABASE mgc SET PARTNER OFF`, []int32{1416, 5069}},
		{"failover on unmirrored", func() *engine.Session { return mp.ps }, `ALTER DATABASE mgc SET PARTNER FAILOVER`, []int32{1416, 5069}},
		{"witness off unmirrored", func() *engine.Session { return mp.ps }, `ALTER DATABASE mgc SET WITNESS OFF`, []int32{1416, 5069}},
		{"bad partner string", func() *engine.Session { return mp.ps }, `ALTER DATABASE mgc SET PARTNER = 'mirror.contoso.local:5022'`, []int32{1449, 5069}},
		{"partner unreachable", func() *engine.Session { return mp.ps }, `ALTER DATABASE mgc SET PARTNER = 'TCP://127.0.0.1:1'`, []int32{1418, 5069}},
		{"partner is self", func() *engine.Session { return mp.ps }, `ALTER DATABASE mgc SET PARTNER = '` + mp.pName + `'`, []int32{1452, 5069}},
		{"mirror lacks the database", func() *engine.Session { return mp.ps }, `ALTER DATABASE mgc SET PARTNER = '` + mp.mName + `'`, []int32{1448, 5069}},
		{"missing database", func() *engine.Session { return mp.ps }, `ALTER DATABASE nodb SET PARTNER OFF`, []int32{5011, 5069}},
		{"second endpoint", func() *engine.Session { return mp.ps }, `CREATE ENDPOINT Other STATE = STARTED AS TCP (LISTENER_PORT = 5023) FOR DATABASE_MIRRORING (ROLE = ALL)`, []int32{7862}},
		{"drop unknown endpoint", func() *engine.Session { return mp.ps }, `DROP ENDPOINT Nope`, []int32{15151}},
		{"grant unknown login", func() *engine.Session { return mp.ps }, `GRANT CONNECT ON ENDPOINT::Mirroring TO [CONTOSO\nobody]`, []int32{15151}},
		{"grant unknown endpoint", func() *engine.Session { return mp.ps }, `GRANT CONNECT ON ENDPOINT::Nope TO sa`, []int32{15151}},
		{"windows login without domain", func() *engine.Session { return mp.ps }, `CREATE LOGIN sqlsvc FROM WINDOWS`, []int32{15407}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { wantErrs(t, tc.s(), tc.sql, tc.want...) })
	}

	// Order matters: the principal first gives 1416 (the mirror has not
	// named its partner), an ONLINE copy on the mirror gives 1464.
	seedMirror(t, mp.p, mp.m, "mgc")
	wantErrs(t, mp.ps, `ALTER DATABASE mgc SET PARTNER = '`+mp.mName+`'`, 1416, 5069)
	mustRun(t, mp.ms, `CREATE DATABASE other`)
	mustRun(t, mp.ps, `CREATE DATABASE other`)
	wantErrs(t, mp.ps, `ALTER DATABASE other SET PARTNER = '`+mp.mName+`'`, 1464, 5069)
	mustRun(t, mp.ps, `ALTER DATABASE other SET RECOVERY SIMPLE`)
	wantErrs(t, mp.ps, `ALTER DATABASE other SET PARTNER = '`+mp.mName+`'`, 1465, 5069)

	// A principal whose service account lacks CONNECT on the mirror's
	// endpoint is refused (1418) until the login is created and granted.
	cfg := mirrorConfig("OTHER", t.TempDir())
	cfg.ServiceAccount = `CONTOSO\othersvc`
	other, err := engine.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	os := login(t, other, "t")
	mustRun(t, os, createEndpoint)
	mirroring.MapPartnerHost(other, "mirror.contoso.local", mirroring.EndpointAddr(mp.m))
	mirroring.MapPartnerHost(mp.m, "other.contoso.local", mirroring.EndpointAddr(other))
	mustRun(t, os, `CREATE DATABASE mgc2`)
	mustRun(t, os, `CREATE TABLE mgc2.dbo.t (id int)`)
	seedMirror(t, other, mp.m, "mgc2")
	mustRun(t, mp.ms, `ALTER DATABASE mgc2 SET PARTNER = 'TCP://other.contoso.local:5022'`)
	wantErrs(t, os, `ALTER DATABASE mgc2 SET PARTNER = '`+mp.mName+`'`, 1418, 5069)
	mustRun(t, mp.ms, `CREATE LOGIN [CONTOSO\othersvc] FROM WINDOWS`)
	wantErrs(t, mp.ms, `CREATE LOGIN [CONTOSO\othersvc] FROM WINDOWS`, 15025)
	mustRun(t, mp.ms, `GRANT CONNECT ON ENDPOINT::Mirroring TO [CONTOSO\othersvc]`)
	mustRun(t, os, `ALTER DATABASE mgc2 SET PARTNER = '`+mp.mName+`'`)
	waitState(t, other, "mgc2", engine.MirrorRolePrincipal, "SYNCHRONIZED")
}

func TestEndpointCatalogAndLifecycle(t *testing.T) {
	inst := newMirrorInstance(t, "EP", t.TempDir())
	defer inst.Close()
	s := login(t, inst, "t")
	mustRun(t, s, `CREATE ENDPOINT Mirroring STATE = STOPPED AS TCP (LISTENER_PORT = 5022, LISTENER_IP = ALL) FOR DATABASE_MIRRORING (ROLE = ALL)`)
	if mirroring.EndpointAddr(inst) != "" {
		t.Fatal("a STOPPED endpoint listens")
	}
	if got := mscalar(t, s, `SELECT name, role_desc, state_desc, connection_auth_desc, encryption_algorithm_desc, type_desc FROM sys.database_mirroring_endpoints`); got != "Mirroring|ALL|STOPPED|NEGOTIATE|AES|DATABASE_MIRRORING" {
		t.Fatalf("endpoint row %q", got)
	}
	mustRun(t, s, `ALTER ENDPOINT Mirroring STATE = STARTED`)
	if mirroring.EndpointAddr(inst) == "" {
		t.Fatal("a STARTED endpoint does not listen")
	}
	if got := mscalar(t, s, `SELECT e.state_desc, t.port FROM sys.endpoints e JOIN sys.tcp_endpoints t ON t.endpoint_id = e.endpoint_id WHERE e.name = 'Mirroring'`); got != "STARTED|5022" {
		t.Fatalf("tcp endpoint %q", got)
	}
	mustRun(t, s, `CREATE LOGIN [CONTOSO\sqlmirror] FROM WINDOWS`)
	mustRun(t, s, `GRANT CONNECT ON ENDPOINT::Mirroring TO [CONTOSO\sqlmirror]`)
	if !mirroring.MayConnect(inst, `contoso\SQLMIRROR`, mirroring.EndpointsOf(inst)[0]) || mirroring.MayConnect(inst, `CONTOSO\other`, mirroring.EndpointsOf(inst)[0]) {
		t.Fatal("CONNECT grant not applied as recorded")
	}
	// Restart: the endpoint, login and grant are durable and the endpoint
	// listens again.
	dir := inst.Config().DataDir
	if err := inst.Close(); err != nil {
		t.Fatal(err)
	}
	inst2 := newMirrorInstance(t, "EP", dir)
	defer inst2.Close()
	if mirroring.EndpointAddr(inst2) == "" || !mirroring.MayConnect(inst2, `CONTOSO\sqlmirror`, mirroring.EndpointsOf(inst2)[0]) {
		t.Fatal("endpoint or grant lost at restart")
	}
	s2 := login(t, inst2, "t")
	mustRun(t, s2, `DROP ENDPOINT Mirroring`)
	if mirroring.EndpointAddr(inst2) != "" || len(mirroring.EndpointsOf(inst2)) != 0 {
		t.Fatal("dropped endpoint still there")
	}
}

// TestMirroringPartnerOffWhileDisconnected: the mirror learns of the
// removal when it reconnects, and keeps its copy RESTORING.
func TestMirroringPartnerOffWhileDisconnected(t *testing.T) {
	mp := newMirrorPair(t)
	mp.establish(t, 3)
	if err := mp.m.Close(); err != nil {
		t.Fatal(err)
	}
	waitState(t, mp.p, "mgc", engine.MirrorRolePrincipal, "DISCONNECTED")
	mustRun(t, mp.ps, `INSERT INTO mgc.dbo.msg VALUES (50, N'while the mirror is down')`)
	mustRun(t, mp.ps, `ALTER DATABASE mgc SET PARTNER OFF`)
	m2 := newMirrorInstance(t, "MIRROR", mp.mDir, mp.share)
	defer m2.Close()
	if m2.DB("mgc").MirroringRole() != engine.MirrorRoleMirror {
		t.Fatal("mirror lost its metadata at restart")
	}
	mirroring.MapPartnerHost(m2, "primary.contoso.local", mirroring.EndpointAddr(mp.p))
	waitState(t, m2, "mgc", engine.MirrorRoleNone, "")
	s := login(t, m2, "t")
	wantErrs(t, s, `USE mgc`, 927)
}

// TestMirroringForcedService: the mirror is forced into service while the
// principal is down; the old principal returns as a suspended mirror and
// follows the new principal after RESUME.
func TestMirroringForcedService(t *testing.T) {
	mp := newMirrorPair(t)
	mp.establish(t, 3)
	if err := mp.p.Close(); err != nil {
		t.Fatal(err)
	}
	waitState(t, mp.m, "mgc", engine.MirrorRoleMirror, "DISCONNECTED")
	wantErrs(t, mp.ms, `ALTER DATABASE mgc SET PARTNER FAILOVER`, 1470, 5069)
	mustRun(t, mp.ms, `ALTER DATABASE mgc SET PARTNER FORCE_SERVICE_ALLOW_DATA_LOSS`)
	if got := mscalar(t, mp.ms, `SELECT COUNT(*) FROM mgc.dbo.msg`); got != "4" {
		t.Fatalf("forced principal has %s rows", got)
	}
	mustRun(t, mp.ms, `INSERT INTO mgc.dbo.msg VALUES (77, N'after forcing')`)
	p2 := newMirrorInstance(t, "PRIMARY", mp.pDir, mp.share)
	defer p2.Close()
	mirroring.MapPartnerHost(p2, "mirror.contoso.local", mirroring.EndpointAddr(mp.m))
	mirroring.MapPartnerHost(mp.m, "primary.contoso.local", mirroring.EndpointAddr(p2))
	waitState(t, p2, "mgc", engine.MirrorRoleMirror, "SUSPENDED")
	waitState(t, mp.m, "mgc", engine.MirrorRolePrincipal, "SUSPENDED")
	ps := login(t, p2, "t")
	wantErrs(t, ps, `USE mgc`, 954)
	mustRun(t, mp.ms, `ALTER DATABASE mgc SET PARTNER RESUME`)
	waitState(t, mp.m, "mgc", engine.MirrorRolePrincipal, "SYNCHRONIZED")
	mustRun(t, mp.ms, `ALTER DATABASE mgc SET PARTNER FAILOVER`)
	waitState(t, p2, "mgc", engine.MirrorRolePrincipal, "SYNCHRONIZED")
	if got := mscalar(t, ps, `SELECT body FROM mgc.dbo.msg WHERE id = 77`); got != "after forcing" {
		t.Fatalf("old principal after resume has %q", got)
	}
}
