package main

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// plot draws, per bandwidth, the outage, the limit and the three steps that
// move mgc against the history's size (log scale on both axes), as SVG.
func plot(rows []row) string {
	const W, H, L, R, T, B = 760, 420, 70, 200, 30, 50
	type pt struct{ x, y float64 }
	series := map[string][]pt{}
	var names []string
	add := func(name string, x, y float64) {
		if y <= 0 {
			return
		}
		if _, ok := series[name]; !ok {
			names = append(names, name)
		}
		series[name] = append(series[name], pt{x, y})
	}
	minX, maxX, minY, maxY := math.Inf(1), math.Inf(-1), math.Inf(1), math.Inf(-1)
	for _, r := range rows {
		if r.Result == nil || r.Error != "" {
			continue
		}
		x := float64(r.Bytes)
		bw := fmt.Sprintf(" @%g Mbit/s", r.BandwidthMbps)
		add("outage"+bw, x, r.Result.OutageSeconds)
		add("limit"+bw, x, r.Result.LimitSeconds)
		for _, s := range r.Result.Steps {
			switch s.Step {
			case "backup-backup-mgc", "restore-primary-mgc", "configure-log-shipping":
				add(s.Step+bw, x, s.Seconds)
			}
		}
		minX, maxX = math.Min(minX, x), math.Max(maxX, x)
		for _, y := range []float64{r.Result.OutageSeconds, r.Result.LimitSeconds} {
			minY, maxY = math.Min(minY, y), math.Max(maxY, y)
		}
		for _, s := range r.Result.Steps {
			if s.Seconds > 0 {
				minY, maxY = math.Min(minY, s.Seconds), math.Max(maxY, s.Seconds)
			}
		}
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">`, W, H)
	if len(names) == 0 {
		b.WriteString(`<text x="20" y="40">no run completed</text></svg>`)
		return b.String()
	}
	if minX == maxX {
		minX, maxX = minX/2, maxX*2
	}
	minY, maxY = math.Max(minY/1.5, 0.01), maxY*1.5
	lx := func(x float64) float64 {
		return L + (math.Log(x)-math.Log(minX))/(math.Log(maxX)-math.Log(minX))*(W-L-R)
	}
	ly := func(y float64) float64 {
		return H - B - (math.Log(y)-math.Log(minY))/(math.Log(maxY)-math.Log(minY))*(H-T-B)
	}
	fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="%d" fill="none" stroke="#999"/>`, L, T, W-L-R, H-T-B)
	for _, r := range rows {
		if r.Result != nil {
			x := lx(float64(r.Bytes))
			fmt.Fprintf(&b, `<text x="%.0f" y="%d" text-anchor="middle">%s</text>`, x, H-B+16, human(r.Bytes))
		}
	}
	for y := math.Pow(10, math.Floor(math.Log10(minY))); y <= maxY; y *= 10 {
		if y < minY {
			continue
		}
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%.0f" y2="%.0f" stroke="#eee"/><text x="%d" y="%.0f" text-anchor="end">%gs</text>`, L, W-R, ly(y), ly(y), L-4, ly(y)+4, y)
	}
	fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="middle">size of the chat history in mgc</text>`, (W-R+L)/2, H-12)
	sort.Strings(names)
	colors := []string{"#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"}
	for i, n := range names {
		c := colors[i%len(colors)]
		dash := ""
		if strings.HasPrefix(n, "limit") {
			dash = ` stroke-dasharray="6,4"`
		}
		pts := series[n]
		sort.Slice(pts, func(a, b int) bool { return pts[a].x < pts[b].x })
		var p []string
		for _, q := range pts {
			p = append(p, fmt.Sprintf("%.1f,%.1f", lx(q.x), ly(q.y)))
			fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>`, lx(q.x), ly(q.y), c)
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="%s" stroke-width="2"%s/>`, strings.Join(p, " "), c, dash)
		fmt.Fprintf(&b, `<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="%s" stroke-width="2"%s/><text x="%d" y="%d">%s</text>`,
			W-R+10, W-R+30, T+10+i*16, T+10+i*16, c, dash, W-R+34, T+14+i*16, n)
	}
	b.WriteString(`</svg>`)
	return b.String()
}
