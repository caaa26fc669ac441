package evidence

import (
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/pchatdr/harness/failback"
)

// Rehearsal is one run in the history: a failback or failover run (not a
// plan) found in a report folder's evidence.json or in a journal.
type Rehearsal struct {
	Run        Run
	Objectives Objectives
	Loss       *Loss
	// Simulated runs come from drills; Scenario names the drill scenario.
	Simulated bool
	Scenario  string
	// Source is the file the run was found in.
	Source string
	// Judged says the objectives judge the run (Section.Judges): not a
	// refusal, not a failover, not a stop a drill scenario caused.
	Judged bool
}

// Verdicts judges the rehearsal; nil when the objectives do not judge it.
func (h Rehearsal) Verdicts() []Verdict {
	if !h.Judged {
		return nil
	}
	return Verdicts(h.Run, h.Objectives, h.Loss)
}

// History is every run found, oldest first.
type History struct {
	Rehearsals []Rehearsal
	// Skipped are files that looked like evidence or journals and were
	// not, with why.
	Skipped []error
}

// CollectHistory walks the folders (a file may be named too) for
// evidence.json files and journals (*.journal, *.jsonl). A run found twice
// (a journal and the report written from it) counts once, the copy with a
// count of lost messages preferred.
func CollectHistory(paths []string) (History, error) {
	var h History
	byID := map[string]int{}
	add := func(r Rehearsal) {
		if r.Run.DryRun || r.Run.Invocations == 0 {
			return
		}
		key := r.Run.ID
		if r.Run.ID == "" {
			key = r.Source + "#" + r.Scenario
		}
		if i, ok := byID[key]; ok {
			if h.Rehearsals[i].Loss == nil && r.Loss != nil {
				h.Rehearsals[i] = r
			}
			return
		}
		byID[key] = len(h.Rehearsals)
		h.Rehearsals = append(h.Rehearsals, r)
	}
	for _, root := range paths {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				return nil
			}
			switch name := d.Name(); {
			case name == EvidenceFile:
				rep, err := ReadJSON(p)
				if err != nil {
					h.Skipped = append(h.Skipped, err)
					return nil
				}
				for _, s := range rep.Sections {
					for _, r := range s.Runs {
						add(Rehearsal{Run: r, Objectives: s.Objectives, Loss: orLoss(s.Loss, r.Loss), Simulated: rep.Header.Simulated,
							Scenario: scenarioName(rep, s), Source: p, Judged: s.Judges(r)})
					}
				}
			case strings.HasSuffix(name, ".journal") || strings.HasSuffix(name, ".jsonl"):
				evs, _, err := failback.ReadJournalFile(p)
				if err != nil {
					h.Skipped = append(h.Skipped, fmt.Errorf("%s: %w", p, err))
					return nil
				}
				if len(evs) == 0 {
					return nil
				}
				s := SectionFromJournal(evs, Objectives{})
				for _, r := range s.Runs {
					add(Rehearsal{Run: r, Objectives: s.Objectives, Loss: orLoss(s.Loss, r.Loss), Source: p, Judged: s.Judges(r)})
				}
			}
			return nil
		})
		if err != nil {
			return h, fmt.Errorf("history: %w", err)
		}
	}
	sort.SliceStable(h.Rehearsals, func(i, j int) bool { return h.Rehearsals[i].Run.Started.Before(h.Rehearsals[j].Run.Started) })
	if len(h.Rehearsals) == 0 {
		return h, ErrNoRun
	}
	return h, nil
}

// ErrNoRun is returned when the folders hold no run.
var ErrNoRun = errors.New("no run found (history reads report folders' evidence.json and *.journal files)")

func orLoss(a, b *Loss) *Loss {
	if a != nil {
		return a
	}
	return b
}

func scenarioName(rep Report, s Section) string {
	if rep.Header.Simulated {
		return s.Name
	}
	return ""
}

// stepColumn is one column of the history: a step of a plan.
type stepColumn struct {
	Plan, Name string
	Index      int
	// Label heads the column: S4, or failover:4 beside the failback's.
	Label string
}

