package loadtest

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/world"
	"github.com/pchatdr/harness/topologies"
)

// ScaleConfig is one failback of a production-sized mgc across a link.
type ScaleConfig struct {
	// Bytes is the size of the chat history seeded into the backup's mgc.
	Bytes int64
	// BandwidthMbps overrides the topology link's bandwidth (0: keep it).
	BandwidthMbps float64
	// Dir is where the world lives (the disk whose throughput counts).
	Dir  string
	Seed uint64
	// Topology is the topology file (default topologies/embedded.yaml).
	Topology string
	// Logf, when set, gets the statements and phases that took long.
	Logf func(format string, args ...any)
	// OutageProfile, when set, gets a CPU profile of the outage alone
	// (from the engine's outage start to its measure): the benchmark's
	// -cpuprofile also holds the seeding and the calibration run, which
	// dwarf it. The test binary's own -cpuprofile must then be off (Go
	// runs one CPU profile at a time).
	OutageProfile io.Writer
	// Calibrate runs a failback without history first, in its own world,
	// and gives its journal's fixed times to the forecast (as an operator
	// passes a rehearsal's journal to failback forecast --calibrate).
	Calibrate bool
}

// StepTime is one step's measured duration.
type StepTime struct {
	Step    string        `json:"step"`
	Seconds float64       `json:"seconds"`
	Took    time.Duration `json:"-"`
}

// ScaleResult is what one failback at scale measured, and the physical
// limit it is compared with.
type ScaleResult struct {
	Bytes         int64   `json:"bytes"`
	BandwidthMbps float64 `json:"bandwidth_mbps"`
	RTTMs         float64 `json:"rtt_ms"`
	Messages      int64   `json:"messages"`
	SeedSeconds   float64 `json:"seed_seconds"`
	// OutageSeconds is the engine-measured chat outage; RunSeconds the
	// whole run (the RTO's measure).
	OutageSeconds float64    `json:"outage_seconds"`
	RunSeconds    float64    `json:"run_seconds"`
	Steps         []StepTime `json:"steps"`
	// LinkBytes crossed the WAN link during the outage (from the engine's
	// outage start to its measure); ReadBytes and WriteBytes are what the
	// process read and wrote through the kernel during it (/proc/self/io
	// rchar, wchar: files, the page cache included, and the little TDS
	// the engine exchanges), less the simulator's scratch writes to its
	// tables' segment files (World.SegmentBytesWritten). The Run* figures are the same over the whole
	// run (the RTO's), which goes on after the outage (mirroring the
	// primary databases, log shipping from the mirror).
	LinkBytes     int64 `json:"link_bytes"`
	ReadBytes     int64 `json:"read_bytes"`
	WriteBytes    int64 `json:"write_bytes"`
	RunLinkBytes  int64 `json:"run_link_bytes"`
	RunReadBytes  int64 `json:"run_read_bytes"`
	RunWriteBytes int64 `json:"run_write_bytes"`
	// OutageCPUSeconds is the CPU time the whole process (simulator and
	// engine) used during the outage: on a machine shared with other work
	// the outage's wall time stretches with the CPU it needs, so this is
	// the figure to compare between two versions run side by side.
	OutageCPUSeconds float64 `json:"outage_cpu_seconds"`
	// DiskWriteBps and DiskReadBps are this machine's file throughput
	// measured in the same run, on the same folder (write+fsync, read).
	DiskWriteBps float64 `json:"disk_write_bps"`
	DiskReadBps  float64 `json:"disk_read_bps"`
	// LimitSeconds is the outage's physical limit: LinkBytes over the
	// bandwidth plus WriteBytes and ReadBytes over the disk's throughput;
	// Ratio is the outage over it.
	// ForecastOutageSeconds and ForecastRTOSeconds are failback
	// forecast's figures, read from the servers before the run (after a
	// nightly full backup of mgc on the backup instance gave msdb a
	// throughput); ForecastError is |forecast-measured|/measured of the
	// outage.
	ForecastOutageSeconds float64    `json:"forecast_outage_seconds"`
	ForecastRTOSeconds    float64    `json:"forecast_rto_seconds"`
	ForecastError         float64    `json:"forecast_outage_error"`
	ForecastSteps         []StepTime `json:"forecast_steps"`
	ForecastRTOError      float64    `json:"forecast_rto_error"`
	LimitSeconds          float64    `json:"limit_seconds"`
	LinkLimitSeconds      float64    `json:"link_limit_seconds"`
	Ratio                 float64    `json:"ratio"`
	// RunLimitSeconds is the whole run's physical limit (its Run* bytes);
	// RunRatio the run (the RTO's measure) over it.
	RunLimitSeconds float64 `json:"run_limit_seconds"`
	RunRatio        float64 `json:"run_ratio"`
}

