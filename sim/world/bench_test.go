package world

import (
	"context"
	"testing"

	"github.com/pchatdr/harness/sim/containers"
	"github.com/pchatdr/harness/topologies"
)

// BenchmarkWorldStart: the embedded topology's world (four SQL Server
// instances, the management endpoint) from nothing to ready, in process
// and with every instance in a container (images already built), for the
// start-time comparison issue 7 asks for.
func BenchmarkWorldStart(b *testing.B) {
	for _, target := range []Target{TargetEmbedded, TargetContainers} {
		b.Run(string(target), func(b *testing.B) {
			ctx := context.Background()
			if target == TargetContainers {
				if err := containers.Available(ctx); err != nil {
					b.Skipf("needs Docker: %v", err)
				}
			}
			topo, err := topologies.Load("embedded.yaml")
			if err != nil {
				b.Fatal(err)
			}
			warm := func() {
				w, err := Start(ctx, Options{Topology: topo, Dir: b.TempDir(), Target: target})
				if err != nil {
					b.Fatal(err)
				}
				w.Close()
			}
			warm() // builds the images once, outside the timing
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				dir := b.TempDir()
				b.StartTimer()
				w, err := Start(ctx, Options{Topology: topo, Dir: dir, Target: target})
				if err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if err := w.Close(); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
			}
		})
	}
}
