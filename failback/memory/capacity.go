package memory

import (
	"context"
	"sort"
	"strings"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/sqlerr"
)

// FileSpace lists the database's files; their sizes split SizeBytes (data
// gets the rest after a log of an eighth), and each lies on a volume with
// the instance's FreeBytes free (unknown: no volume row).
func (s *SQL) FileSpace(ctx context.Context, name string) ([]failback.FileSpace, error) {
	in, err := s.begin(ctx, "FileSpace", failback.FileSpaceSQL(name), false)
	defer s.end()
	if err != nil {
		return nil, err
	}
	d := in.Databases[name]
	if d == nil {
		return nil, nil
	}
	var out []failback.FileSpace
	for i, f := range d.Files {
		fs := failback.FileSpace{FileID: i + 1, LogicalName: f.LogicalName, PhysicalName: f.PhysicalName, Type: f.Type}
		switch {
		case f.Type == "LOG":
			fs.Bytes = d.SizeBytes / 8
		default:
			fs.Bytes = d.SizeBytes - d.SizeBytes/8
		}
		if in.FreeKnown {
			fs.Volume, fs.VolumeFree = dirOf(f.PhysicalName), in.FreeBytes
		}
		out = append(out, fs)
	}
	return out, nil
}

// ProbeWrite succeeds where a backup could be written: the directory is
// one the instance sees.
func (s *SQL) ProbeWrite(ctx context.Context, path string) error {
	in, err := s.begin(ctx, "ProbeWrite", failback.ProbeWriteSQL(path), false)
	defer s.end()
	if err == nil {
		err = s.permit(in, "ProbeWrite", "model") // permissions.go
	}
	if err != nil {
		return err
	}
	if !in.Dirs[lower(dirOf(path))] {
		return sqlErr(in.ServerName, e(sqlerr.BackupDeviceOpen, path, "3(The system cannot find the path specified.)"), backupAbort("BACKUP DATABASE"))
	}
	return nil
}

// RowCounts reports the modelled tables' row counts (sys.partitions).
func (s *SQL) RowCounts(ctx context.Context, name string) ([]failback.TableRows, error) {
	q, qerr := failback.RowCountsSQL(name)
	in, err := s.begin(ctx, "RowCounts", q, false)
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
	var out []failback.TableRows
	for k, t := range d.Tables {
		schema, table, _ := strings.Cut(k, ".")
		out = append(out, failback.TableRows{Schema: schema, Table: table, Rows: t.Rows})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Schema+"."+out[i].Table < out[j].Schema+"."+out[j].Table })
	return out, nil
}