// MeasureScale builds a failed-over world with WAN links, seeds a history
// of cfg.Bytes into the backup's mgc, measures the disk, and runs the real
// failback engine, reporting the outage against the physical limit.
func MeasureScale(ctx context.Context, cfg ScaleConfig) (ScaleResult, error) {
	res := ScaleResult{Bytes: cfg.Bytes}
	name := cfg.Topology
	if name == "" {
		name = "topologies/embedded.yaml"
	}
	topo, err := topologies.Load(name)
	if err != nil {
		return res, err
	}
	if len(topo.Links) == 0 {
		return res, fmt.Errorf("scale: topology %s has no links", name)
	}
	links := append([]topology.Link(nil), topo.Links...)
	if cfg.BandwidthMbps > 0 {
		for i := range links {
			links[i].BandwidthMbps = cfg.BandwidthMbps
		}
	}
	topo.Links = links
	res.BandwidthMbps, res.RTTMs = links[0].BandwidthMbps, links[0].RTTMs
	// The calibration's world is closed before this run's starts: two
	// worlds with a history each would double the memory the run needs.
	var ov *failback.Overheads
	if cfg.Calibrate {
		if ov, err = calibrate(ctx, topo, cfg.Dir, max(cfg.Bytes/2, 16<<20)); err != nil {
			return res, err
		}
	}
	w, err := world.Start(ctx, world.Options{Topology: topo, Dir: cfg.Dir, Links: true})
	if err != nil {
		return res, err
	}
	defer w.Close()
	if err := w.FailOver(ctx, world.Scene{MessagesBefore: 20, MessagesDuring: 10, Shortcut: true}); err != nil {
		return res, err
	}
	if err := w.RebuildPrimary(ctx); err != nil {
		return res, err
	}
	seeded, err := w.SeedHistory(ctx, topology.RoleBackup, world.History{Bytes: cfg.Bytes, Seed: cfg.Seed})
	if err != nil {
		return res, err
	}
	res.Messages, res.SeedSeconds = seeded.Messages, seeded.Took.Seconds()
	if err := logBackup(ctx, w); err != nil {
		return res, err
	}
	if res.DiskWriteBps, res.DiskReadBps, err = DiskThroughput(ctx, cfg.Dir, min(cfg.Bytes, 256<<20)); err != nil {
		return res, err
	}
	fc, err := forecastBefore(ctx, w, ov)
	if err != nil {
		return res, err
	}
	res.ForecastOutageSeconds, res.ForecastRTOSeconds = fc.OutSeconds, fc.RTOSeconds
	for _, s := range fc.Steps {
		res.ForecastSteps = append(res.ForecastSteps, StepTime{Step: s.Step, Seconds: s.Seconds, Took: s.Took})
	}
	pri, _ := w.Topology.InstanceByRole(topology.RolePrimary)
	bak, _ := w.Topology.InstanceByRole(topology.RoleBackup)
	link, ok := w.WANLink(pri.DataCenter, bak.DataCenter)
	if !ok {
		return res, fmt.Errorf("scale: no WAN link between %s and %s", pri.DataCenter, bak.DataCenter)
	}
	linkBefore := link.Stats().Bytes
	// The process's writes less the simulator's scratch copies of rows
	// into its tables' segment files: a restore writes the database's
	// files once (those count); the segment is the simulator's in-memory
	// representation kept on disk, which a real SQL Server does not write,
	// and counting it would raise the limit and flatter the ratio.
	measureIO := func() (ioCounters, error) {
		scratch := w.SegmentBytesWritten()
		c, err := procIO()
		c.wchar -= scratch
		return c, err
	}
	ioBefore, err := measureIO()
	if err != nil {
		return res, err
	}
	var mu sync.Mutex
	steps := map[string]time.Duration{}
	var order []string
	// The outage's own bytes: counted from the moment the engine starts
	// the outage (FactOutageStart, step 1) to its measure (the first chat
	// session on the restored primary). What the run moves after it
	// (mirroring the primary databases, log shipping from the mirror) is
	// the RTO's, not the outage's.
	var outStart, outEnd *ioWindow
	profiling := false
	defer func() {
		mu.Lock()
		if profiling {
			pprof.StopCPUProfile()
		}
		mu.Unlock()
	}()
	sample := func() *ioWindow {
		c, err := measureIO()
		if err != nil {
			return nil
		}
		return &ioWindow{io: c, link: link.Stats().Bytes}
	}
	sink := failback.SinkFunc(func(e failback.Event) {
		if cfg.Logf != nil && (e.Kind == failback.KindSent || e.Kind == failback.KindPhase) && e.Seconds > 0.05 {
			cfg.Logf("%s %s %s %.2fs %s", e.Step, e.Kind, e.Phase, e.Seconds, e.Text)
		}
		switch {
		case e.Kind == failback.KindFact && e.Name == failback.FactOutageStart:
			mu.Lock()
			if outStart == nil {
				outStart = sample()
				if cfg.OutageProfile != nil && pprof.StartCPUProfile(cfg.OutageProfile) == nil {
					profiling = true
				}
			}
			mu.Unlock()
		case e.Kind == failback.KindMeasure && e.Name == failback.MeasureChatOutage:
			mu.Lock()
			if outEnd == nil {
				outEnd = sample()
				if profiling {
					pprof.StopCPUProfile()
					profiling = false
				}
			}
			mu.Unlock()
		}
		if e.Kind != failback.KindStepEnd {
			return
		}
		mu.Lock()
		if _, seen := steps[e.Step]; !seen {
			order = append(order, e.Step)
		}
		steps[e.Step] += time.Duration(e.Seconds * float64(time.Second))
		mu.Unlock()
	})
	run, err := RunFailback(ctx, w, sink)
	if err != nil {
		return res, err
	}
	ioAfter, err := measureIO()
	if err != nil {
		return res, err
	}
	res.OutageSeconds, res.RunSeconds = run.Outage.Seconds(), run.Result.Duration.Seconds()
	// The figures only count if the history arrived: every acknowledged
	// message by id and the seeded history by count, on the primary.
	if err := checkPrimary(ctx, w); err != nil {
		return res, err
	}
	if run.Outage <= 0 {
		return res, fmt.Errorf("scale: the engine measured no chat outage")
	}
	mu.Lock()
	for _, s := range order {
		res.Steps = append(res.Steps, StepTime{Step: s, Seconds: steps[s].Seconds(), Took: steps[s]})
	}
	mu.Unlock()
	res.RunLinkBytes = link.Stats().Bytes - linkBefore
	res.RunReadBytes, res.RunWriteBytes = ioAfter.rchar-ioBefore.rchar, ioAfter.wchar-ioBefore.wchar
	res.RunLimitSeconds = float64(res.RunLinkBytes)*8/(res.BandwidthMbps*1e6) +
		float64(res.RunWriteBytes)/res.DiskWriteBps + float64(res.RunReadBytes)/res.DiskReadBps
	mu.Lock()
	if outStart == nil || outEnd == nil {
		mu.Unlock()
		return res, fmt.Errorf("scale: the engine reported no outage start or end event")
	}
	res.LinkBytes = outEnd.link - outStart.link
	res.ReadBytes, res.WriteBytes = outEnd.io.rchar-outStart.io.rchar, outEnd.io.wchar-outStart.io.wchar
	res.OutageCPUSeconds = (outEnd.io.cpu - outStart.io.cpu).Seconds()
	mu.Unlock()
	res.LinkLimitSeconds = float64(res.LinkBytes) * 8 / (res.BandwidthMbps * 1e6)
	res.LimitSeconds = res.LinkLimitSeconds + float64(res.WriteBytes)/res.DiskWriteBps + float64(res.ReadBytes)/res.DiskReadBps
	res.Ratio = res.OutageSeconds / res.LimitSeconds
	res.RunRatio = res.RunSeconds / res.RunLimitSeconds
	res.ForecastError = math.Abs(res.ForecastOutageSeconds-res.OutageSeconds) / res.OutageSeconds
	res.ForecastRTOError = math.Abs(res.ForecastRTOSeconds-res.RunSeconds) / res.RunSeconds
	return res, nil
}

