package engine

import (
	"context"
	"fmt"
	"github.com/pchatdr/harness/sqlerr"
	"io"
	"math"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pchatdr/harness/sim/mssql/hostfs"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/storage/media"
	"github.com/pchatdr/harness/sim/mssql/tsql"
)

// Disk space, as SQL Server sees it: sys.dm_os_volume_stats for a
// database file, RESTORE refusing with 3257 when the volumes cannot hold
// the files at their full size, and BACKUP failing with 3202 (operating
// system error 112) when the device's volume fills up while it writes.
// Database files live under DataPath, outside every hostfs mount (the
// simulator keeps them in its own storage), so the instance models that
// volume itself; a file on a mounted drive uses hostfs's volume.

// volumeFree is a volume whose free space a test or the world may fix.
type volumeFree struct {
	mu  sync.Mutex
	set bool
	n   int64
}

// SetDataVolumeFree fixes the free bytes of the volume holding DataPath (n
// < 0: ask the host again), as a nearly full data drive.
func (inst *Instance) SetDataVolumeFree(n int64) {
	v := &inst.dataVolume
	v.mu.Lock()
	defer v.mu.Unlock()
	v.set, v.n = n >= 0, n
}

// dataVolumeMount is what sys.dm_os_volume_stats names the data volume.
const dataVolumeMount = "/var/opt/mssql/"

// unknownVolumeFree is the free space reported for an in-memory instance's
// data volume: a terabyte, so only a fixed value ever refuses.
const unknownVolumeFree = int64(1) << 40

// volumeOf is the volume holding path: its mount point and free bytes.
// ok is false when the path is on no volume the instance knows (then no
// space check applies, as SQL Server cannot tell either until it writes).
func (inst *Instance) volumeOf(path string) (mount string, free int64, ok bool) {
	if strings.HasPrefix(path, DataPath) {
		v := &inst.dataVolume
		v.mu.Lock()
		set, n := v.set, v.n
		v.mu.Unlock()
		if set {
			return dataVolumeMount, n, true
		}
		if inst.cfg.DataDir == "" {
			return dataVolumeMount, unknownVolumeFree, true
		}
		var st syscall.Statfs_t
		if err := syscall.Statfs(inst.cfg.DataDir, &st); err != nil {
			return dataVolumeMount, unknownVolumeFree, true
		}
		return dataVolumeMount, int64(st.Bavail) * int64(st.Bsize), true
	}
	fs, err := inst.Files()
	if err != nil {
		return "", 0, false
	}
	m, err := fs.VolumeOf(path)
	if err != nil {
		return "", 0, false
	}
	n, err := fs.FreeBytes(path)
	if err != nil {
		return "", 0, false
	}
	return m, n, true
}

// installVolumeStats adds sys.dm_os_volume_stats.
func installVolumeStats(r *Registry) {
	for _, n := range []string{"sys.dm_os_volume_stats", "dm_os_volume_stats", "master.sys.dm_os_volume_stats"} {
		r.TableFunc(n, dmOSVolumeStats)
	}
}

