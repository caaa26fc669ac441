package evidence

import (
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pchatdr/harness/sim/world"
)

// WriteHTML writes report.html atomically (temp file, rename).
func WriteHTML(path string, run Run) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".report-*.html")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	data := struct {
		Run
		Passed, Skipped int
		Views           []scenarioView
	}{Run: run}
	for _, s := range run.Scenarios {
		switch s.Result() {
		case "passed":
			data.Passed++
		case "skipped":
			data.Skipped++
		}
		data.Views = append(data.Views, view(s))
	}
	if err := page.Execute(tmp, data); err != nil {
		tmp.Close()
		return fmt.Errorf("render report: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

type scenarioView struct {
	Scenario
	SVG template.HTML
}

func view(s Scenario) scenarioView { return scenarioView{Scenario: s, SVG: timelineSVG(s)} }

// timelineSVG draws one lane per component with a mark per event; events
// that failed are red. Scale: the scenario's own span.
func timelineSVG(s Scenario) template.HTML {
	if len(s.Events) == 0 {
		return ""
	}
	const width, lane, left = 900.0, 22.0, 170.0
	var comps []string
	seen := map[string]bool{}
	for _, e := range s.Events {
		if !seen[e.Component] {
			seen[e.Component] = true
			comps = append(comps, e.Component)
		}
	}
	sort.Strings(comps)
	row := map[string]int{}
	for i, c := range comps {
		row[c] = i
	}
	start, end := s.Events[0].At, s.Events[len(s.Events)-1].At
	span := end.Sub(start)
	if span <= 0 {
		span = time.Millisecond
	}
	x := func(t time.Time) float64 { return left + (width-left-10)*float64(t.Sub(start))/float64(span) }
	var b strings.Builder
	h := lane*float64(len(comps)) + 24
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%.0f" font-family="sans-serif" font-size="11">`, width, h)
	for i, c := range comps {
		y := lane * float64(i)
		fmt.Fprintf(&b, `<rect x="0" y="%.0f" width="%.0f" height="%.0f" fill="%s"/>`, y, width, lane, []string{"#f6f6f6", "#ffffff"}[i%2])
		fmt.Fprintf(&b, `<text x="4" y="%.0f">%s</text>`, y+15, template.HTMLEscapeString(c))
	}
	for _, e := range s.Events {
		y := lane*float64(row[e.Component]) + 4
		color := "#2b6cb0"
		if e.Err != "" {
			color = "#c53030"
		}
		title := fmt.Sprintf("+%s %s %s %s", e.At.Sub(start).Round(time.Millisecond), e.Kind, e.Detail, e.Err)
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.0f" width="3" height="%.0f" fill="%s"><title>%s</title></rect>`, x(e.At), y, lane-8, color, template.HTMLEscapeString(title))
	}
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f">0</text><text x="%.0f" y="%.0f" text-anchor="end">%s</text>`, left, h-6, width-10, h-6, span.Round(time.Millisecond))
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"ms": func(d time.Duration) string {
		if d == 0 {
			return "-"
		}
		return d.Round(time.Millisecond).String()
	},
	"since": func(e world.Event, s Scenario) string {
		if len(s.Events) == 0 {
			return ""
		}
		return "+" + e.At.Sub(s.Events[0].At).Round(time.Millisecond).String()
	},
}).Parse(`<!doctype html>
<html><head><meta charset="utf-8"><title>Persistent Chat failback drill</title>
<style>body{font-family:sans-serif;margin:2em;color:#222}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:left}
.passed{color:#2f855a}.failed{color:#c53030}.skipped{color:#b7791f}details{margin:1em 0}pre{background:#f6f6f6;padding:8px;white-space:pre-wrap}</style></head>
<body>
<h1>Persistent Chat failback drill</h1>
<p>Target <b>{{.Target}}</b>, seed <b>{{.Seed}}</b> (rerun with <code>drill --seed {{.Seed}}</code>), started {{.Started.Format "2006-01-02 15:04:05 MST"}}, {{ms .Duration}}.
{{.Passed}} of {{len .Scenarios}} scenarios passed{{if .Skipped}}, {{.Skipped}} skipped (not applicable on this target){{end}}.</p>
<table><tr><th>Scenario</th><th>Result</th><th>Outage</th><th>Total</th><th>Objective</th></tr>
{{range .Views}}<tr><td>{{.Name}}</td><td class="{{.Result}}">{{.Result}}{{if .Labels}} ({{len .Labels}} labelled){{end}}</td><td>{{ms .Outage}}</td><td>{{ms .Duration}}</td><td>{{ms .Objective}}</td></tr>
{{end}}</table>
{{range $s := .Views}}<h2>{{.Name}}</h2>
{{if not .Passed}}<pre class="failed">{{.Error}}</pre>{{end}}
{{with .Labels}}<p>Not done for real on target {{$.Target}}:</p><ul class="labels">{{range .}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{with .Schedule}}<p>Fault schedule (seed <b>{{.Seed}}</b>):</p><ul class="schedule">{{range .Faults}}<li>{{.}}</li>{{else}}<li>no faults</li>{{end}}</ul>{{end}}
{{.SVG}}
<details><summary>{{len .Events}} timeline events</summary><table><tr><th>at</th><th>component</th><th>kind</th><th>detail</th><th>error</th></tr>
{{range .Events}}<tr><td>{{since . $s.Scenario}}</td><td>{{.Component}}</td><td>{{.Kind}}</td><td>{{.Detail}}</td><td class="failed">{{.Err}}</td></tr>
{{end}}</table></details>
{{end}}
</body></html>
`))