// stepColumns are the steps of the history's runs, the failback plan's
// first, each plan's in step order: one column each.
func (h History) stepColumns() []stepColumn {
	var cols []stepColumn
	seen := map[string]bool{}
	plans := map[string]bool{}
	for _, r := range h.Rehearsals {
		plans[r.Run.Plan] = true
		for _, t := range r.Run.StepTotals() {
			key := r.Run.Plan + "/" + t.Name
			if !seen[key] {
				seen[key] = true
				cols = append(cols, stepColumn{Plan: r.Run.Plan, Name: t.Name, Index: t.Index})
			}
		}
	}
	sort.SliceStable(cols, func(i, j int) bool {
		if cols[i].Plan != cols[j].Plan {
			return cols[i].Plan == failback.PlanFailback || cols[j].Plan != failback.PlanFailback && cols[i].Plan < cols[j].Plan
		}
		return cols[i].Index < cols[j].Index
	})
	for i := range cols {
		cols[i].Label = fmt.Sprintf("S%d", cols[i].Index)
		if len(plans) > 1 && cols[i].Plan != failback.PlanFailback {
			cols[i].Label = fmt.Sprintf("%s:%d", cols[i].Plan, cols[i].Index)
		}
	}
	return cols
}

// stepCells are a run's step durations under the columns.
func stepCells(r Run, cols []stepColumn) []string {
	totals := map[string]time.Duration{}
	for _, t := range r.StepTotals() {
		totals[r.Plan+"/"+t.Name] = t.Duration
	}
	out := make([]string, len(cols))
	for i, c := range cols {
		if d, ok := totals[c.Plan+"/"+c.Name]; ok {
			out[i] = dur(d)
		}
	}
	return out
}

// WriteTable prints the history: date, plan, outcome, RTO, outage, lost,
// each step's duration, and where the run was found.
func (h History) WriteTable(w io.Writer) {
	cols := h.stepColumns()
	tw := tabwriter.NewWriter(w, 2, 4, 2, ' ', 0)
	head := []string{"DATE (UTC)", "PLAN", "OUTCOME", "RTO", "FORECAST", "OUTAGE", "LOST"}
	for _, c := range cols {
		head = append(head, c.Label)
	}
	head = append(head, "SOURCE")
	fmt.Fprintln(tw, strings.Join(head, "\t"))
	for _, r := range h.Rehearsals {
		rto, outage, lost := "-", "-", "-"
		if vs := r.Verdicts(); vs != nil {
			rto, outage, lost = short(vs[0]), short(vs[1]), short(vs[2])
		} else if r.Run.Outcome == failback.OutcomeOK {
			rto = dur(r.Run.Duration)
		}
		plan := r.Run.Plan
		if r.Simulated {
			plan += " (drill)"
		}
		forecast := "-" // the run time failback forecast gave at the run's start
		if v := r.Run.Attrs[AttrForecastRTO]; v != "" {
			forecast = v + "s"
		}
		row := []string{r.Run.Started.UTC().Format("2006-01-02 15:04:05"), plan, r.Run.Outcome, rto, forecast, outage, lost}
		row = append(row, stepCells(r.Run, cols)...)
		src := r.Source
		if r.Scenario != "" {
			src += ": " + r.Scenario
		}
		row = append(row, src)
		fmt.Fprintln(tw, strings.Join(row, "\t"))
	}
	tw.Flush()
	var legend []string
	for _, c := range cols {
		legend = append(legend, c.Label+" "+c.Name)
	}
	fmt.Fprintf(w, "steps: %s\n%d runs\n", strings.Join(legend, ", "), len(h.Rehearsals))
}

// short is a verdict in a table cell: the figure, marked when missed.
func short(v Verdict) string {
	switch v.Status {
	case NotMet:
		return v.Measured + " NOT MET"
	case NotMeasured:
		return "-"
	}
	return v.Measured
}

// WriteHistoryHTML draws the trend across rehearsals in one page: the
// failback's run time and the chat outage per run against their
// objectives, each run's steps stacked, and the table. Inline SVG, no
// script, nothing fetched.
func WriteHistoryHTML(w io.Writer, h History, produced time.Time) error {
	cols := h.stepColumns()
	v := struct {
		History
		Produced       string
		Trend, Stacked template.HTML
		Cols           []stepColumn
		Rows           []historyRow
	}{History: h, Produced: utc(produced), Trend: trendChart(h), Stacked: stackedChart(h, cols), Cols: cols}
	for i, r := range h.Rehearsals {
		row := historyRow{N: i + 1, Rehearsal: r, Date: utc(r.Run.Started), Steps: stepCells(r.Run, cols)}
		row.Verdicts = r.Verdicts()
		v.Rows = append(v.Rows, row)
	}
	return historyPage.Execute(w, v)
}

