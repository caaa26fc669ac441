package loadtest

import (
	"fmt"
	"os"
	"strconv"
	"testing"
)

// BenchmarkOutageVsLimit fails back a 1 GiB mgc (PCHAT_SCALE_BYTES
// overrides) across a simulated 1 Gbit/s link and reports ratio: the
// engine-measured chat outage over the procedure's physical limit on this
// machine (bytes across the link over its bandwidth, plus bytes written
// and read over the disk throughput measured in the same run). Goal: ratio
// <= 1.25. Run it alone (make bench-scale, or go test -run '^$' -bench
// OutageVsLimit ./loadtest): it needs several GiB of memory and a minute.
func BenchmarkOutageVsLimit(b *testing.B) {
	size := int64(1 << 30)
	if s := os.Getenv("PCHAT_SCALE_BYTES"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			b.Fatalf("PCHAT_SCALE_BYTES=%q: want a positive number of bytes", s)
		}
		size = n
	}
	if ok, need, avail := FitsInMemory(size); !ok {
		b.Skipf("a %d-byte history needs about %d bytes of memory, %d available (PCHAT_SCALE_BYTES sets a smaller one)", size, need, avail)
	}
	if ok, need, free := FitsOnDisk("", size); !ok {
		b.Skipf("a %d-byte history needs about %d bytes of disk, %d free (PCHAT_SCALE_BYTES sets a smaller one)", size, need, free)
	}
	cfg := ScaleConfig{Bytes: size, BandwidthMbps: 1000, Seed: 17, Calibrate: true}
	// PCHAT_SCALE_PROFILE=file writes a CPU profile of the outage alone
	// (run without -cpuprofile); PCHAT_SCALE_LOG=1 logs the statements
	// and phases that took long.
	if p := os.Getenv("PCHAT_SCALE_PROFILE"); p != "" {
		f, err := os.Create(p)
		if err != nil {
			b.Fatal(err)
		}
		defer f.Close()
		cfg.OutageProfile = f
	}
	if os.Getenv("PCHAT_SCALE_LOG") != "" {
		cfg.Logf = func(format string, args ...any) { fmt.Fprintf(os.Stderr, format+"\n", args...) }
	}
	var last ScaleResult
	for i := 0; i < b.N; i++ {
		cfg.Dir = b.TempDir()
		r, err := MeasureScale(b.Context(), cfg)
		if err != nil {
			b.Fatal(err)
		}
		last = r
	}
	b.ReportMetric(last.Ratio, "ratio")
	b.ReportMetric(last.OutageSeconds, "outage_s")
	b.ReportMetric(last.LimitSeconds, "limit_s")
	b.ReportMetric(float64(last.LinkBytes)/(1<<20), "link_MiB")
	b.ReportMetric(last.ForecastError, "forecast_outage_err")
	b.ReportMetric(last.ForecastRTOError, "forecast_rto_err")
	b.ReportMetric(last.RunRatio, "run_ratio")
	b.ReportMetric(last.OutageCPUSeconds, "outage_cpu_s")
	b.Logf("%d bytes: outage %.1fs, run %.1fs, outage limit %.1fs (link %.1fs for %d bytes at %g Mbit/s; wrote %d B at %.0f MB/s, read %d B at %.0f MB/s); run limit %.1fs (link %d B, wrote %d B, read %d B); steps %v",
		size, last.OutageSeconds, last.RunSeconds, last.LimitSeconds, last.LinkLimitSeconds, last.LinkBytes, last.BandwidthMbps,
		last.WriteBytes, last.DiskWriteBps/1e6, last.ReadBytes, last.DiskReadBps/1e6, last.RunLimitSeconds, last.RunLinkBytes, last.RunWriteBytes, last.RunReadBytes, last.Steps)
	for i, s := range last.Steps {
		if i < len(last.ForecastSteps) {
			b.Logf("  %-24s actual %6.1fs  forecast %6.1fs", s.Step, s.Seconds, last.ForecastSteps[i].Seconds)
		}
	}
	b.Logf("forecast: outage %.1fs (measured %.1fs, error %.0f%%), RTO %.1fs (measured %.1fs, error %.0f%%)",
		last.ForecastOutageSeconds, last.OutageSeconds, 100*last.ForecastError, last.ForecastRTOSeconds, last.RunSeconds, 100*last.ForecastRTOError)
}