// checkPrimary checks the restored primary mgc against the ledger.
func checkPrimary(ctx context.Context, w *world.World) error {
	pri, err := w.InstanceByRole(topology.RolePrimary)
	if err != nil {
		return err
	}
	db, err := w.DB(pri, "mgc")
	if err != nil {
		return err
	}
	r, err := w.Ledger.Check(ctx, db, true)
	if err != nil {
		return fmt.Errorf("scale: ledger check on the primary: %w", err)
	}
	if !r.OK() || r.HistoryWant == 0 {
		return fmt.Errorf("scale: the primary mgc after failback: %s", r)
	}
	return nil
}

// logBackup takes the backup mgc's regular log backup after seeding (a
// production mgc in FULL recovery has its log backed up every few
// minutes), so the failback's tail-log backup carries minutes of log, not
// the whole seeded history. It goes to NUL: nothing in the failback reads
// it (its full backup starts the chain the primary is restored from, and
// the forecast reads full backups only), production keeps its log backups
// on the backup server's backup volume under their retention, not on the
// disks the failback uses, and a file here was one more copy of the whole
// history on this machine's one disk (DiskPerByte). msdb records it and
// the log's backup chain moves on as for a file (SQL Server's BACKUP LOG
// ... TO DISK = 'NUL').
func logBackup(ctx context.Context, w *world.World) error {
	bak, err := w.InstanceByRole(topology.RoleBackup)
	if err != nil {
		return err
	}
	db, err := w.DB(bak, "master")
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `BACKUP LOG mgc TO DISK = 'NUL'`); err != nil {
		return fmt.Errorf("scale: log backup after seeding: %w", err)
	}
	return nil
}

