// Package capacity is disk space and device speed as SQL Server sees them,
// a feature outside the engine (sim/mssql/features wires it in):
// sys.dm_os_volume_stats for a database file, RESTORE refusing with 3257
// when the volumes cannot hold the files at their full size, BACKUP
// failing with 3202 (operating system error 112) when the device's volume
// fills up while it writes, the backup devices' throughput, a database
// file's allocated size, and xp_delete_file. Database files live under
// engine.DataPath, outside every hostfs mount (the simulator keeps them in
// its own storage), so the feature models that volume itself; a file on a
// mounted drive uses hostfs's volume.
//
// What it keeps per instance (a fixed free space for the data volume, the
// devices' throughput) is the instance's state (Registry.InstanceState);
// an instance built without the feature has neither: the host's free
// space, unpaced devices.
package capacity

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sqlerr"
)

// Capacity is the feature: sys.dm_os_volume_stats, xp_delete_file, the
// per-instance volume and device state, and the engine's sys.partitions
// (row counts read from the tables' internals, so the view stays in the
// engine: engine.InstallPartitionsView), in the place the engine's
// capacity feature had in the list so the views keep their object_ids.
func Capacity() engine.Feature {
	return engine.Feature{Name: "capacity", Install: func(r *engine.Registry) {
		r.InstanceState(stateKey{}, func(*engine.Instance) any { return &state{} })
		installVolumeStats(r)
		installDeleteFile(r)
		engine.InstallPartitionsView(r)
	}}
}

// stateKey is the key of the feature's per-instance state.
type stateKey struct{}

// state is what the feature keeps per instance.
type state struct {
	mu sync.Mutex
	// dataFree fixes the free bytes of the volume holding DataPath when
	// dataFreeSet (a nearly full data drive); unset, the host's.
	dataFreeSet bool
	dataFree    int64
	// bps paces backup device I/O (0: unlimited).
	bps int64
}

func stateOf(inst *engine.Instance) *state {
	st, _ := inst.State(stateKey{}).(*state)
	return st
}

// errNoFeature is what the knobs return on an instance built without the
// feature.
var errNoFeature = errors.New("capacity: the instance has no capacity feature")

