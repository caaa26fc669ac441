package main

import (
	"runtime"
	"runtime/debug"
	"testing"
)

// TestPeakRSSIsPerRun: after a large allocation is freed, a reset makes
// peakRSS the resident set from then on, not the process's old peak (the
// table's rows after the 10 GiB run all said that run's 15.4 GiB).
func TestPeakRSSIsPerRun(t *testing.T) {
	const big = 256 << 20
	b := make([]byte, big)
	for i := 0; i < len(b); i += 4096 {
		b[i] = 1
	}
	before := peakRSS()
	if before < big {
		t.Fatalf("VmHWM %d after touching %d bytes: cannot read the peak", before, big)
	}
	runtime.KeepAlive(b)
	b = nil
	runtime.GC()
	debug.FreeOSMemory()
	if !resetPeakRSS() {
		t.Skip("the kernel refuses /proc/self/clear_refs: benchscale leaves the per-run peak out")
	}
	if after := peakRSS(); after > before-big/2 {
		t.Fatalf("peak after a reset %d, before it %d: the freed %d bytes still count", after, before, big)
	}
	if rssCell(0, 1<<20) != "unknown (1 MiB)" {
		t.Fatalf("rssCell without a peak = %q", rssCell(0, 1<<20))
	}
}
