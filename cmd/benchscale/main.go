// Command benchscale runs the failback of a production-sized mgc at several
// sizes and link bandwidths in the simulated world (loadtest.MeasureScale)
// and writes what it measured beside the physical limit of each run: a
// Markdown table (table.md), the figures (results.json) and a plot of the
// outage and each step's duration against size (plot.svg, inside
// report.html). make bench-scale runs it; it is not part of make test.
//
//	benchscale -sizes 100MiB,1GiB,10GiB -bandwidths 1000,500 -out bench-scale
//
// A size whose run would not fit in this machine's memory is skipped and
// the table says so (loadtest.MemoryPerByte: each instance keeps its copy
// of mgc as a compact segment in mapped files, and the ledger's full scan
// of tblChat streams), or on its disk (loadtest.DiskPerByte: a run leaves
// about six copies of mgc at its peak: the seeded backup's log and
// segments, the nightly backup, the failback's and the mirroring's full
// backups, the restored primary's and mirror's snapshots).
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/pchatdr/harness/loadtest"
)

func main() {
	os.Exit(run())
}

func run() int {
	sizes := flag.String("sizes", "100MiB,1GiB,10GiB", "chat history sizes seeded into mgc, comma-separated (KiB, MiB, GiB)")
	bws := flag.String("bandwidths", "1000,500", "link bandwidths in Mbit/s, comma-separated")
	out := flag.String("out", "bench-scale", "folder for table.md, results.json, plot.svg and report.html")
	work := flag.String("work", "", "folder for the worlds (default: a temporary folder; its disk is the one measured)")
	seed := flag.Uint64("seed", 17, "seed of the seeded history")
	flag.Parse()
	var sz []int64
	for _, s := range strings.Split(*sizes, ",") {
		n, err := parseSize(s)
		if err != nil {
			fmt.Fprintln(os.Stderr, "benchscale: -sizes:", err)
			return 3
		}
		sz = append(sz, n)
	}
	var bw []float64
	for _, s := range strings.Split(*bws, ",") {
		f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil || f <= 0 {
			fmt.Fprintf(os.Stderr, "benchscale: -bandwidths: %q is not a positive number of Mbit/s\n", s)
			return 3
		}
		bw = append(bw, f)
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "benchscale:", err)
		return 3
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	var rows []row
	failed := false
	for _, b := range bw {
		for _, n := range sz {
			r := row{Bytes: n, BandwidthMbps: b}
			if ok, need, avail := loadtest.FitsInMemory(n); !ok {
				r.Skipped = fmt.Sprintf("needs about %s of memory, %s available", human(need), human(avail))
				fmt.Printf("%s at %g Mbit/s: skipped: %s\n", human(n), b, r.Skipped)
				rows = append(rows, r)
				continue
			}
			if ok, need, free := loadtest.FitsOnDisk(*work, n); !ok {
				r.Skipped = fmt.Sprintf("needs about %s of disk, %s free", human(need), human(free))
				fmt.Printf("%s at %g Mbit/s: skipped: %s\n", human(n), b, r.Skipped)
				rows = append(rows, r)
				continue
			}
			dir, err := os.MkdirTemp(*work, "benchscale-")
			if err != nil {
				fmt.Fprintln(os.Stderr, "benchscale:", err)
				return 1
			}
			hwmReset := resetPeakRSS()
			anon, disk := watchAnon(ctx), watchDisk(ctx, dir)
			res, err := loadtest.MeasureScale(ctx, loadtest.ScaleConfig{Bytes: n, BandwidthMbps: b, Dir: dir, Seed: *seed, Calibrate: true})
			r.PeakAnon, r.PeakDisk = anon(), disk()
			os.RemoveAll(dir)
			r.Result = &res
			if err != nil {
				r.Error = err.Error()
				failed = true
				fmt.Printf("%s at %g Mbit/s: failed: %v\n", human(n), b, err)
			} else {
				fmt.Printf("%s at %g Mbit/s: outage %.1fs, run %.1fs, limit %.1fs, ratio %.2f\n", human(n), b, res.OutageSeconds, res.RunSeconds, res.LimitSeconds, res.Ratio)
			}
			// Without the reset, VmHWM is the process's high-water mark
			// over every run so far: each row after the 10 GiB one said
			// 15.4 GiB, the 10 GiB run's peak, not its own.
			if hwmReset {
				r.PeakRSS = peakRSS()
			}
			rows = append(rows, r)
			runtime.GC()
			debug.FreeOSMemory()
			if ctx.Err() != nil {
				break
			}
		}
	}
	if err := write(*out, rows); err != nil {
		fmt.Fprintln(os.Stderr, "benchscale:", err)
		return 1
	}
	fmt.Printf("wrote %s\n", filepath.Join(*out, "table.md"))
	if failed {
		return 1
	}
	return 0
}

type row struct {
	Bytes         int64                 `json:"bytes"`
	BandwidthMbps float64               `json:"bandwidth_mbps"`
	Result        *loadtest.ScaleResult `json:"result,omitempty"`
	Skipped       string                `json:"skipped,omitempty"`
	Error         string                `json:"error,omitempty"`
	PeakRSS       int64                 `json:"peak_rss_bytes,omitempty"`
	// PeakAnon is the most anonymous memory (RssAnon: the heap, not the
	// mapped segment files' page cache that PeakRSS also counts) sampled
	// during the run.
	PeakAnon int64 `json:"peak_anon_bytes,omitempty"`
	// PeakDisk is the most disk the run's worlds took, sampled each second
	// (watchDisk; loadtest.DiskPerByte is set from it).
	PeakDisk int64 `json:"peak_disk_bytes,omitempty"`
}

