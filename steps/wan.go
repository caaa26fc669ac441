package steps

import (
	"context"
	"fmt"
	"time"

	"github.com/cucumber/godog"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/sim/fault"
	"github.com/pchatdr/harness/sim/world"
)

// wanState is what the WAN scenarios (features/wan.feature) set and
// measured.
type wanState struct {
	linkMbps  float64 // the links' bandwidth for the world ("" file's otherwise)
	seeded    int64   // bytes of history seeded into the backup's mgc
	share     float64 // fraction of the bandwidth the link carries during the run
	runBytes  int64   // bytes that crossed the link during the engine's run
	counting  bool
	linkStart int64
}

func registerWAN(sc *godog.ScenarioContext) {
	sc.Step(`^the world from "([^"]*)" with data-center links of (\d+) Mbit/s$`, worldWithSlowLinks)
	sc.Step(`^the backup mgc holds a chat history of (\d+) MiB$`, backupHoldsHistory)
	sc.Step(`^the link between "([^"]*)" and "([^"]*)" carries (\d+)% of its bandwidth$`, linkCarries)
	sc.Step(`^at least (\d+) cop(?:y|ies) of the backup mgc's full backup crossed the link during the failback$`, copiesCrossed)
	sc.Step(`^the chat outage took at least the time the link needs for what crossed it$`, outageAtLeastLinkTime)
}

func withBandwidth(links []topology.Link, mbps float64) []topology.Link {
	out := append([]topology.Link(nil), links...)
	for i := range out {
		out[i].BandwidthMbps = mbps
	}
	return out
}

func worldWithSlowLinks(ctx context.Context, file string, mbps int) error {
	st := get(ctx)
	st.wan.linkMbps, st.links = float64(mbps), true
	return startWorld(ctx, file, Options{}, "", func(t *topology.Topology) { t.Links = withBandwidth(t.Links, float64(mbps)) })
}

func backupHoldsHistory(ctx context.Context, mib int) error {
	st := get(ctx)
	s, err := st.world.SeedHistory(ctx, topology.RoleBackup, world.History{Bytes: int64(mib) << 20, Seed: 17})
	st.wan.seeded = s.Bytes
	return skipIfNotApplicable(err)
}

// linkCarries congests the link for the rest of the scenario and counts
// the bytes that cross it while the engine runs.
func linkCarries(ctx context.Context, a, b string, percent int) error {
	st := get(ctx)
	st.wan.share = float64(percent) / 100
	if percent < 100 {
		if err := inject(ctx, fault.LinkCongestion{Link: world.LinkName(a, b), Factor: st.wan.share}); err != nil {
			return err
		}
	}
	link, ok := st.world.WANLink(a, b)
	if !ok {
		return fmt.Errorf("the world has no WAN link between %s and %s", a, b)
	}
	st.onEvent = append(st.onEvent, func(e failback.Event) {
		switch e.Kind {
		case failback.KindRunStart:
			st.wan.linkStart, st.wan.counting = link.Stats().Bytes, true
		case failback.KindRunEnd:
			if st.wan.counting {
				st.wan.runBytes, st.wan.counting = link.Stats().Bytes-st.wan.linkStart, false
			}
		}
	})
	return nil
}

// copiesCrossed compares the bytes that crossed the link during the run
// with the newest full backup of mgc the backup instance's msdb records
// (the failback's step 3).
func copiesCrossed(ctx context.Context, n int) error {
	msdb, _, err := db(ctx, "backup", "msdb")
	if err != nil {
		return err
	}
	var size int64
	if err := msdb.QueryRowContext(ctx, "SELECT TOP (1) CAST(compressed_backup_size AS bigint) FROM dbo.backupset WHERE database_name = N'mgc' AND type = 'D' ORDER BY backup_finish_date DESC").Scan(&size); err != nil {
		return fmt.Errorf("the backup's msdb.dbo.backupset: %w", err)
	}
	w := get(ctx).wan
	if size == 0 || w.runBytes < int64(n)*size {
		return fmt.Errorf("%d bytes crossed the link during the failback, want at least %d copies of the %d-byte backup of mgc (history seeded: %d bytes)", w.runBytes, n, size, w.seeded)
	}
	return nil
}

// outageAtLeastLinkTime: the outage can be no shorter than the time the
// bytes that crossed the link need at the bandwidth it carried (a physical
// lower bound: a busy machine only makes the outage longer, so this never
// fails for load, only when bytes cross unpaced).
func outageAtLeastLinkTime(ctx context.Context) error {
	st := get(ctx)
	run := st.engine
	if run == nil || run.outage == 0 {
		return fmt.Errorf("the engine measured no chat outage")
	}
	if st.wan.runBytes == 0 {
		return fmt.Errorf("no byte crossed the link during the failback")
	}
	mbps := st.wan.linkMbps * st.wan.share
	need := time.Duration(float64(st.wan.runBytes) * 8 / (mbps * 1e6) * float64(time.Second))
	if run.outage < need {
		return fmt.Errorf("chat outage %s, shorter than the %s the link needs for %d bytes at %g Mbit/s: traffic crossed unpaced",
			run.outage.Round(time.Millisecond), need.Round(time.Millisecond), st.wan.runBytes, mbps)
	}
	return nil
}
