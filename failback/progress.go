package failback

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/pchatdr/harness/failback/sqlserver"
)

// Live progress of BACKUP and RESTORE (issue 12, defect 7). With STATS = n,
// SQL Server sends "N percent processed." (message 3211, severity 10) each
// time another n percent is done, while the statement runs; go-mssqldb
// hands each INFO token to sqlserver.WithMessages' callback as it arrives.
// The engine turns each into a progress event with the rate and the time
// left, so an operator watching a 200 GB restore sees it move.

// MsgPercentProcessed is SQL Server's STATS progress message.
const MsgPercentProcessed = 3211

// Progress is one STATS message of a running statement.
type Progress struct {
	Target    string        // topology instance name
	Statement string        // "BACKUP DATABASE", "RESTORE DATABASE"
	Percent   int           // as the server reported it
	Elapsed   time.Duration // since the statement was sent
}

type progressKey struct{}

// WithProgress returns a context whose BACKUP and RESTORE statements report
// their STATS progress to fn, from the goroutine reading the server's
// messages.
func WithProgress(ctx context.Context, fn func(Progress)) context.Context {
	return context.WithValue(ctx, progressKey{}, fn)
}

var percentRE = regexp.MustCompile(`^\s*(\d{1,3}) percent processed\.`)

// ParsePercent reads a 3211 message ("10 percent processed.").
func ParsePercent(m sqlserver.Message) (int, bool) {
	if m.Number != 0 && m.Number != MsgPercentProcessed {
		return 0, false
	}
	x := percentRE.FindStringSubmatch(m.Text)
	if x == nil {
		return 0, false
	}
	n, err := strconv.Atoi(x[1])
	if err != nil || n > 100 {
		return 0, false
	}
	return n, true
}

// withStatsProgress wires a statement's INFO messages to the context's
// progress function, if any.
func withStatsProgress(ctx context.Context, target, statement string) context.Context {
	fn, _ := ctx.Value(progressKey{}).(func(Progress))
	if fn == nil {
		return ctx
	}
	start := time.Now()
	return sqlserver.WithMessages(ctx, func(m sqlserver.Message) {
		if pct, ok := ParsePercent(m); ok {
			fn(Progress{Target: target, Statement: statement, Percent: pct, Elapsed: time.Since(start)})
		}
	})
}

// progressEvent describes p for the journal and the CLI: the rate from the
// data one statement of the step moves (copy bytes) and the time left at
// that rate.
func progressEvent(p Progress, copyBytes int64) Event {
	ev := Event{Kind: KindProgress, Target: p.Target, Seconds: p.Elapsed.Seconds(),
		Attrs: map[string]string{"percent": strconv.Itoa(p.Percent), "statement": p.Statement}}
	msg := fmt.Sprintf("%s on %s: %d%%", p.Statement, p.Target, p.Percent)
	if copyBytes > 0 && p.Percent > 0 && p.Elapsed > 0 {
		done := float64(copyBytes) * float64(p.Percent) / 100 / (1 << 20)
		rate := done / p.Elapsed.Seconds()
		eta := time.Duration(float64(p.Elapsed) * float64(100-p.Percent) / float64(p.Percent))
		ev.Attrs["mbps"] = strconv.FormatFloat(rate, 'f', 1, 64)
		ev.Attrs["eta_seconds"] = strconv.FormatFloat(eta.Seconds(), 'f', 0, 64)
		msg += fmt.Sprintf(" (%.1f of %.1f MB), %.1f MB/s, about %s left", done, float64(copyBytes)/(1<<20), rate, eta.Round(time.Second))
	}
	ev.Message = msg
	return ev
}