func write(dir string, rows []row) error {
	j, err := json.MarshalIndent(rows, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.json"), j, 0o644); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "table.md"), []byte(table(rows)), 0o644); err != nil {
		return err
	}
	svg := plot(rows)
	if err := os.WriteFile(filepath.Join(dir, "plot.svg"), []byte(svg), 0o644); err != nil {
		return err
	}
	html := "<!doctype html><meta charset=utf-8><title>failback at scale</title><h1>Failback at scale</h1>\n" +
		"<p>Outage and step durations against the size of mgc's chat history, with the physical limit (bytes across the link over its bandwidth, plus bytes read and written over the disk's measured throughput).</p>\n" +
		svg + "\n<pre>" + escape(table(rows)) + "</pre>\n"
	return os.WriteFile(filepath.Join(dir, "report.html"), []byte(html), 0o644)
}

func escape(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
}

// table is the Markdown table of every run.
func table(rows []row) string {
	var b strings.Builder
	b.WriteString("| history | link | outage | RTO (run) | outage limit | ratio | run limit | run ratio | link part | across link | disk w/r | forecast outage / RTO (error) | steps (backup / restore / log shipping / mirroring) | peak RSS (anon) | peak disk (per history byte) |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %g Mbit/s | ", human(r.Bytes), r.BandwidthMbps)
		switch {
		case r.Skipped != "":
			fmt.Fprintf(&b, "skipped: %s | | | | | | | | | | | | |\n", r.Skipped)
			continue
		case r.Error != "":
			fmt.Fprintf(&b, "failed: %s | | | | | | | | | | | | |\n", strings.ReplaceAll(r.Error, "|", "/"))
			continue
		}
		x := r.Result
		st := map[string]float64{}
		for _, s := range x.Steps {
			st[s.Step] = s.Seconds
		}
		fmt.Fprintf(&b, "%.1f s | %.1f s | %.1f s | %.2f | %.1f s | %.2f | %.1f s | %s | %.0f/%.0f MB/s | %.1f s / %.1f s (%.0f%% / %.0f%%) | %.1f / %.1f / %.1f / %.1f s | %s | %s |\n",
			x.OutageSeconds, x.RunSeconds, x.LimitSeconds, x.Ratio, x.RunLimitSeconds, x.RunRatio, x.LinkLimitSeconds, human(x.LinkBytes),
			x.DiskWriteBps/1e6, x.DiskReadBps/1e6, x.ForecastOutageSeconds, x.ForecastRTOSeconds, 100*x.ForecastError, 100*x.ForecastRTOError,
			st["backup-backup-mgc"], st["restore-primary-mgc"], st["configure-log-shipping"], st["mirror-primary-databases"], rssCell(r.PeakRSS, r.PeakAnon), perByte(r.PeakDisk, r.Bytes))
	}
	return b.String()
}

// perByte is a peak of disk with what it is per byte of history.
func perByte(n, history int64) string {
	if n <= 0 || history <= 0 {
		return ""
	}
	return fmt.Sprintf("%s (%.1f B/B)", human(n), float64(n)/float64(history))
}

func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.m
			break
		}
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q: want a size like 100MiB or 1GiB", s)
	}
	return int64(n * float64(mult)), nil
}

func human(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// watchAnon samples the process's anonymous memory (RssAnon) every 200
// ms until the returned function is called, which stops the sampling and
// returns the most it saw.
func watchAnon(ctx context.Context) func() int64 {
	return watchPeak(ctx, 200*time.Millisecond, func() int64 {
		n, _ := procField("/proc/self/status", "RssAnon")
		return n
	})
}

// watchPeak calls sample every period, until the function it returns is
// called, which stops the sampling (its goroutine has ended when it
// returns) and returns the most sample said.
func watchPeak(ctx context.Context, period time.Duration, sample func() int64) func() int64 {
	var peak atomic.Int64
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(period)
		defer t.Stop()
		for {
			if n := sample(); n > peak.Load() {
				peak.Store(n)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		cancel()
		<-done
		return peak.Load()
	}
}

// peakRSS is the process's high-water resident set (VmHWM) since the
// last resetPeakRSS.
func peakRSS() int64 {
	n, _ := procField("/proc/self/status", "VmHWM")
	return n
}

func procField(path, key string) (int64, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(string(b), "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok || k != key {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			return 0, false
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0, false
		}
		return n << 10, true // kB
	}
	return 0, false
}

// resetPeakRSS sets the process's VmHWM to its resident set now (Linux's
// clear_refs, value 5), so that peakRSS after a run is that run's peak.
// It reports false where the kernel refuses; the table then leaves the
// run's peak RSS out rather than print another run's.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// rssCell is the table's memory cell: the run's peak resident set (its
// anonymous part). Without a peak of the run's own (resetPeakRSS refused)
// it says so instead of printing another run's.
func rssCell(rss, anon int64) string {
	if rss <= 0 {
		return "unknown (" + human(anon) + ")"
	}
	return human(rss) + " (" + human(anon) + ")"
}