type historyRow struct {
	N int
	Rehearsal
	Date     string
	Steps    []string
	Verdicts []Verdict
}

const (
	historyWidth, historyLeft, historyRight = 1000.0, 70.0, 50.0
)

// ordinalX spreads n runs evenly: rehearsals are quarters apart and drill
// runs seconds apart, so a time axis would hide one or the other.
func ordinalX(i, n int) float64 {
	plot := historyWidth - historyLeft - historyRight
	if n <= 1 {
		return historyLeft + plot/2
	}
	return historyLeft + 10 + (plot-20)*float64(i)/float64(n-1)
}

func yAxis(b *strings.Builder, top, height float64, maxV time.Duration) func(time.Duration) float64 {
	step := niceStep(maxV * 8 / 5)
	y := func(d time.Duration) float64 { return top + height - height*float64(d)/float64(maxV) }
	for d := time.Duration(0); d <= maxV; d += step {
		fmt.Fprintf(b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#d0d7de"/>`, historyLeft, y(d), historyWidth-historyRight, y(d))
		fmt.Fprintf(b, `<text x="%.0f" y="%.1f" text-anchor="end">%s</text>`, historyLeft-4, y(d)+4, esc(tickLabel(d, step)))
	}
	return y
}

func runLabels(b *strings.Builder, h History, base float64) {
	n := len(h.Rehearsals)
	every := max(1, (n+7)/8)
	for i, r := range h.Rehearsals {
		x := ordinalX(i, n)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#24292f"/>`, x, base, x, base+4)
		if i%every == 0 || i == n-1 {
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle">#%d</text><text x="%.1f" y="%.1f" text-anchor="middle" font-size="9">%s</text>`,
				x, base+16, i+1, x, base+28, r.Run.Started.UTC().Format("2006-01-02 15:04"))
		}
	}
}

