package evidence

import (
	"fmt"
	"time"

	"github.com/pchatdr/harness/failback"
)

// Verdict statuses: the words the report uses.
const (
	Met         = "met"
	NotMet      = "not met"
	NotMeasured = "not measured"
)

// The three objectives, in the order the report gives them.
const (
	ObjectiveRTO    = "RTO"
	ObjectiveOutage = "Outage"
	ObjectiveRPO    = "RPO"
)

// Verdict is one objective judged: the measured figure against the
// objective's, with the word met or not met (or not measured, and why).
type Verdict struct {
	Objective string `json:"objective"` // RTO, Outage, RPO
	// What the figure is ("the failback's run time").
	What     string `json:"what"`
	Status   string `json:"status"`
	Measured string `json:"measured"` // "4.949s", "0 messages"
	Target   string `json:"target"`   // "5m0s"
	Note     string `json:"note,omitempty"`
	// Of names the scenario or run the figure comes from (aggregates);
	// Section is its 1-based number in the report.
	Of      string `json:"of,omitempty"`
	Section int    `json:"section,omitempty"`
	// value orders aggregates (seconds, or messages); margin is how far
	// inside (negative) or over (positive) the objective it is.
	value float64
}

// Verdicts judges one failback run against the objectives. loss is the
// section's count of lost messages, if any was taken (the drill's ledger
// check); a journal's own measure counts too.
func Verdicts(r Run, o Objectives, loss *Loss) []Verdict {
	return []Verdict{rtoVerdict(r, o), outageVerdict(r, o), rpoVerdict(r, o, loss)}
}

func rtoVerdict(r Run, o Objectives) Verdict {
	v := Verdict{Objective: ObjectiveRTO, What: "the failback's run time", Target: dur(o.RTO), Measured: "-", Status: NotMeasured}
	switch r.Outcome {
	case failback.OutcomeOK:
		v.Measured, v.value = dur(r.Duration), r.Duration.Seconds()
		v.Status = metIf(o.RTO > 0 && r.Duration <= o.RTO)
		if r.Invocations > 1 {
			v.Note = fmt.Sprintf("from the first start to the end, across %d invocations", r.Invocations)
		}
	case failback.OutcomeRefused:
		v.Note = "the run was refused before it changed anything"
	default:
		v.Measured, v.value = "≥ "+dur(r.Duration), r.Duration.Seconds()
		v.Status = NotMet
		v.Note = fmt.Sprintf("the failback did not complete: %s%s", r.Outcome, atStep(r.FailedStep))
	}
	if o.RTO <= 0 {
		v.Status, v.Note = NotMeasured, "the topology sets no rto"
	}
	return v
}

func outageVerdict(r Run, o Objectives) Verdict {
	v := Verdict{Objective: ObjectiveOutage, What: "the chat outage",
		Target: dur(o.Outage), Measured: "-", Status: NotMeasured}
	switch {
	case r.Outage > 0:
		v.Measured, v.value = dur(r.Outage), r.Outage.Seconds()
		v.Status = metIf(o.Outage > 0 && r.Outage <= o.Outage)
	case r.Outcome == failback.OutcomeRefused:
		v.Note = "the run was refused before it changed anything"
	case !r.OutageStart.IsZero():
		// Chat went down and the run stopped before it came back.
		so := r.Ended.Sub(r.OutageStart)
		v.Measured, v.value = "≥ "+dur(so), so.Seconds()
		v.Note = fmt.Sprintf("chat was still down when the run stopped: %s%s", r.Outcome, atStep(r.FailedStep))
		if o.Outage > 0 && so > o.Outage {
			v.Status = NotMet
		}
	default:
		v.Note = "the run stopped before the outage began"
	}
	if o.Outage <= 0 {
		v.Status, v.Note = NotMeasured, "the topology sets no outage objective"
	}
	return v
}

func rpoVerdict(r Run, o Objectives, loss *Loss) Verdict {
	v := Verdict{Objective: ObjectiveRPO, What: "acknowledged messages lost", Target: rpoTarget(o.RPO), Measured: "-", Status: NotMeasured}
	if loss == nil {
		loss = r.Loss
	}
	switch {
	case r.Outcome == failback.OutcomeRefused:
		v.Note = "the run was refused before it changed anything"
		return v
	case loss == nil:
		v.Note = "no check counted lost messages: the engine cannot see which posts the chat servers acknowledged; a check of the restored store against them can, as the drill's ledger does"
		return v
	}
	v.value = float64(loss.Count)
	v.Measured = plural(loss.Count, "message")
	if loss.By != "" {
		v.Note = "counted by " + loss.By
	}
	switch {
	case loss.Count == 0:
		v.Status = Met
	case o.RPO > 0 && !loss.Since.IsZero() && !r.OutageStart.IsZero():
		// The loss reaches back from the cut-over to the earliest lost
		// acknowledgement: within the RPO, the objective allows it.
		window := r.OutageStart.Sub(loss.Since)
		v.Measured += fmt.Sprintf(", the earliest acknowledged %s before the cut-over", dur(window))
		v.Status = metIf(window <= o.RPO)
	default:
		v.Status = NotMet
	}
	return v
}

