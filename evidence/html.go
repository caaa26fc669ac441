package evidence

import (
	"fmt"
	"html/template"
	"io"
	"strings"
	"time"

	"github.com/pchatdr/harness/failback"
)

// WriteHTML renders report.html: the SIMULATED banner on drills, the
// verdict per objective first, then the header an auditor needs, the
// scenarios (or the run), and per section the refusal at its top, the
// verdicts, the Gherkin steps, the engine's step table with the
// statements a click away, the timeline and every event. Self-contained:
// inline CSS and SVG, no script, no external asset.
func WriteHTML(w io.Writer, rep Report) error {
	v := pageView{Report: rep, Overall: rep.Overall()}
	for i, s := range rep.Sections {
		switch s.Result {
		case ResultPassed:
			v.Passed++
		case ResultSkipped:
			v.Skipped++
		case ResultFailed:
			v.Failed++
		}
		v.Views = append(v.Views, sectionViewOf(i+1, s))
		if len(s.Gherkin) > 0 {
			v.Drill = true
		}
	}
	if err := page.Execute(w, v); err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	return nil
}

type pageView struct {
	Report
	Overall                 []Verdict
	Passed, Skipped, Failed int
	Views                   []sectionView
	Drill                   bool
}

type sectionView struct {
	Section
	N        int
	Refused  []Precondition
	Judged   []Judged
	Unjudged []Run // failback runs a passing scenario stopped on purpose
	Timeline timelineView
	Events   []eventRow
	Summary  []Verdict // the verdicts of the section's last judged run
}

type eventRow struct {
	Offset, At, Component, Kind, Text, Err string
}

func sectionViewOf(n int, s Section) sectionView {
	v := sectionView{Section: s, N: n, Refused: s.Refusals(), Judged: s.Judge(), Timeline: timeline(s)}
	for _, r := range s.FailbackRuns() {
		if !s.Judges(r) && r.Outcome != failback.OutcomeRefused {
			v.Unjudged = append(v.Unjudged, r)
		}
	}
	if len(v.Judged) > 0 {
		v.Summary = v.Judged[len(v.Judged)-1].Verdicts
	}
	t0 := s.Started
	if len(s.Marks) > 0 {
		if t0.IsZero() || s.Marks[0].At.Before(t0) {
			t0 = s.Marks[0].At
		}
		for _, m := range s.Marks {
			text := strings.TrimSpace(m.Detail)
			if text == "" {
				text = m.Kind
			}
			v.Events = append(v.Events, eventRow{Offset: offset(m.At, t0), At: tod(m.At), Component: m.Component, Kind: m.Kind, Text: text, Err: m.Err})
		}
		return v
	}
	for _, r := range s.Runs {
		if t0.IsZero() || (!r.Started.IsZero() && r.Started.Before(t0)) {
			t0 = r.Started
		}
	}
	for _, r := range s.Runs {
		for _, l := range r.Lines {
			comp := r.Plan
			if l.Target != "" {
				comp += " → " + l.Target
			}
			v.Events = append(v.Events, eventRow{Offset: offset(l.At, t0), At: tod(l.At), Component: comp, Kind: l.Kind, Text: l.Text, Err: l.Error})
		}
	}
	return v
}

func offset(t, t0 time.Time) string {
	if t.IsZero() || t0.IsZero() {
		return "-"
	}
	d := t.Sub(t0)
	if d < 0 {
		return "-" + dur(-d)
	}
	if d == 0 {
		return "+0s"
	}
	return "+" + dur(d)
}

func utc(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05.000")
}

func tod(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("15:04:05.000")
}

func verdictClass(status string) string {
	switch status {
	case Met:
		return "v-met"
	case NotMet:
		return "v-notmet"
	}
	return "v-nm"
}

func outcomeMark(status string) string {
	switch status {
	case ResultPassed, failback.OutcomeVerified, failback.OutcomeOK, failback.OutcomeAlreadyDone, failback.OutcomeDone:
		return "✓"
	case ResultFailed, failback.OutcomeRefused, "undefined", "ambiguous":
		return "✗"
	case ResultSkipped, "pending":
		return "–"
	}
	return "·"
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"utc": utc,
	"tod": tod,
	// day and clock: a step table shows times of day under its start's
	// date, and the full date only on a step of another day.
	"day": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format("2006-01-02")
	},
	"clock": func(t time.Time, day string) string {
		if t.IsZero() {
			return "-"
		}
		if t.UTC().Format("2006-01-02") != day {
			return utc(t)
		}
		return tod(t)
	},
	"ms":     dur,
	"vclass": verdictClass,
	"cell": func(v Verdict) string {
		if v.Status == NotMeasured {
			return NotMeasured
		}
		return v.Measured + ": " + v.Status
	},
	"mark":    outcomeMark,
	"keyword": func(k string) string { return strings.TrimSpace(k) },
	"stepdur": func(s Step) string {
		if s.End.IsZero() {
			return "not ended"
		}
		return dur(s.Duration())
	},
	"sentAt": func(s Sent, st Step) string { return offset(s.At, st.Start) },
	// forecastOf is a step's forecast seconds the run recorded, if any.
	"forecastOf": func(attrs map[string]string, step string) string { return attrs[AttrForecastStep+step] },
	"sentDur": func(d time.Duration) string {
		if d <= 0 {
			return "not timed"
		}
		return dur(d)
	},
	"plural": plural,
	"allOK": func(ps []Precondition) bool {
		for _, p := range ps {
			if p.Outcome != failback.OutcomeOK {
				return false
			}
		}
		return true
	},
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12]
		}
		return s
	},
}).Parse(pageTemplate))

