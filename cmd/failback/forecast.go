package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/pchatdr/harness/failback"
	"github.com/pchatdr/harness/failback/topology"
)

// forecast prints the failback's forecast from the servers (read-only).
// Exit 0 when it could be computed, whether the objectives are met or not
// (the verdict is in the output); 1 when a server could not be read.
func forecast(ctx context.Context, topo *topology.Topology, calibrate string, asJSON bool, stdout, stderr io.Writer) int {
	var ov *failback.Overheads
	if calibrate != "" {
		evs, _, err := failback.ReadJournalFile(calibrate)
		if err != nil {
			fmt.Fprintf(stderr, "failback forecast: --calibrate: %v\n", err)
			return exitUsage
		}
		var ok bool
		if ov, ok = failback.CalibrateOverheads(evs); !ok {
			fmt.Fprintf(stderr, "failback forecast: --calibrate: journal %s holds no completed failback with a measured outage; use a rehearsal's journal\n", calibrate)
			return exitUsage
		}
	}
	conn, err := failback.Connect(ctx, topo, failback.Options{})
	if err != nil {
		fmt.Fprintf(stderr, "failback forecast: %v\n", err)
		return exitFailed
	}
	defer conn.Close()
	in, err := failback.ReadForecastInputs(ctx, conn.Env)
	if err != nil {
		fmt.Fprintf(stderr, "failback forecast: %v\n", err)
		return exitFailed
	}
	in.Overheads = ov
	f := failback.ComputeForecast(in, topo.Objectives)
	if asJSON {
		if err := json.NewEncoder(stdout).Encode(f); err != nil {
			fmt.Fprintf(stderr, "failback forecast: %v\n", err)
			return exitFailed
		}
		return exitDone
	}
	fmt.Fprint(stdout, f.String())
	return exitDone
}