func rpoTarget(rpo time.Duration) string {
	if rpo <= 0 {
		return "0s, none may be lost"
	}
	return dur(rpo) + " of acknowledged messages"
}

func metIf(ok bool) string {
	if ok {
		return Met
	}
	return NotMet
}

func atStep(s string) string {
	if s == "" {
		return ""
	}
	return " at step " + s
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// dur formats a duration for the report: milliseconds, "-" for none.
func dur(d time.Duration) string {
	if d == 0 {
		return "-"
	}
	return d.Round(time.Millisecond).String()
}

// Judged is one run's verdicts with where it came from.
type Judged struct {
	Section  string
	Index    int // the section's 1-based number in the report
	Run      Run
	Verdicts []Verdict
}

// Judge judges every failback run of every section that Judged runs.
func (rep Report) Judge() []Judged {
	var out []Judged
	for i, s := range rep.Sections {
		for _, j := range s.Judge() {
			j.Index = i + 1
			out = append(out, j)
		}
	}
	return out
}

// Judge judges the section's failback runs against its objectives. A
// refused run is not judged (nothing was changed: its section shows the
// refusal instead), nor is a run that stopped in a drill scenario that
// passed: the scenario made it stop on purpose (a fault it injects) and
// proved the engine stops as it should, not how long a failback takes.
func (s Section) Judge() []Judged {
	var out []Judged
	for _, r := range s.FailbackRuns() {
		if !s.Judges(r) {
			continue
		}
		out = append(out, Judged{Section: s.Name, Run: r, Verdicts: Verdicts(r, s.Objectives, s.Loss)})
	}
	return out
}

// Judges says whether the objectives judge run r of the section.
func (s Section) Judges(r Run) bool {
	switch {
	case r.DryRun || r.Plan != failback.PlanFailback || r.Outcome == failback.OutcomeRefused:
		return false
	case r.Outcome == failback.OutcomeOK:
		return true
	}
	return !(len(s.Gherkin) > 0 && s.Result == ResultPassed)
}

// Overall is the report's first answer: per objective, met only when
// every judged run met it, with the worst figure and where it came from.
func (rep Report) Overall() []Verdict {
	judged := rep.Judge()
	out := []Verdict{
		{Objective: ObjectiveRTO, What: "the failback's run time", Status: NotMeasured, Measured: "-", Target: "-"},
		{Objective: ObjectiveOutage, What: "the chat outage", Status: NotMeasured, Measured: "-", Target: "-"},
		{Objective: ObjectiveRPO, What: "acknowledged messages lost", Status: NotMeasured, Measured: "-", Target: "-"},
	}
	for i := range out {
		var worst *Verdict
		measured, met := 0, 0
		for _, j := range judged {
			v := j.Verdicts[i]
			v.Of, v.Section = j.Section, j.Index
			if v.Status == NotMeasured {
				continue
			}
			measured++
			if v.Status == Met {
				met++
			}
			if worst == nil || worse(v, *worst) {
				w := v
				worst = &w
			}
		}
		if worst == nil {
			out[i].Note = noneMeasured(len(judged))
			continue
		}
		w := *worst
		w.Status = metIf(met == measured)
		w.Note = fmt.Sprintf("%d of %d %s met it", met, measured, runsWord(measured))
		out[i] = w
	}
	return out
}

// OfWords introduces where an aggregate's figure comes from.
func (v Verdict) OfWords() string {
	if v.Status == NotMet {
		return "the worst is from"
	}
	return "the largest is from"
}

// worse orders verdicts for the aggregate: a miss before a met, then the
// larger figure.
func worse(v, w Verdict) bool {
	if (v.Status == NotMet) != (w.Status == NotMet) {
		return v.Status == NotMet
	}
	return v.value > w.value
}

func runsWord(n int) string {
	if n == 1 {
		return "failback run"
	}
	return "failback runs"
}

func noneMeasured(judged int) string {
	if judged == 0 {
		return "no failback ran to be judged"
	}
	return fmt.Sprintf("not measured in any of %d failback runs", judged)
}