const pageTemplate = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Header.Title}}{{if .Header.Simulated}} (SIMULATED){{end}}</title>
<style>
*{-webkit-print-color-adjust:exact;print-color-adjust:exact;box-sizing:border-box}
body{font-family:"DejaVu Sans",Verdana,sans-serif;font-size:14px;margin:24px auto;max-width:1100px;padding:0 16px;color:#1f2328}
h1{font-size:24px;margin:12px 0}h2{font-size:19px;margin:28px 0 8px;border-bottom:2px solid #d0d7de;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}
table{border-collapse:collapse;margin:6px 0 10px}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.banner{background:#fff8c5;border:3px solid #9a6700;color:#4d2d00;font-weight:bold;font-size:18px;padding:10px 14px;letter-spacing:.04em}
table.verdict td,table.verdict th{font-size:15px;padding:6px 10px}
td.v-met{background:` + ColourMet + `;color:#fff;font-weight:bold}
td.v-notmet{background:` + ColourNotMet + `;color:#fff;font-weight:bold}
td.v-nm{background:` + ColourNotMeasured + `;color:#fff}
.refusal{border-left:6px solid ` + ColourNotMet + `;background:#ffebe9;padding:8px 12px;margin:8px 0}
.stopped{border-left:6px solid #9a6700;background:#fff8c5;padding:8px 12px;margin:8px 0}
.passed,.ok,.verified,.already-done{color:#1a7f37}.failed,.refused,.undefined{color:#cf222e}.skipped,.started,.incomplete,.interrupted{color:#9a6700}
td.passed,td.failed,td.skipped{font-weight:bold}
pre{background:#f6f8fa;padding:6px 8px;white-space:pre-wrap;word-break:break-word;margin:4px 0;font-size:12px}
pre.error{color:#cf222e;border-left:4px solid #cf222e}
code{font-size:12px}
.meta{color:#57606a;font-size:13px}
table.steps{width:100%}table.steps td,table.steps th{font-size:12.5px}td.step{white-space:nowrap}th.state{width:38%}
td.v-met,td.v-notmet,td.v-nm{white-space:nowrap}
table.events td,table.events th{font-size:12px}
table.gherkin td{border:none;border-bottom:1px solid #eaeef2;padding:2px 8px}
ol.sent{padding-left:20px;margin:4px 0}
svg.timeline{max-width:100%;height:auto;display:block;margin:6px 0}
details>summary{cursor:pointer;color:#0969da}
.chart-title{font-weight:bold;margin:10px 0 2px}
@media print{
 body{margin:0;max-width:none;font-size:11px}
 section.scenario{break-before:page}
 svg.timeline,table.verdict,.refusal{break-inside:avoid}
 h2,h3,.chart-title{break-after:avoid}
 details>summary{color:#1f2328}
 td.step{white-space:normal}
 table.steps td,table.steps th{font-size:9.5px;padding:2px 4px}
 table.events td,table.events th{font-size:9px}
}
</style></head>
<body>
{{if .Header.Simulated}}<div class="banner" id="simulated">SIMULATED: a drill against a simulated deployment (target {{.Header.Target}}). No real pool was touched; the figures are the simulator's, not production's.</div>{{end}}
<h1>{{.Header.Title}}</h1>

<section id="verdict">
<h2>Verdict per objective</h2>
<table class="verdict">
<tr><th>Objective</th><th>Verdict</th><th>Measured</th><th>Objective</th><th>What is measured</th></tr>
{{range .Overall}}<tr><th>{{.Objective}}</th><td class="{{vclass .Status}}">{{.Status}}</td><td>{{.Measured}}</td><td>{{.Target}}</td><td>{{.What}}{{if .Note}}; {{.Note}}{{end}}{{if and .Of (ne .Status "not measured")}}; {{.OfWords}} <a href="#s{{.Section}}">{{.Of}}</a>{{end}}</td></tr>
{{end}}</table>
<p class="meta">RTO: the failback's run time, from its first start to its end, resumes included, against the topology's <code>objectives.rto</code>.
Outage: from the active server list being cleared to the first chat session on the restored primary <code>mgc</code>, against <code>objectives.outage</code>.
RPO: acknowledged chat messages missing after the failback, against <code>objectives.rpo</code> (0s: none may be lost).
A verdict covers every failback run the report judges; refused runs and runs a scenario stops on purpose are not judged.</p>
</section>

<section id="header">
<h2>Run</h2>
<table class="header">
<tr><th>Harness</th><td>version {{.Header.Version}}, commit <code>{{.Header.Commit}}</code></td></tr>
{{range .Header.Topologies}}<tr><th>Topology</th><td><code>{{.File}}</code> {{.Digest}}</td></tr>
{{else}}<tr><th>Topology</th><td>not recorded</td></tr>
{{end}}<tr><th>Operator and host</th><td>{{.Header.Operator}} on {{.Header.Host}}</td></tr>
<tr><th>Target</th><td>{{.Header.Target}}</td></tr>
{{if .Header.Seed}}<tr><th>Seed</th><td>{{.Header.Seed}} (rerun with <code>drill --seed {{.Header.Seed}}</code>)</td></tr>
{{end}}<tr><th>Started (UTC)</th><td>{{utc .Header.Started}}</td></tr>
<tr><th>Ended (UTC)</th><td>{{utc .Header.Ended}}</td></tr>
{{if .Header.Command}}<tr><th>Command</th><td><code>{{.Header.Command}}</code></td></tr>
{{end}}<tr><th>Report written (UTC)</th><td>{{utc .Header.Produced}}</td></tr>
</table>
</section>

{{if .Drill}}<section id="scenarios">
<h2>Scenarios: {{.Passed}} passed, {{.Skipped}} skipped, {{.Failed}} failed, of {{len .Sections}}</h2>
<table class="scenarios">
<tr><th>#</th><th>Scenario</th><th>Result</th><th>Failback run time (RTO)</th><th>Chat outage</th><th>Messages lost (RPO)</th><th>Scenario time</th></tr>
{{range .Views}}<tr><td class="num">{{.N}}</td><td><a href="#s{{.N}}">{{.Name}}</a></td><td class="{{.Result}}">{{.Result}}{{if .Labels}}*{{end}}</td>
{{if .Summary}}{{range .Summary}}<td class="{{vclass .Status}}">{{cell .}}</td>{{end}}{{else if .Refused}}<td colspan="3">refused by {{(index .Refused 0).Check}}</td>{{else if .Unjudged}}<td colspan="3">failback stopped on purpose</td>{{else}}<td colspan="3">no failback</td>{{end}}
<td class="num">{{ms .Duration}}</td></tr>
{{end}}</table>
</section>{{end}}

{{range $s := .Views}}<section class="scenario" id="s{{.N}}">
<h2>{{.N}}. {{.Name}} <span class="{{.Result}}">{{mark .Result}} {{.Result}}</span></h2>
{{range .Refused}}<div class="refusal"><b>Refused by precondition {{.Check}}</b>: {{.Message}}</div>
{{end}}{{if .Error}}<pre class="error">{{.Error}}</pre>
{{end}}<p class="meta">{{if .URI}}{{.URI}}{{if .Tags}} · tags {{range $i, $t := .Tags}}{{if $i}} {{end}}{{$t}}{{end}}{{end}} · {{end}}started {{utc .Started}} UTC · {{ms .Duration}}{{if .Topology.File}} · topology <code>{{.Topology.File}}</code> {{.Topology.Digest}}{{end}}</p>
{{range .Judged}}<table class="verdict">
<tr><th>Objective</th><th>Verdict</th><th>Measured</th><th>Objective</th><th>What is measured</th></tr>
{{range .Verdicts}}<tr><th>{{.Objective}}</th><td class="{{vclass .Status}}">{{.Status}}</td><td>{{.Measured}}</td><td>{{.Target}}</td><td>{{.What}}{{if .Note}}; {{.Note}}{{end}}</td></tr>
{{end}}</table>
{{end}}{{range .Unjudged}}<div class="stopped">The failback stopped ({{.Outcome}}{{if .FailedStep}} at step {{.FailedStep}}{{end}}), as this scenario makes it: it proves the engine stops safely, so no objective is judged here.</div>
{{end}}{{with .Labels}}<p>Not done for real on this target:</p><ul class="labels">{{range .}}<li>{{.}}</li>{{end}}</ul>
{{end}}{{with .Faults}}<p>Fault schedule (seed <b>{{.Seed}}</b>):</p><ul class="schedule">{{range .Faults}}<li>{{.}}</li>{{else}}<li>no faults</li>{{end}}</ul>
{{end}}{{if .Gherkin}}<h3>Gherkin steps</h3>
<table class="gherkin">
{{range .Gherkin}}<tr><td class="{{.Status}}">{{mark .Status}} {{.Status}}</td><td>{{if .Keyword}}<b>{{keyword .Keyword}}</b> {{end}}{{.Text}}{{if .Error}}<pre class="error">{{.Error}}</pre>{{end}}</td><td class="num">{{ms .Duration}}</td></tr>
{{end}}</table>
{{end}}{{range .Runs}}<h3>Engine: {{if .DryRun}}plan (dry run) of the {{.Plan}}{{else}}{{.Plan}}{{end}} of {{.Pool}}{{if .ID}}, run <code>{{.ID}}</code>{{end}}: <span class="{{.Outcome}}">{{.Outcome}}</span>{{if not .DryRun}} in {{ms .Duration}}{{with index .Attrs "forecast_rto_seconds"}} (forecast {{.}} s){{end}}{{end}}{{if gt .Invocations 1}} over {{.Invocations}} invocations{{end}}</h3>
{{if .Error}}<pre class="error">{{.Error}}</pre>
{{end}}{{if .Preconditions}}<details{{if not (allOK .Preconditions)}} open{{end}}><summary>{{plural (len .Preconditions) "precondition"}}{{if allOK .Preconditions}}, all passed{{end}}</summary>
<table class="preconditions"><tr><th>Precondition</th><th>Outcome</th><th>Message</th></tr>
{{range .Preconditions}}<tr><td>{{.Check}}</td><td class="{{.Outcome}}">{{.Outcome}}</td><td>{{.Message}}{{if .Warnings}}<br><i>warning: {{.Warnings}}</i>{{end}}</td></tr>
{{end}}</table></details>
{{end}}{{if .Steps}}{{$day := day .Started}}{{$attrs := .Attrs}}<table class="steps">
<tr><th>#</th><th>Step</th><th>Start (UTC{{if $day}}, {{$day}}{{end}})</th><th>End (UTC)</th><th>Duration{{with index .Attrs "forecast_rto_seconds"}} (forecast){{end}}</th><th>Outcome</th><th>T-SQL</th><th>Cmdlets</th><th class="state">State after the step</th></tr>
{{range $st := .Steps}}<tr><td class="num">{{.Index}}</td><td class="step"><b>{{.Name}}</b>{{if gt .Invocation 1}}<br>(invocation {{.Invocation}}){{end}}</td><td>{{clock .Start $day}}</td><td>{{clock .End $day}}</td><td class="num">{{stepdur .}}{{with forecastOf $attrs .Name}}<br><i>forecast {{.}} s</i>{{end}}</td><td class="{{.Outcome}}">{{.Outcome}}</td><td class="num">{{.Statements}}</td><td class="num">{{.Cmdlets}}</td>
<td>{{.State}}{{if .Error}}<pre class="error">{{.Error}}</pre>{{end}}{{range .Notes}}<br><i>{{.Kind}}: {{.Text}}</i>{{end}}{{if .Sent}}
<details><summary>what the step sent ({{len .Sent}})</summary><ol class="sent">{{range .Sent}}<li>{{sentAt . $st}} to <b>{{.Target}}</b> ({{sentDur .Duration}}){{if .Change}}, changes state{{end}}<pre>{{.Text}}</pre>{{if .Error}}<pre class="error">{{.Error}}</pre>{{end}}</li>{{end}}</ol></details>{{end}}</td></tr>
{{end}}</table>
{{end}}{{range .Notes}}<p class="meta">{{.Kind}}: {{.Text}}</p>
{{end}}{{end}}{{with .Timeline}}{{if .Setup}}<h3>Timeline</h3>
<p class="chart-title">The world's set-up before the engine ran ({{.SetupSpan}}; not part of any measured figure)</p>
{{.Setup}}
{{end}}{{if .Run}}{{if not .Setup}}<h3>Timeline</h3>
{{end}}<p class="chart-title">{{if $s.Runs}}The engine's run ({{.RunSpan}}) and what followed{{else}}The scenario ({{.RunSpan}}){{end}}</p>
{{.Run}}
{{end}}{{end}}{{if .Events}}<details><summary>{{len .Events}} timeline events</summary>
<table class="events"><tr><th>At</th><th>UTC</th><th>Component</th><th>Kind</th><th>What</th><th>Error</th></tr>
{{range .Events}}<tr><td class="num">{{.Offset}}</td><td>{{.At}}</td><td>{{.Component}}</td><td>{{.Kind}}</td><td>{{.Text}}</td><td class="failed">{{.Err}}</td></tr>
{{end}}</table></details>
{{end}}</section>
{{end}}
</body></html>
`
