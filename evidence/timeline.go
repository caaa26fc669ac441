package evidence

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/pchatdr/harness/failback"
)

// Colours of the report, fixed: a legend explains each, print keeps them
// (print-color-adjust), and the browser check looks for the verdict's and
// the step bars' own colours in a screenshot, so no two meanings share
// one.
const (
	ColourMet         = "#1a7f37"
	ColourNotMet      = "#a40e26"
	ColourNotMeasured = "#6e7781"
	ColourVerified    = "#0969da"
	ColourDone        = "#8c959f"
	ColourStepFailed  = "#cf222e"
	ColourNotEnded    = "#bf8700"
	ColourOutage      = "#fb8f44"
)

// markClass is what a mark on a lane means; each has its own colour and
// legend entry.
type markClass struct {
	Name, Colour string
}

var (
	classSQL        = markClass{"T-SQL statement", "#8250df"}
	classCmdlet     = markClass{"cmdlet (PowerShell over WinRM)", "#bf3989"}
	classPool       = markClass{"pool change (state, active servers, mirror)", "#9a6700"}
	classConnect    = markClass{"chat server connects to a store", "#2da44e"}
	classDisconnect = markClass{"chat server disconnects", "#4d2d00"}
	classPost       = markClass{"chat post acknowledged", "#1b7c83"}
	classFault      = markClass{"injected fault", "#000000"}
	classError      = markClass{"event with an error", "#ff0000"}
	classLifecycle  = markClass{"instance or endpoint start, stop, restart", "#57606a"}
	classHarness    = markClass{"harness action (mirroring, log shipping, jobs, failover set-up)", "#afb8c1"}
)

// classify puts a mark in its class; ok is false for the engine's own
// bookkeeping (step boundaries, phases, facts), which the step bars show.
func classify(m Mark) (markClass, bool) {
	if m.Err != "" {
		return classError, true
	}
	engine := strings.HasPrefix(m.Component, "engine")
	switch m.Kind {
	case failback.KindSent:
		// The timeline keeps the text, not the target: Lync cmdlets are
		// Verb-Cs... (Set-CsPersistentChatState, Install-CsMirrorDatabase).
		if strings.Contains(m.Detail, "-Cs") {
			return classCmdlet, true
		}
		return classSQL, true
	case "sql":
		return classSQL, true
	case "cmdlet", "command":
		return classCmdlet, true
	case "activeServers", "poolState", "mirror":
		return classPool, true
	case "connect":
		return classConnect, true
	case "disconnect":
		return classDisconnect, true
	case "post":
		return classPost, true
	case "fault":
		return classFault, true
	case "start", "stop", "restart", "remove":
		return classLifecycle, true
	}
	if engine {
		return markClass{}, false
	}
	return classHarness, true
}

// timelineView is what the page shows of a section's timeline: the
// world's set-up before the engine ran, and the engine's run (with what
// followed) on its own scale, with step bars and the outage band.
type timelineView struct {
	Setup, Run template.HTML
	// SetupSpan and RunSpan describe the charts in words.
	SetupSpan, RunSpan string
}

// engineWindow is the span of the section's engine runs.
func engineWindow(s Section) (start, end time.Time, ok bool) {
	for _, r := range s.Runs {
		if r.Started.IsZero() {
			continue
		}
		if !ok || r.Started.Before(start) {
			start = r.Started
		}
		if r.Ended.After(end) {
			end = r.Ended
		}
		ok = true
	}
	return start, end, ok
}