// SetDataVolumeFree fixes the free bytes of the volume holding DataPath (n
// < 0: ask the host again), as a nearly full data drive.
func SetDataVolumeFree(inst *engine.Instance, n int64) error {
	st := stateOf(inst)
	if st == nil {
		return errNoFeature
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.dataFreeSet, st.dataFree = n >= 0, n
	return nil
}

// SetDeviceThroughput limits what BACKUP writes to and RESTORE reads from
// a backup device to bytesPerSec (0: unlimited), as a slow share or WAN
// link does, so a test can make a BACKUP or RESTORE last long enough to
// watch its STATS progress and overrun a budget.
func SetDeviceThroughput(inst *engine.Instance, bytesPerSec int64) error {
	st := stateOf(inst)
	if st == nil {
		return errNoFeature
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	st.bps = bytesPerSec
	return nil
}

// dataVolumeMount is what sys.dm_os_volume_stats names the data volume.
const dataVolumeMount = "/var/opt/mssql/"

// unknownVolumeFree is the free space reported for an in-memory instance's
// data volume: a terabyte, so only a fixed value ever refuses.
const unknownVolumeFree = int64(1) << 40

// volumeOf is the volume holding path: its mount point and free bytes.
// ok is false when the path is on no volume the instance knows (then no
// space check applies, as SQL Server cannot tell either until it writes).
func volumeOf(inst *engine.Instance, path string) (mount string, free int64, ok bool) {
	if strings.HasPrefix(path, engine.DataPath) {
		if st := stateOf(inst); st != nil {
			st.mu.Lock()
			set, n := st.dataFreeSet, st.dataFree
			st.mu.Unlock()
			if set {
				return dataVolumeMount, n, true
			}
		}
		dir := inst.Config().DataDir
		if dir == "" {
			return dataVolumeMount, unknownVolumeFree, true
		}
		var sfs syscall.Statfs_t
		if err := syscall.Statfs(dir, &sfs); err != nil {
			return dataVolumeMount, unknownVolumeFree, true
		}
		return dataVolumeMount, int64(sfs.Bavail) * int64(sfs.Bsize), true
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

// bytesOnVolume is the allocated size of every database file on mount.
func bytesOnVolume(inst *engine.Instance, mount string) int64 {
	var n int64
	for _, d := range inst.Databases() {
		for _, f := range d.Meta().DBFiles() {
			if m, _, ok := volumeOf(inst, f.Physical); ok && m == mount {
				n += f.SizePages * 8192
			}
		}
	}
	return n
}

// CheckRestoreSpace refuses a RESTORE whose files do not fit their volumes
// at full size (3257), as SQL Server checks before it creates or
// overwrites them. Files of the database being replaced (existing, nil
// when none) are reused, so their size counts as available on their
// volume.
func CheckRestoreSpace(inst *engine.Instance, existing *engine.Database, files []engine.DBFile) error {
	need, free := map[string]int64{}, map[string]int64{}
	var order []string
	for _, f := range files {
		m, n, ok := volumeOf(inst, f.Physical)
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
			if m, _, ok := volumeOf(inst, f.Physical); ok {
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
	st     *state
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
	if bps := q.st.deviceBPS(); bps > 0 {
		chunk = int(max(bps/10, 512))
	}
	done := 0
	for done < len(p) {
		n := min(chunk, len(p)-done)
		if err := q.st.pace(q.ctx, n); err != nil {
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

// deviceBPS is the devices' throughput (0: unlimited; also for an
// instance without the feature, whose state is nil).
func (st *state) deviceBPS() int64 {
	if st == nil {
		return 0
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.bps
}

// pace waits as long as n bytes take at the device throughput; a
// cancelled statement (an attention) stops the wait.
func (st *state) pace(ctx context.Context, n int) error {
	bps := st.deviceBPS()
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
	ctx context.Context
	st  *state
	r   io.Reader
}

func (p *pacedReader) Read(b []byte) (int, error) {
	if bps := p.st.deviceBPS(); bps > 0 && int64(len(b)) > max(bps/10, 512) {
		b = b[:max(bps/10, 512)] // a tenth of a second's worth per read
	}
	n, err := p.r.Read(b)
	if perr := p.st.pace(p.ctx, n); perr != nil {
		return n, perr
	}
	return n, err
}

// PacedReader reads a backup device at the instance's device throughput
// (RESTORE's reads).
func PacedReader(ctx context.Context, inst *engine.Instance, r io.Reader) io.Reader {
	return &pacedReader{ctx: ctx, st: stateOf(inst), r: r}
}

// minBackupBytes is what any backup writes before its data: the media
// header and the backup set's descriptors (SQL Server writes in 64 KB
// blocks).
const minBackupBytes = 64 << 10

// WithQuota wraps a backup payload so it cannot write more than the free
// space of the device's volume (3202, operating system error 112) and
// writes at the device throughput; a volume without room for the headers
// fails before anything is written.
func WithQuota(ctx context.Context, inst *engine.Instance, device string, payload func(io.Writer) error) (func(io.Writer) error, error) {
	_, free, ok := volumeOf(inst, device)
	switch {
	case !ok:
		free = math.MaxInt64 // no volume the instance knows: only pacing applies
	case free < minBackupBytes:
		return nil, newErr(sqlerr.BackupDeviceWrite, device, "112(There is not enough space on the disk.)")
	default:
		free -= minBackupBytes
	}
	st := stateOf(inst)
	return func(w io.Writer) error {
		return payload(&quotaWriter{ctx: ctx, st: st, w: w, left: free, device: device})
	}, nil
}

// GrowFile sets the allocated size of a database file, as autogrowth or
// ALTER DATABASE ... MODIFY FILE (which the simulator's parser lacks) does.
func GrowFile(ctx context.Context, inst *engine.Instance, dbName string, fileID int, bytes int64) error {
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
		return fmt.Errorf("capacity: database %s has no file %d", dbName, fileID)
	}
	return inst.SetMeta(ctx, db, func(m *engine.DBMeta) { m.Files = files })
}

// volumeStatsCols are sys.dm_os_volume_stats' columns.
func volumeStatsCols() []engine.Column {
	names := []string{"database_id", "file_id", "volume_mount_point", "volume_id", "logical_volume_name", "file_system_type",
		"total_bytes", "available_bytes", "supports_compression", "supports_alternate_streams", "supports_sparse_files",
		"is_read_only", "is_compressed", "incurs_seek_penalty"}
	nv := sqltypes.NVarChar(512)
	types := []engine.Type{sqltypes.TypeInt, sqltypes.TypeInt, nv, nv, nv, nv, sqltypes.TypeBigInt, sqltypes.TypeBigInt,
		sqltypes.TypeTinyInt, sqltypes.TypeTinyInt, sqltypes.TypeTinyInt, sqltypes.TypeTinyInt, sqltypes.TypeTinyInt, sqltypes.TypeTinyInt}
	cols := make([]engine.Column, len(names))
	for i := range names {
		cols[i] = engine.Col(names[i], types[i], false)
	}
	return cols
}

func newErr(n int32, args ...any) *engine.Error { return sqlerr.New(n, args...) }