// trendChart plots each run's RTO figure and outage with the objectives as
// dashed lines; a drill run's marks are hollow, a missed objective red.
func trendChart(h History) template.HTML {
	const top, height = 20.0, 260.0
	// The scale fits the runs; an objective far above them (a drill's
	// seconds against a 5-minute RTO) is named above the chart instead of
	// squashing every run onto the axis.
	var data, objectives time.Duration
	for _, r := range h.Rehearsals {
		data = max(data, r.Run.Duration, r.Run.Outage)
		objectives = max(objectives, r.Objectives.RTO, r.Objectives.Outage)
	}
	maxV := data
	if objectives <= 3*data {
		maxV = max(maxV, objectives)
	}
	if maxV <= 0 {
		maxV = time.Second
	}
	maxV = maxV * 11 / 10
	var b strings.Builder
	total := top + height + 40 + 4*16
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" class="timeline" font-family="sans-serif" font-size="11">`, historyWidth, total, historyWidth, total)
	y := yAxis(&b, top, height, maxV)
	base := top + height
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#24292f"/>`, historyLeft, base, historyWidth-historyRight, base)
	runLabels(&b, h, base)
	n := len(h.Rehearsals)
	// Objective lines, per run (they may change between rehearsals).
	for i, r := range h.Rehearsals {
		x0, x1 := ordinalX(i, n)-8, ordinalX(i, n)+8
		if r.Objectives.RTO > 0 && r.Objectives.RTO <= maxV {
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2" stroke-dasharray="3 2"/>`, x0, y(r.Objectives.RTO), x1, y(r.Objectives.RTO), ColourVerified)
		}
		if r.Objectives.Outage > 0 && r.Objectives.Outage <= maxV {
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="2" stroke-dasharray="3 2"/>`, x0, y(r.Objectives.Outage), x1, y(r.Objectives.Outage), ColourOutage)
		}
	}
	point := func(x float64, d time.Duration, colour, shape string, hollow, missed bool, title string) {
		fill, stroke := colour, colour
		if hollow {
			fill = "#ffffff"
		}
		if missed {
			stroke = ColourNotMet
		}
		if shape == "square" {
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="9" height="9" fill="%s" stroke="%s" stroke-width="2"><title>%s</title></rect>`, x-4.5, y(d)-4.5, fill, stroke, esc(title))
			return
		}
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="5" fill="%s" stroke="%s" stroke-width="2"><title>%s</title></circle>`, x, y(d), fill, stroke, esc(title))
	}
	for i, r := range h.Rehearsals {
		x := ordinalX(i, n)
		vs := r.Verdicts()
		if r.Run.Plan != failback.PlanFailback {
			continue // a failover's time is not the failback's RTO
		}
		if r.Run.Duration > 0 && (r.Run.Outcome == failback.OutcomeOK || vs != nil) {
			missed := vs != nil && vs[0].Status == NotMet
			point(x, r.Run.Duration, ColourVerified, "circle", r.Simulated, missed, fmt.Sprintf("#%d RTO %s", i+1, dur(r.Run.Duration)))
		}
		if r.Run.Outage > 0 {
			missed := vs != nil && vs[1].Status == NotMet
			point(x, r.Run.Outage, ColourOutage, "square", r.Simulated, missed, fmt.Sprintf("#%d outage %s", i+1, dur(r.Run.Outage)))
		}
	}
	ly := base + 44
	if objectives > maxV {
		fmt.Fprintf(&b, `<text x="%.0f" y="12" fill="#57606a">objectives above this scale: rto up to %s, outage up to %s (dashed where within it)</text>`,
			historyLeft, esc(dur(maxObjective(h, true))), esc(dur(maxObjective(h, false))))
	}
	for i, r := range h.Rehearsals {
		if r.Run.Outcome == failback.OutcomeRefused {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="%s" font-weight="bold">R</text>`, ordinalX(i, n), base-4, ColourNotMeasured)
		}
	}
	legend := []struct{ svg, text string }{
		{fmt.Sprintf(`<circle cx="%%.1f" cy="%%.1f" r="5" fill="%s"/>`, ColourVerified), "the failback's run time (RTO figure); dashed: objectives.rto"},
		{fmt.Sprintf(`<rect x="%%.1f" y="%%.1f" width="9" height="9" fill="%s"/>`, ColourOutage), "the chat outage; dashed: objectives.outage"},
		{fmt.Sprintf(`<circle cx="%%.1f" cy="%%.1f" r="5" fill="#ffffff" stroke="%s" stroke-width="2"/>`, ColourNotMet), "hollow: a drill (simulated) run; red outline: the objective was not met"},
		{fmt.Sprintf(`<text x="%%.1f" y="%%.1f" fill="%s" font-weight="bold">R</text>`, ColourNotMeasured), "a refused run (nothing changed, nothing to measure)"},
	}
	for i, l := range legend {
		yy := ly + float64(i)*16
		switch {
		case strings.HasPrefix(l.svg, "<rect"):
			fmt.Fprintf(&b, l.svg, 10.5, yy-8.5)
		case strings.HasPrefix(l.svg, "<text"):
			fmt.Fprintf(&b, l.svg, 11.0, yy)
		default:
			fmt.Fprintf(&b, l.svg, 15.0, yy-4)
		}
		fmt.Fprintf(&b, `<text x="28" y="%.1f">%s</text>`, yy, esc(l.text))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func maxObjective(h History, rto bool) time.Duration {
	var m time.Duration
	for _, r := range h.Rehearsals {
		if rto {
			m = max(m, r.Objectives.RTO)
		} else {
			m = max(m, r.Objectives.Outage)
		}
	}
	return m
}

// stepPalette colours step columns; a legend names each.
var stepPalette = []string{"#0969da", "#8250df", "#bf3989", "#1b7c83", "#9a6700", "#2da44e", "#cf222e", "#57606a", "#fb8f44", "#4d2d00",
	"#54aeff", "#c297ff", "#ff80c8", "#4ac26b"}

// stackedChart draws each run's step durations stacked into one bar.
func stackedChart(h History, cols []stepColumn) template.HTML {
	const top, height = 20.0, 260.0
	var maxV time.Duration
	for _, r := range h.Rehearsals {
		var sum time.Duration
		for _, t := range r.Run.StepTotals() {
			sum += t.Duration
		}
		maxV = max(maxV, sum)
	}
	if maxV <= 0 {
		maxV = time.Second
	}
	maxV = maxV * 11 / 10
	colour := map[string]string{}
	for i, c := range cols {
		colour[c.Plan+"/"+c.Name] = stepPalette[i%len(stepPalette)]
	}
	var b strings.Builder
	legendRows := (len(cols) + 2) / 3
	total := top + height + 40 + float64(legendRows)*16 + 8
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" class="timeline" font-family="sans-serif" font-size="11">`, historyWidth, total, historyWidth, total)
	y := yAxis(&b, top, height, maxV)
	base := top + height
	n := len(h.Rehearsals)
	barW := min(28.0, (historyWidth-historyLeft-historyRight-20)/float64(max(n, 1))*0.7)
	for i, r := range h.Rehearsals {
		x := ordinalX(i, n)
		var acc time.Duration
		for _, t := range r.Run.StepTotals() {
			y0, y1 := y(acc+t.Duration), y(acc)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s</title></rect>`,
				x-barW/2, y0, barW, max(y1-y0, 0.5), colour[r.Run.Plan+"/"+t.Name], esc(fmt.Sprintf("#%d step %d %s: %s", i+1, t.Index, t.Name, dur(t.Duration))))
			acc += t.Duration
		}
	}
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.1f" x2="%.0f" y2="%.1f" stroke="#24292f"/>`, historyLeft, base, historyWidth-historyRight, base)
	runLabels(&b, h, base)
	for i, c := range cols {
		lx := 10 + float64(i%3)*(historyWidth/3)
		ly := base + 48 + float64(i/3)*16
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="14" height="10" fill="%s"/><text x="%.1f" y="%.1f">%s %s</text>`, lx, ly-9, colour[c.Plan+"/"+c.Name], lx+20, ly, esc(c.Label), esc(c.Name))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

var historyPage = template.Must(template.New("history").Funcs(template.FuncMap{
	"ms": dur, "vclass": verdictClass, "utc": utc,
}).Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Persistent Chat failback history</title>
<style>
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font-family:"DejaVu Sans",Verdana,sans-serif;font-size:14px;margin:24px auto;max-width:1100px;padding:0 16px;color:#1f2328}
h1{font-size:24px}h2{font-size:18px;margin-top:24px;border-bottom:2px solid #d0d7de}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:3px 6px;text-align:left;font-size:12px;vertical-align:top}th{background:#f6f8fa}
td.num{text-align:right}td.v-met{background:` + ColourMet + `;color:#fff}td.v-notmet{background:` + ColourNotMet + `;color:#fff}td.v-nm{background:` + ColourNotMeasured + `;color:#fff}
svg.timeline{max-width:100%;height:auto}
.meta{color:#57606a;font-size:12px}
</style></head><body>
<h1>Persistent Chat failback history</h1>
<p class="meta">{{len .Rehearsals}} runs, written {{.Produced}} UTC. Runs are spaced evenly in the order they ran (#1 the oldest); the date is under each.</p>
<h2>Trend: run time and chat outage against the objectives</h2>
{{.Trend}}
<h2>Where the time went: each run's steps</h2>
{{.Stacked}}
<h2>Every run</h2>
<table>
<tr><th>#</th><th>Date (UTC)</th><th>Plan</th><th>Outcome</th><th>RTO</th><th>Outage</th><th>Lost</th>{{range .Cols}}<th>{{.Label}} {{.Name}}</th>{{end}}<th>Found in</th></tr>
{{range .Rows}}<tr><td class="num">{{.N}}</td><td>{{.Date}}</td><td>{{.Run.Plan}}{{if .Simulated}} (drill){{end}}</td><td>{{.Run.Outcome}}</td>
{{if .Verdicts}}{{range .Verdicts}}<td class="{{vclass .Status}}">{{.Measured}} {{.Status}}</td>{{end}}{{else}}<td>{{if eq .Run.Outcome "ok"}}{{ms .Run.Duration}}{{else}}-{{end}}</td><td>-</td><td>-</td>{{end}}
{{range .Steps}}<td class="num">{{.}}</td>{{end}}<td>{{.Source}}{{if .Scenario}}: {{.Scenario}}{{end}}</td></tr>
{{end}}</table>
{{with .Skipped}}<h2>Files not read</h2><ul>{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
</body></html>
`))

// WriteHistoryFile writes the page atomically.
func WriteHistoryFile(path string, h History, produced time.Time) error {
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	return WriteFile(path, func(w io.Writer) error { return WriteHistoryHTML(w, h, produced) })
}