// forecastBefore takes the nightly full backup a production backup
// instance has in its msdb (to local disk, COPY_ONLY so the log chain is
// untouched), then reads failback forecast's inputs exactly as the CLI
// does, over TDS from the servers.
func forecastBefore(ctx context.Context, w *world.World, ov *failback.Overheads) (failback.Forecast, error) {
	bak, err := w.InstanceByRole(topology.RoleBackup)
	if err != nil {
		return failback.Forecast{}, err
	}
	db, err := w.DB(bak, "master")
	if err != nil {
		return failback.Forecast{}, err
	}
	if _, err := db.ExecContext(ctx, `BACKUP DATABASE mgc TO DISK = 'C:\SQLBackup\mgc_nightly.bak' WITH INIT, COPY_ONLY, CHECKSUM`); err != nil {
		return failback.Forecast{}, fmt.Errorf("scale: nightly backup: %w", err)
	}
	conn, err := failback.Connect(ctx, w.Topology, failback.Options{})
	if err != nil {
		return failback.Forecast{}, fmt.Errorf("scale: forecast: %w", err)
	}
	defer conn.Close()
	in, err := failback.ReadForecastInputs(ctx, conn.Env)
	if err != nil {
		return failback.Forecast{}, fmt.Errorf("scale: forecast: %w", err)
	}
	in.Overheads = ov
	return failback.ComputeForecast(in, w.Topology.Objectives), nil
}