func timeline(s Section) timelineView {
	var v timelineView
	start, end, ok := engineWindow(s)
	if !ok {
		if len(s.Marks) == 0 {
			return v
		}
		first, last := s.Marks[0].At, s.Marks[len(s.Marks)-1].At
		v.Run = chart(chartInput{marks: s.Marks, from: first, to: last})
		v.RunSpan = fmt.Sprintf("%s, no engine run", dur(last.Sub(first)))
		return v
	}
	var setup, run []Mark
	last := end
	for _, m := range s.Marks {
		if m.At.Before(start) {
			setup = append(setup, m)
			continue
		}
		run = append(run, m)
		if m.At.After(last) {
			last = m.At
		}
	}
	if len(setup) > 0 {
		v.Setup = chart(chartInput{marks: setup, from: setup[0].At, to: start})
		v.SetupSpan = dur(start.Sub(setup[0].At))
	}
	var steps []stepBar
	multi := map[string]bool{}
	for _, r := range s.Runs {
		multi[r.Plan] = true
	}
	for _, r := range s.Runs {
		for _, st := range r.Steps {
			label := fmt.Sprintf("%d %s", st.Index, st.Name)
			if len(multi) > 1 {
				label = r.Plan + " " + label
			}
			if r.DryRun {
				label += " (plan)"
			}
			if st.Invocation > 1 {
				label += fmt.Sprintf(" (invocation %d)", st.Invocation)
			}
			e := st.End
			if e.IsZero() {
				e = r.Ended
			}
			steps = append(steps, stepBar{label: label, from: st.Start, to: e, outcome: st.Outcome, ended: !st.End.IsZero()})
		}
	}
	var bands []band
	for _, r := range s.FailbackRuns() {
		if r.OutageStart.IsZero() {
			continue
		}
		b := band{from: r.OutageStart, to: r.OutageEnd, label: "chat outage " + dur(r.Outage)}
		if r.OutageEnd.IsZero() {
			b.to, b.label = r.Ended, "chat outage, not ended when the run stopped"
		}
		bands = append(bands, b)
	}
	v.Run = chart(chartInput{marks: run, from: start, to: last, steps: steps, bands: bands, runEnd: end})
	v.RunSpan = dur(end.Sub(start))
	return v
}

type stepBar struct {
	label, outcome string
	from, to       time.Time
	ended          bool
}

type band struct {
	from, to time.Time
	label    string
}

type chartInput struct {
	marks    []Mark
	from, to time.Time
	steps    []stepBar
	bands    []band
	runEnd   time.Time
}

func stepColour(outcome string, ended bool) (string, string) {
	switch {
	case !ended:
		return ColourNotEnded, "step that never ended (the run stopped in it)"
	case outcome == failback.OutcomeVerified:
		return ColourVerified, "step applied and verified"
	case outcome == failback.OutcomeFailed:
		return ColourStepFailed, "step failed"
	case outcome == failback.OutcomeNotDone:
		return ColourVerified, "step a run would apply (plan only)"
	}
	return ColourDone, "step already done or skipped (verified without change)"
}

