package memory

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/sqlserver"
	"github.com/pchatdr/harness/sqlerr"
)

// SQL is failback.SQL on one instance of a World.
type SQL struct {
	w    *World
	name string
	// as is a connection's own login (SQLAs); nil: the instance's.
	as *asLogin
}

var _ failback.SQL = (*SQL)(nil)

// Instance is the topology instance name.
func (s *SQL) Instance() string { return s.name }

// begin locks the world, reports the text and returns the instance or the
// injected/down error. The caller must always unlock (end), error or not.
func (s *SQL) begin(ctx context.Context, op, text string, change bool) (*Instance, error) {
	s.w.mu.Lock()
	in := s.w.Instances[s.name]
	var err error
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case in == nil:
		err = fmt.Errorf("memory: no instance %s", s.name)
	case in.Down:
		err = ErrRefused
	default:
		err = s.w.fault(s.name, op)
	}
	if text != "" {
		failback.Emit(ctx, failback.Sent{Target: s.name, Text: text, Start: s.w.now(), Err: err, Change: change})
	}
	return in, err
}

func (s *SQL) end() { s.w.mu.Unlock() }

func (s *SQL) change(op, db, text string) { s.w.record(s.name, op, db, text) }

func (s *SQL) db(in *Instance, name string) (*Database, error) {
	d := in.Databases[name]
	if d == nil {
		return nil, fmt.Errorf("database %s on %s: %w", name, s.name, failback.ErrNoDatabase)
	}
	return d, nil
}

// ServerName returns @@SERVERNAME.
func (s *SQL) ServerName(ctx context.Context) (string, error) {
	in, err := s.begin(ctx, "ServerName", failback.ServerNameSQL, false)
	defer s.end()
	if err != nil {
		return "", err
	}
	return in.ServerName, nil
}

// DatabaseState reads a database's state.
func (s *SQL) DatabaseState(ctx context.Context, name string) (failback.DatabaseStatus, error) {
	in, err := s.begin(ctx, "DatabaseState", sqlserver.DatabaseStateSQL(name), false)
	defer s.end()
	if err != nil {
		return failback.DatabaseStatus{}, err
	}
	d, err := s.db(in, name)
	if err != nil {
		return failback.DatabaseStatus{}, err
	}
	return failback.DatabaseStatus{Name: name, State: d.State, RecoveryModel: d.RecoveryModel, UserAccess: "MULTI_USER", ReadOnly: d.ReadOnly, Standby: d.Standby}, nil
}

// Mirroring reads a database's mirroring.
func (s *SQL) Mirroring(ctx context.Context, name string) (failback.Mirroring, error) {
	in, err := s.begin(ctx, "Mirroring", sqlserver.MirroringInfoSQL(name), false)
	defer s.end()
	if err != nil {
		return failback.Mirroring{}, err
	}
	d, err := s.db(in, name)
	if err != nil {
		return failback.Mirroring{}, err
	}
	return d.Mirror, nil
}

// Sessions lists the sessions in a database.
func (s *SQL) Sessions(ctx context.Context, name string) ([]failback.Session, error) {
	_, err := s.begin(ctx, "Sessions", sqlserver.SessionsSQL(name, ""), false)
	defer s.end()
	if err != nil {
		return nil, err
	}
	return s.w.sessions(s.name, name), nil
}

// ServiceAccounts lists the services.
func (s *SQL) ServiceAccounts(ctx context.Context) ([]failback.Service, error) {
	in, err := s.begin(ctx, "ServiceAccounts", sqlserver.ServiceAccountsSQL, false)
	defer s.end()
	if err != nil {
		return nil, err
	}
	return append([]failback.Service(nil), in.Services...), nil
}

// FileExists answers from the instance's Dirs and the share's backup files.
func (s *SQL) FileExists(ctx context.Context, path string) (failback.FileInfo, error) {
	in, err := s.begin(ctx, "FileExists", sqlserver.FileExistsSQL(path), false)
	defer s.end()
	if err != nil {
		return failback.FileInfo{}, err
	}
	if in.Dirs[lower(path)] {
		return failback.FileInfo{Exists: false, IsDirectory: true, ParentExists: true}, nil
	}
	_, file := s.w.files[lower(path)]
	return failback.FileInfo{Exists: file, ParentExists: in.Dirs[lower(dirOf(path))]}, nil
}