// calibrate fails back a world without history over the same links and
// calibrates the forecast's fixed times on its events.
func calibrate(ctx context.Context, topo *topology.Topology, dir string, size int64) (*failback.Overheads, error) {
	cdir, err := os.MkdirTemp(dir, "calibrate-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(cdir)
	w, err := world.Start(ctx, world.Options{Topology: topo, Dir: cdir, Links: true})
	if err != nil {
		return nil, err
	}
	defer w.Close()
	if err := w.FailOver(ctx, world.Scene{MessagesBefore: 20, MessagesDuring: 10, Shortcut: true}); err != nil {
		return nil, err
	}
	if err := w.RebuildPrimary(ctx); err != nil {
		return nil, err
	}
	// A rehearsal on half the history (as an operator's last quarterly
	// rehearsal would be on a smaller mgc): its RESTORE reports a
	// throughput SQL Server's way (message 3014) in the journal.
	if _, err := w.SeedHistory(ctx, topology.RoleBackup, world.History{Bytes: size, Seed: 3}); err != nil {
		return nil, err
	}
	if err := logBackup(ctx, w); err != nil {
		return nil, err
	}
	var mu sync.Mutex
	var evs []failback.Event
	if _, err := RunFailback(ctx, w, failback.SinkFunc(func(e failback.Event) {
		mu.Lock()
		evs = append(evs, e)
		mu.Unlock()
	})); err != nil {
		return nil, fmt.Errorf("scale: calibration run: %w", err)
	}
	mu.Lock()
	defer mu.Unlock()
	ov, ok := failback.CalibrateOverheads(evs)
	if !ok {
		return nil, fmt.Errorf("scale: the calibration run did not calibrate")
	}
	return ov, nil
}

type ioCounters struct {
	rchar, wchar int64
	cpu          time.Duration // user+system CPU of the process (getrusage)
}

// ioWindow is the process's I/O counters and the link's bytes at a moment.
type ioWindow struct {
	io   ioCounters
	link int64
}

// procIO reads the process's read and write byte counters (Linux).
func procIO() (ioCounters, error) {
	f, err := os.Open("/proc/self/io")
	if err != nil {
		return ioCounters{}, fmt.Errorf("scale: bytes read and written need /proc/self/io: %w", err)
	}
	defer f.Close()
	var c ioCounters
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			continue
		}
		switch k {
		case "rchar":
			c.rchar = n
		case "wchar":
			c.wchar = n
		}
	}
	if err := sc.Err(); err != nil {
		return c, err
	}
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return c, fmt.Errorf("scale: CPU time: %w", err)
	}
	c.cpu = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	return c, nil
}

// DiskThroughput measures writing n bytes to a file in dir (1 MiB writes,
// then fsync) and reading them back, in bytes per second: the disk the
// world's instances and share live on, as the simulator uses it.
func DiskThroughput(ctx context.Context, dir string, n int64) (writeBps, readBps float64, err error) {
	n = max(n, 16<<20)
	path := filepath.Join(dir, "disk-throughput.tmp")
	defer os.Remove(path)
	f, err := os.Create(path)
	if err != nil {
		return 0, 0, fmt.Errorf("scale: disk throughput: %w", err)
	}
	buf := make([]byte, 1<<20)
	for i := range buf {
		buf[i] = byte(i * 7)
	}
	t0 := time.Now()
	for left := n; left > 0; left -= int64(len(buf)) {
		if err := ctx.Err(); err != nil {
			f.Close()
			return 0, 0, err
		}
		if _, err := f.Write(buf[:min(int64(len(buf)), left)]); err != nil {
			f.Close()
			return 0, 0, fmt.Errorf("scale: disk throughput: %w", err)
		}
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return 0, 0, fmt.Errorf("scale: disk throughput: %w", err)
	}
	writeBps = float64(n) / time.Since(t0).Seconds()
	if _, err := f.Seek(0, 0); err != nil {
		f.Close()
		return 0, 0, err
	}
	t0 = time.Now()
	var got int64
	for {
		k, err := f.Read(buf)
		got += int64(k)
		if err != nil || k == 0 {
			break
		}
	}
	readBps = float64(got) / time.Since(t0).Seconds()
	return writeBps, readBps, f.Close()
}

