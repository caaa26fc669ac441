package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/pchatdr/harness/evidence"
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

// A run records its forecast in the run-start event's attributes, so the
// journal and the evidence built from it keep it beside the actual figures.
const (
	attrForecastRTO    = evidence.AttrForecastRTO
	attrForecastOutage = evidence.AttrForecastOutage
	attrForecastStep   = evidence.AttrForecastStep
)

// startForecast prints the failback's forecast before a run and records it
// in attrs. A forecast that cannot be read is said and the run goes on: it
// informs, it does not decide.
func startForecast(ctx context.Context, e *failback.Env, topo *topology.Topology, attrs map[string]string, stderr io.Writer) {
	in, err := failback.ReadForecastInputs(ctx, e)
	if err != nil {
		fmt.Fprintf(stderr, "forecast: not available (%v)\n", err)
		return
	}
	f := failback.ComputeForecast(in, topo.Objectives)
	fmt.Fprint(stderr, f.String())
	attrs[attrForecastRTO] = strconv.FormatFloat(f.RTOSeconds, 'f', 1, 64)
	attrs[attrForecastOutage] = strconv.FormatFloat(f.OutSeconds, 'f', 1, 64)
	for _, s := range f.Steps {
		attrs[attrForecastStep+s.Step] = strconv.FormatFloat(s.Seconds, 'f', 1, 64)
	}
}

// forecastBeside prints, as each step ends, its duration beside its
// forecast.
func forecastBeside(attrs map[string]string, stderr io.Writer) failback.Sink {
	var mu sync.Mutex
	return failback.SinkFunc(func(e failback.Event) {
		if e.Kind != failback.KindStepEnd {
			return
		}
		v, ok := attrs[attrForecastStep+e.Step]
		if !ok {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(stderr, "  %s: %s, forecast %ss\n", e.Step, time.Duration(e.Seconds*float64(time.Second)).Round(100*time.Millisecond), v)
	})
}