// FreeBytes reports the modelled free space.
func (s *SQL) FreeBytes(ctx context.Context, dir string) (int64, bool, error) {
	in, err := s.begin(ctx, "FreeBytes", "", false) // the live implementation sends nothing
	defer s.end()
	if err != nil {
		return 0, false, err
	}
	return in.FreeBytes, in.FreeKnown, nil
}

// DatabaseSize is the modelled size.
func (s *SQL) DatabaseSize(ctx context.Context, name string) (int64, error) {
	in, err := s.begin(ctx, "DatabaseSize", failback.DatabaseSizeSQL(name), false)
	defer s.end()
	if err != nil {
		return 0, err
	}
	d, err := s.db(in, name)
	if err != nil {
		return 0, err
	}
	return d.SizeBytes, nil
}

// DatabaseFiles lists the database's files.
func (s *SQL) DatabaseFiles(ctx context.Context, name string) ([]failback.DatabaseFile, error) {
	in, err := s.begin(ctx, "DatabaseFiles", failback.DatabaseFilesSQL(name), false)
	defer s.end()
	if err != nil {
		return nil, err
	}
	d := in.Databases[name]
	if d == nil {
		return nil, nil
	}
	return append([]failback.DatabaseFile(nil), d.Files...), nil
}

// TableChecksums reports the tables.
func (s *SQL) TableChecksums(ctx context.Context, name string) ([]failback.TableChecksum, error) {
	q, qerr := sqlserver.UserTablesSQL(name)
	in, err := s.begin(ctx, "TableChecksums", q, false)
	defer s.end()
	if err == nil {
		err = qerr
	}
	if err != nil {
		return nil, err
	}
	d, err := s.onlineDB(in, name)
	if err != nil {
		return nil, err
	}
	var out []failback.TableChecksum
	for k, t := range d.Tables {
		sch, tab, _ := strings.Cut(k, ".")
		tc := failback.TableChecksum{Schema: sch, Table: tab, Rows: t.Rows}
		if t.Rows > 0 {
			tc.Checksum.Valid, tc.Checksum.Int64 = true, t.Checksum
		}
		out = append(out, tc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Schema+"."+out[i].Table < out[j].Schema+"."+out[j].Table })
	return out, nil
}

func (s *SQL) media(in *Instance, path, stmt string) ([]*mediaSet, error) {
	m, ok := s.w.files[lower(path)]
	if !ok || !in.Dirs[lower(dirOf(path))] {
		return nil, sqlErr(in.ServerName, e(sqlerr.BackupDeviceOpen, path, "2(The system cannot find the file specified.)"), backupAbort(stmt))
	}
	return m, nil
}

// BackupSets is RESTORE HEADERONLY.
func (s *SQL) BackupSets(ctx context.Context, path string) ([]failback.BackupSet, error) {
	in, err := s.begin(ctx, "BackupSets", failback.HeaderOnlySQL(path), false)
	defer s.end()
	if err == nil {
		err = s.permit(in, "BackupSets", "") // permissions.go
	}
	if err != nil {
		return nil, err
	}
	m, err := s.media(in, path, "RESTORE HEADERONLY")
	if err != nil {
		return nil, err
	}
	var out []failback.BackupSet
	for _, x := range m {
		out = append(out, x.set)
	}
	return out, nil
}

// mediaSet opens a backup device and picks backup set number file on it:
// 3201 when the device cannot be opened, stmt's 3013 when it holds no such
// set.
func (s *SQL) mediaSet(in *Instance, path, stmt string, file int) (*mediaSet, error) {
	m, err := s.media(in, path, stmt)
	if err != nil {
		return nil, err
	}
	x := findPos(m, file)
	if x == nil {
		return nil, sqlErr(in.ServerName, backupAbort(stmt))
	}
	return x, nil
}

func findPos(m []*mediaSet, file int) *mediaSet {
	for _, x := range m {
		if x.set.Position == file {
			return x
		}
	}
	return nil
}