// MemoryPerByte is about how much memory (anonymous: the Go heap and the
// runtime) a MeasureScale run needs per byte of history. Each instance
// with a copy of mgc (the backup's, the restored primary's, the mirrors')
// keeps it as a compact segment in mapped files (sim/mssql/storage/rowseg):
// the rows' bytes are page cache the kernel writes back and drops under
// pressure, and the heap keeps about 0.1 to 0.2 bytes per history byte of
// each copy (row locations, ids and the key index). The ledger's check
// after the run (a full scan of tblChat) was the peak while the engine
// decoded every column of every row and built the whole result before
// sending it (1.4 B/B more live heap at 256 MiB); it now streams
// (engine/scan_stream.go; BenchmarkLedgerCheckMemory: 0.16 B/B against
// 1.86 for the general plan). Peak live heap of a whole run is now about
// 0.5 B/B (256 MiB, sampled at GOGC=10: 0.53, was 2.17) and the collector's
// headroom doubles it: at 1 GiB the peak anonymous memory (RssAnon) was
// 851 MiB, 0.83 B/B, beside 2.85 GiB of mapped segment pages (RssFile,
// reclaimable). 1.5 keeps a margin over that. It was 24 before segments
// and 8 before streaming (peak RSS 5.2-5.6 GiB at 1 GiB).
const MemoryPerByte = 1.5

// DiskPerByte is about how much disk a MeasureScale run takes at its peak
// per byte of history (benchscale's table says each run's peak). What is
// left at the peak, each about the history's size: the seeded backup
// instance's log of the seeding and its segment files, the nightly
// backup, the failback's full backup and the mirroring's on the share,
// and the restored primary's and mirror's snapshots, which their segments
// read their rows from (engine/restore_pipe.go). Sampled every few
// seconds: 6.3 B/B at 100 MiB, 6.4 at 1 GiB (6.9 GB; 5.2 for the
// calibration's world at 512 MiB, which has no nightly backup). It was
// 11-12 while every restored copy was on disk twice (snapshot and segment
// files), each instance rewrote its mgc in full when it closed (the
// peak), and the seeding's log backup was a file. The calibration run
// (half the size, its own world) is removed before the measured run
// starts.
const DiskPerByte = 7

// FitsOnDisk says whether a run with bytes of history fits in the free
// space of the file system holding dir; ok is true when it cannot tell.
func FitsOnDisk(dir string, bytes int64) (ok bool, need, free int64) {
	need = bytes * DiskPerByte
	if dir == "" {
		dir = os.TempDir()
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return true, need, 0
	}
	free = int64(st.Bavail) * int64(st.Bsize)
	return need <= free, need, free
}

// FitsInMemory says whether a run with bytes of history fits in this
// machine's available memory (Linux MemAvailable); ok is true when it
// cannot tell.
func FitsInMemory(bytes int64) (ok bool, need, avail int64) {
	need = int64(float64(bytes) * MemoryPerByte)
	b, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return true, need, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, found := strings.Cut(line, ":")
		if !found || k != "MemAvailable" {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			break
		}
		kb, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			break
		}
		avail = kb << 10
		return need <= avail, need, avail
	}
	return true, need, 0
}
