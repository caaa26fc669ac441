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
func forecast(ctx context.Context, topo *topology.Topology, asJSON bool, stdout, stderr io.Writer) int {
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