// chart draws one SVG: step rows first (bars named on the left, duration
// beside each bar), then a lane per component with a mark per event, the
// outage as a band over every row, time ticks along the bottom, and a
// legend of every colour used. Everything is text in the picture, nothing
// only in a tooltip (each mark's tooltip repeats its row of the event
// table).
func chart(in chartInput) template.HTML {
	const width, left, right, row, top = 1000.0, 265.0, 70.0, 21.0, 24.0
	span := in.to.Sub(in.from)
	if span <= 0 {
		span = time.Millisecond
	}
	// A little room on both sides so marks at the edges stay visible.
	pad := span / 50
	from, to := in.from.Add(-pad), in.to.Add(pad)
	span = to.Sub(from)
	plot := width - left - right
	x := func(t time.Time) float64 { return left + plot*float64(t.Sub(from))/float64(span) }

	var comps []string
	seen := map[string]bool{}
	used := map[markClass]bool{}
	for _, m := range in.marks {
		c, ok := classify(m)
		if !ok {
			continue
		}
		used[c] = true
		if !seen[m.Component] {
			seen[m.Component] = true
			comps = append(comps, m.Component)
		}
	}
	sort.Slice(comps, func(i, j int) bool {
		ei, ej := strings.HasPrefix(comps[i], "engine"), strings.HasPrefix(comps[j], "engine")
		if ei != ej {
			return ei
		}
		return comps[i] < comps[j]
	})
	lane := map[string]int{}
	for i, c := range comps {
		lane[c] = i
	}
	rows := len(in.steps) + len(comps)
	gap := 0.0
	if len(in.steps) > 0 && len(comps) > 0 {
		gap = 10
	}
	plotTop := top
	plotBottom := plotTop + row*float64(rows) + gap
	axis := plotBottom + 16

	var b strings.Builder
	// Legend rows: outcome colours, band, mark classes.
	type entry struct{ colour, text, shape string }
	var legend []entry
	seenLegend := map[string]bool{}
	addLegend := func(colour, text, shape string) {
		if !seenLegend[text] {
			seenLegend[text] = true
			legend = append(legend, entry{colour, text, shape})
		}
	}
	for _, s := range in.steps {
		c, t := stepColour(s.outcome, s.ended)
		addLegend(c, t, "bar")
	}
	if len(in.bands) > 0 {
		addLegend(ColourOutage, "chat outage: the active list cleared until the first chat session on the restored primary", "band")
	}
	drawEnd := !in.runEnd.IsZero() && in.to.After(in.runEnd.Add(span/200))
	if drawEnd {
		addLegend("#24292f", "the engine's run ends (later marks: the scenario's checks)", "line")
	}
	for _, c := range []markClass{classSQL, classCmdlet, classPool, classConnect, classDisconnect, classPost, classFault, classError, classLifecycle, classHarness} {
		if used[c] {
			addLegend(c.Colour, c.Name, "mark")
		}
	}
	legendTop := axis + 14
	perRow := 2
	legendRows := (len(legend) + perRow - 1) / perRow
	height := legendTop + float64(legendRows)*16 + 6

	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" class="timeline" role="img" font-family="sans-serif" font-size="12">`, width, height, width, height)
	// Row backgrounds and labels.
	y := plotTop
	for i, s := range in.steps {
		fmt.Fprintf(&b, `<rect x="0" y="%.1f" width="%.0f" height="%.0f" fill="%s"/>`, y, width, row, []string{"#f6f8fa", "#ffffff"}[i%2])
		fmt.Fprintf(&b, `<text x="4" y="%.1f" font-weight="bold">%s</text>`, y+14, esc(clip(s.label, 40)))
		y += row
	}
	y += gap
	for i, c := range comps {
		fmt.Fprintf(&b, `<rect x="0" y="%.1f" width="%.0f" height="%.0f" fill="%s"/>`, y, width, row, []string{"#f6f8fa", "#ffffff"}[i%2])
		fmt.Fprintf(&b, `<text x="4" y="%.1f">%s</text>`, y+14, esc(clip(c, 40)))
		y += row
	}
	// Ticks and grid.
	step := niceStep(span)
	for d := time.Duration(0); !in.from.Add(d).After(to); d += step {
		xt := x(in.from.Add(d))
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#d0d7de" stroke-width="1"/>`, xt, plotTop, xt, plotBottom+4)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#24292f">+%s</text>`, xt, axis, tickLabel(d, step))
	}
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#24292f"/>`, left, plotBottom+4, width-right, plotBottom+4)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.1f" fill="#24292f">time from %s UTC</text>`, 4.0, axis, in.from.UTC().Format("15:04:05.000"))
	// Outage bands over every row, labelled above the plot.
	for _, bd := range in.bands {
		x0, x1 := x(bd.from), x(bd.to)
		if x1-x0 < 2 {
			x1 = x0 + 2
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s" fill-opacity="0.28" stroke="%s" stroke-width="1"/>`, x0, plotTop, x1-x0, plotBottom-plotTop, ColourOutage, ColourOutage)
		anchor, tx := "start", x0+2
		if x0 > left+plot/2 {
			anchor, tx = "end", x1-2
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="%s" fill="#953800" font-weight="bold">%s</text>`, tx, plotTop-8, anchor, esc(bd.label))
	}
	// Step bars, with their durations beside them.
	y = plotTop
	for _, s := range in.steps {
		colour, _ := stepColour(s.outcome, s.ended)
		x0, x1 := x(s.from), x(s.to)
		if x1-x0 < 3 {
			x1 = x0 + 3
		}
		fmt.Fprintf(&b, `<rect class="step-bar" x="%.1f" y="%.1f" width="%.1f" height="%.0f" fill="%s"><title>%s</title></rect>`,
			x0, y+3, x1-x0, row-6, colour, esc(fmt.Sprintf("%s: %s, %s", s.label, s.outcome, dur(s.to.Sub(s.from)))))
		text := dur(s.to.Sub(s.from))
		if !s.ended {
			text += " (not ended)"
		}
		if x1+6+float64(len(text))*7 < width {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`, x1+4, y+14, esc(text))
		} else {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`, x0-4, y+14, esc(text))
		}
		y += row
	}
	// Marks.
	base := plotTop + row*float64(len(in.steps)) + gap
	for _, m := range in.marks {
		c, ok := classify(m)
		if !ok {
			continue
		}
		ly := base + row*float64(lane[m.Component])
		title := fmt.Sprintf("+%s %s %s: %s %s", dur(m.At.Sub(in.from)), m.Component, m.Kind, clip(m.Detail, 200), m.Err)
		xm := x(m.At)
		if c == classFault {
			fmt.Fprintf(&b, `<path d="M%.1f %.1f l5 7 l-5 7 l-5 -7 z" fill="%s"><title>%s</title></path>`, xm, ly+3, c.Colour, esc(title))
			continue
		}
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="3" height="%.0f" fill="%s"><title>%s</title></rect>`, xm-1, ly+4, row-8, c.Colour, esc(title))
	}
	if drawEnd {
		xe := x(in.runEnd)
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#24292f" stroke-width="1.5" stroke-dasharray="4 3"/>`, xe, plotTop-4, xe, plotBottom+4)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="end" fill="#24292f">run ended</text>`, xe-3, plotTop-8)
	}
	// Legend.
	for i, e := range legend {
		lx := 4 + float64(i%perRow)*(width/2)
		ly := legendTop + float64(i/perRow)*16
		switch e.shape {
		case "bar":
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="18" height="10" fill="%s"/>`, lx, ly-9, e.colour)
		case "band":
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="18" height="10" fill="%s" fill-opacity="0.28" stroke="%s"/>`, lx, ly-9, e.colour, e.colour)
		case "line":
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="1.5" stroke-dasharray="4 3"/>`, lx+9, ly-10, lx+9, ly+2, e.colour)
		default:
			if e.text == classFault.Name {
				fmt.Fprintf(&b, `<path d="M%.1f %.1f l5 6 l-5 6 l-5 -6 z" fill="%s"/>`, lx+9, ly-10, e.colour)
			} else {
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="3" height="12" fill="%s"/>`, lx+8, ly-10, e.colour)
			}
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f">%s</text>`, lx+24, ly, esc(e.text))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

// niceStep picks a tick interval of 1, 2 or 5 times a power of ten that
// gives 5 to 10 ticks.
func niceStep(span time.Duration) time.Duration {
	target := float64(span) / 8
	p := math.Pow(10, math.Floor(math.Log10(target)))
	for _, m := range []float64{1, 2, 5, 10} {
		if m*p >= target {
			return max(time.Duration(m*p), time.Microsecond)
		}
	}
	return max(time.Duration(10*p), time.Microsecond)
}

func tickLabel(d, step time.Duration) string {
	switch {
	case step >= time.Minute:
		return d.Round(time.Second).String()
	case step >= time.Second:
		return d.Round(time.Second).String()
	case step >= time.Millisecond:
		return fmt.Sprintf("%gs", float64(d.Round(time.Millisecond))/float64(time.Second))
	}
	return d.String()
}

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func esc(s string) string { return template.HTMLEscapeString(s) }