// dmOSVolumeStats is sys.dm_os_volume_stats(database_id, file_id): one row
// for the volume holding that file, none when the database or file does
// not exist. total_bytes is the free space plus the database files on the
// volume (the simulator knows no other use of it).
func dmOSVolumeStats(sc *scope, x *tsql.FuncTable) (*source, error) {
	if len(x.Call.Args) != 2 {
		return nil, newErr(sqlerr.FunctionArgCount, "dm_os_volume_stats", 2)
	}
	names := []string{"database_id", "file_id", "volume_mount_point", "volume_id", "logical_volume_name", "file_system_type",
		"total_bytes", "available_bytes", "supports_compression", "supports_alternate_streams", "supports_sparse_files",
		"is_read_only", "is_compressed", "incurs_seek_penalty"}
	types := []Type{tInt, tInt, nv(512), nv(512), nv(512), nv(512), tBig, tBig, tTiny, tTiny, tTiny, tTiny, tTiny, tTiny}
	exposed := "dm_os_volume_stats"
	if x.Alias != nil {
		exposed = x.Alias.Name
	}
	cols := make([]bindCol, len(names))
	for i := range names {
		cols[i] = bindCol{Name: names[i], Type: types[i], Qual: strings.ToLower(exposed)}
	}
	return &source{Cols: cols, Names: []string{exposed}, Run: func(en *env) ([][]Value, error) {
		var ids [2]int64
		for i, a := range x.Call.Args {
			v, vt, err := sc.evalScalar(a)
			if err != nil {
				return nil, err
			}
			if v == nil {
				return nil, nil
			}
			c, err := sqltypes.Convert(v, vt, tBig)
			if err != nil {
				return nil, err
			}
			ids[i], _ = toInt64(c)
		}
		inst := sc.s.inst
		db := inst.DBByID(int(ids[0]))
		if db == nil {
			return nil, nil
		}
		for _, f := range db.Meta().DBFiles() {
			if int64(f.FileID) != ids[1] {
				continue
			}
			mount, free, ok := inst.volumeOf(f.Physical)
			if !ok {
				return nil, nil
			}
			total := free + inst.bytesOnVolume(mount)
			return [][]Value{{ids[0], ids[1], mount, `\\?\Volume{` + strings.ToLower(mount) + `}\`, "", "NTFS",
				total, free, int64(1), int64(1), int64(1), int64(0), int64(0), int64(0)}}, nil
		}
		return nil, nil
	}}, nil
}

// bytesOnVolume is the allocated size of every database file on mount.
func (inst *Instance) bytesOnVolume(mount string) int64 {
	var n int64
	for _, d := range inst.sortedDBs() {
		for _, f := range d.Meta().DBFiles() {
			if m, _, ok := inst.volumeOf(f.Physical); ok && m == mount {
				n += f.SizePages * 8192
			}
		}
	}
	return n
}

// restoreSpace refuses a RESTORE whose files do not fit their volumes at
// full size (3257), as SQL Server checks before it creates or overwrites
// them. Files of the database being replaced are reused, so their size
// counts as available on their volume.
func (sc *scope) restoreSpace(existing *Database, files []DBFile) error {
	inst := sc.s.inst
	need, free := map[string]int64{}, map[string]int64{}
	var order []string
	for _, f := range files {
		m, n, ok := inst.volumeOf(f.Physical)
		if !ok {
			continue
		}
		if _, seen := need[m]; !seen {
			order = append(order, m)
			free[m] = n
		}
		need[m] += f.SizePages * 8192
	}
	if existing != nil {
		for _, f := range existing.Meta().DBFiles() {
			if m, _, ok := inst.volumeOf(f.Physical); ok {
				if _, used := need[m]; used {
					need[m] -= f.SizePages * 8192
				}
			}
		}
	}
	for _, m := range order {
		if need[m] > 0 && need[m] > free[m] {
			return newErr(sqlerr.InsufficientDiskSpace, m, need[m], free[m])
		}
	}
	return nil
}

// quotaWriter fails a backup's write with operating system error 112 once
// the device's volume is full, as Windows does mid-BACKUP, and moves data
// no faster than the instance's device throughput.
type quotaWriter struct {
	ctx    context.Context
	inst   *Instance
	w      io.Writer
	left   int64
	device string
}

func (q *quotaWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > q.left {
		return 0, newErr(sqlerr.BackupDeviceWrite, q.device, "112(There is not enough space on the disk.)")
	}
	// A paced device takes the data a tenth of a second's worth at a time,
	// so STATS progress moves as it would on a slow disk.
	chunk := len(p)
	if bps := q.inst.deviceBPS(); bps > 0 {
		chunk = int(max(bps/10, 512))
	}
	done := 0
	for done < len(p) {
		n := min(chunk, len(p)-done)
		if err := q.inst.pace(q.ctx, n); err != nil {
			return done, err
		}
		w, err := q.w.Write(p[done : done+n])
		done += w
		q.left -= int64(w)
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// deviceRate is the throughput of the instance's backup devices (0:
// unlimited), so a test can make a BACKUP or RESTORE last long enough to
// watch its STATS progress and overrun a budget.
type deviceRate struct {
	mu  sync.Mutex
	bps int64
}

// SetDeviceThroughput limits what BACKUP writes to and RESTORE reads from
// a backup device to bytesPerSec (0: unlimited), as a slow share or WAN
// link does.
func (inst *Instance) SetDeviceThroughput(bytesPerSec int64) {
	r := &inst.deviceRate
	r.mu.Lock()
	defer r.mu.Unlock()
	r.bps = bytesPerSec
}

// pace waits as long as n bytes take at the device throughput; a
// cancelled statement (an attention) stops the wait.
func (inst *Instance) deviceBPS() int64 {
	r := &inst.deviceRate
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.bps
}

func (inst *Instance) pace(ctx context.Context, n int) error {
	bps := inst.deviceBPS()
	if bps <= 0 || n == 0 {
		return nil
	}
	t := time.NewTimer(time.Duration(int64(n) * int64(time.Second) / bps))
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// pacedReader reads a backup device at the device throughput.
type pacedReader struct {
	ctx  context.Context
	inst *Instance
	r    io.Reader
}

func (p *pacedReader) Read(b []byte) (int, error) {
	if bps := p.inst.deviceBPS(); bps > 0 && int64(len(b)) > max(bps/10, 512) {
		b = b[:max(bps/10, 512)] // a tenth of a second's worth per read
	}
	n, err := p.r.Read(b)
	if perr := p.inst.pace(p.ctx, n); perr != nil {
		return n, perr
	}
	return n, err
}

// minBackupBytes is what any backup writes before its data: the media
// header and the backup set's descriptors (SQL Server writes in 64 KB
// blocks).
const minBackupBytes = 64 << 10

// withQuota wraps a backup payload so it cannot write more than the free
// space of the device's volume; a volume without room for the headers
// fails before anything is written.
func (inst *Instance) withQuota(ctx context.Context, device string, payload func(io.Writer) error) (func(io.Writer) error, error) {
	_, free, ok := inst.volumeOf(device)
	switch {
	case !ok:
		free = math.MaxInt64 // no volume the instance knows: only pacing applies
	case free < minBackupBytes:
		return nil, newErr(sqlerr.BackupDeviceWrite, device, "112(There is not enough space on the disk.)")
	default:
		free -= minBackupBytes
	}
	return func(w io.Writer) error {
		return payload(&quotaWriter{ctx: ctx, inst: inst, w: w, left: free, device: device})
	}, nil
}

// GrowFile sets the allocated size of a database file, as autogrowth or
// ALTER DATABASE ... MODIFY FILE (which the simulator's parser lacks) does.
func (inst *Instance) GrowFile(ctx context.Context, dbName string, fileID int, bytes int64) error {
	db := inst.DB(dbName)
	if db == nil {
		return newErr(sqlerr.DatabaseNotFound, dbName)
	}
	files := db.Meta().DBFiles()
	found := false
	for i := range files {
		if files[i].FileID == fileID {
			files[i].SizePages, found = (bytes+8191)/8192, true
		}
	}
	if !found {
		return fmt.Errorf("engine: database %s has no file %d", dbName, fileID)
	}
	return inst.SetMeta(ctx, db, func(m *DBMeta) { m.Files = files })
}

// installDeleteFile adds xp_delete_file.
func installDeleteFile(r *Registry) {
	r.Procedure("xp_delete_file", SystemProc{
		Params: []ProcParam{{Name: "@FileTypeSelected", Type: tInt}, {Name: "@folder", Type: nv(4000)},
			{Name: "@extension", Type: nv(260), HasDefault: true}, {Name: "@cutoff", Type: nv(64), HasDefault: true},
			{Name: "@subfolder", Type: tInt, HasDefault: true, Default: int64(0)}},
		Run: xpDeleteFile,
	})
}

// xpDeleteFile is master.sys.xp_delete_file (undocumented; maintenance
// plans' cleanup task) for one named file: type 0 deletes it only when it
// is backup media, as SQL Server reads the header first and leaves any
// other file alone without an error. Folder sweeps by extension and date
// are refused rather than half done.
func xpDeleteFile(pc *ProcCall) (int32, error) {
	inst := pc.Instance()
	fs, err := inst.Files()
	if err != nil {
		return 1, err
	}
	typ, _ := toInt64(pc.Arg("@FileTypeSelected"))
	path := argString(pc.Arg("@folder"))
	if pc.Given("@extension") || pc.Given("@cutoff") {
		return 1, newErr(sqlerr.Message, "xp_delete_file with an extension or cutoff date (a folder sweep) is not supported by the simulator.")
	}
	if typ != 0 {
		return 1, newErr(sqlerr.Message, "xp_delete_file for maintenance-plan reports (type 1) is not supported by the simulator.")
	}
	host, err := fs.Check(inst.ServiceAccount(), path, hostfs.Read)
	if err != nil {
		return 1, xpError("xp_delete_file", err)
	}
	if _, err := media.ReadHeaders(host); err != nil {
		return 0, nil
	}
	if err := fs.Remove(inst.ServiceAccount(), path); err != nil {
		return 1, xpError("xp_delete_file", err)
	}
	return 0, nil
}