// FileList is RESTORE FILELISTONLY.
func (s *SQL) FileList(ctx context.Context, path string, file int) ([]failback.BackupFile, error) {
	in, err := s.begin(ctx, "FileList", failback.FileListOnlySQL(path, file), false)
	defer s.end()
	if err == nil {
		err = s.permit(in, "FileList", "") // permissions.go
	}
	if err != nil {
		return nil, err
	}
	x, err := s.mediaSet(in, path, "RESTORE FILELIST", file)
	if err != nil {
		return nil, err
	}
	var out []failback.BackupFile
	for _, f := range x.db.Files {
		t := "D"
		if f.Type == "LOG" {
			t = "L"
		}
		out = append(out, failback.BackupFile{LogicalName: f.LogicalName, PhysicalName: f.PhysicalName, Type: t})
	}
	return out, nil
}

// RestoreHistory lists restores into a database, newest first.
func (s *SQL) RestoreHistory(ctx context.Context, name string) ([]failback.RestoreRecord, error) {
	in, err := s.begin(ctx, "RestoreHistory", failback.RestoreHistorySQL(name), false)
	defer s.end()
	if err != nil {
		return nil, err
	}
	var out []failback.RestoreRecord
	for i := len(in.history) - 1; i >= 0; i-- {
		// RestoreHistorySQL asks for database restores (restore_type D).
		if h := in.history[i]; strings.EqualFold(h.Database, name) && h.typ == "D" {
			out = append(out, h.RestoreRecord)
		}
	}
	return out, nil
}

// LogShipping reads the log-shipping tables.
func (s *SQL) LogShipping(ctx context.Context) (failback.LogShippingConfig, error) {
	in, err := s.begin(ctx, "LogShipping", failback.LogShippingPrimariesSQL+";\n"+failback.LogShippingSecondariesSQL, false)
	defer s.end()
	if err != nil {
		return failback.LogShippingConfig{}, err
	}
	var cfg failback.LogShippingConfig
	for _, p := range in.primaries {
		cfg.Primaries = append(cfg.Primaries, failback.LSPrimary{Database: p.db, BackupJob: p.job, Secondaries: append([]failback.LSPartner(nil), p.secondaries...)})
	}
	for _, x := range in.secondaries {
		cfg.Secondaries = append(cfg.Secondaries, failback.LSSecondary{PrimaryServer: x.primaryServer, PrimaryDatabase: x.primaryDB, Database: x.db})
	}
	return cfg, nil
}

// PrimaryMonitor reads log_shipping_monitor_primary.
func (s *SQL) PrimaryMonitor(ctx context.Context, name string) (failback.LSPrimaryMonitor, bool, error) {
	in, err := s.begin(ctx, "PrimaryMonitor", failback.PrimaryMonitorSQL(name), false)
	defer s.end()
	if err != nil {
		return failback.LSPrimaryMonitor{}, false, err
	}
	for _, p := range in.primaries {
		if strings.EqualFold(p.db, name) {
			return p.monitor, true, nil
		}
	}
	return failback.LSPrimaryMonitor{}, false, nil
}

// SecondaryMonitor reads log_shipping_monitor_secondary.
func (s *SQL) SecondaryMonitor(ctx context.Context, name string) (failback.LSSecondaryMonitor, bool, error) {
	in, err := s.begin(ctx, "SecondaryMonitor", failback.SecondaryMonitorSQL(name), false)
	defer s.end()
	if err != nil {
		return failback.LSSecondaryMonitor{}, false, err
	}
	for _, x := range in.secondaries {
		if strings.EqualFold(x.db, name) {
			return x.monitor, true, nil
		}
	}
	return failback.LSSecondaryMonitor{}, false, nil
}

// onlineDB is database name on in, refused as SQL Server refuses reading a
// database that is not ONLINE (RowCounts, TableChecksums).
func (s *SQL) onlineDB(in *Instance, name string) (*Database, error) {
	d, err := s.db(in, name)
	if err != nil {
		return nil, err
	}
	if d.State != "ONLINE" {
		return nil, sqlErr(in.ServerName, e(sqlerr.DatabaseRestoring, name))
	}
	return d, nil
}
