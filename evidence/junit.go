package evidence

import (
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/pchatdr/harness/failback"
)

// JUnit XML, written from the evidence rather than by godog's formatter:
// godog times a suite from its first scenario by ID to its last, which
// goes negative when scenarios run concurrently or in random order. Every
// time here is a measured duration, never below zero.

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name      string      `xml:"name,attr"`
	Tests     int         `xml:"tests,attr"`
	Failures  int         `xml:"failures,attr"`
	Skipped   int         `xml:"skipped,attr"`
	Time      string      `xml:"time,attr"`
	Timestamp string      `xml:"timestamp,attr,omitempty"`
	Cases     []junitCase `xml:"testcase"`
	total     time.Duration
	first     time.Time
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr,omitempty"`
}

func seconds(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return strconv.FormatFloat(d.Seconds(), 'f', 3, 64)
}

// WriteJUnit writes junit.xml: for a drill a suite per feature file and a
// case per scenario; for a real run a suite per run with a case per
// precondition and per step attempt.
func WriteJUnit(w io.Writer, rep Report) error {
	root := junitSuites{Name: orDefault(rep.Header.Title, "pchat-failback")}
	var order []string
	suites := map[string]*junitSuite{}
	suite := func(name string, at time.Time) *junitSuite {
		s, ok := suites[name]
		if !ok {
			s = &junitSuite{Name: name, first: at}
			suites[name] = s
			order = append(order, name)
		}
		if !at.IsZero() && (s.first.IsZero() || at.Before(s.first)) {
			s.first = at
		}
		return s
	}
	add := func(s *junitSuite, c junitCase, d time.Duration) {
		s.Tests++
		s.total += max(d, 0)
		switch {
		case c.Failure != nil:
			s.Failures++
		case c.Skipped != nil:
			s.Skipped++
		}
		s.Cases = append(s.Cases, c)
	}
	for _, sec := range rep.Sections {
		if sec.URI != "" || len(sec.Gherkin) > 0 {
			s := suite(orDefault(sec.URI, "scenarios"), sec.Started)
			c := junitCase{Name: sec.Name, Classname: orDefault(sec.URI, "scenario"), Time: seconds(sec.Duration), SystemOut: gherkinText(sec.Gherkin)}
			switch sec.Result {
			case ResultFailed:
				c.Failure = &junitFailure{Message: firstLine(sec.Error), Text: sec.Error}
			case ResultSkipped:
				c.Skipped = &junitSkipped{Message: strings.Join(sec.Labels, "; ")}
			}
			add(s, c, sec.Duration)
			continue
		}
		for _, r := range sec.Runs {
			name := fmt.Sprintf("%s of %s (run %s)", r.Plan, r.Pool, r.ID)
			s := suite(name, r.Started)
			for _, p := range r.Preconditions {
				c := junitCase{Name: "precondition " + p.Check, Classname: r.Plan + ".preconditions", Time: seconds(0)}
				if p.Outcome == failback.OutcomeFailed {
					c.Failure = &junitFailure{Message: p.Message, Text: p.Message}
				}
				add(s, c, 0)
			}
			for _, st := range r.Steps {
				name := fmt.Sprintf("step %d %s", st.Index, st.Name)
				if st.Invocation > 1 {
					name += fmt.Sprintf(" (invocation %d)", st.Invocation)
				}
				c := junitCase{Name: name, Classname: r.Plan + ".steps", Time: seconds(st.Duration()), SystemOut: st.State}
				switch st.Outcome {
				case failback.OutcomeFailed, "started":
					msg := orDefault(st.Error, "the step never ended")
					c.Failure = &junitFailure{Message: firstLine(msg), Text: msg}
				case failback.OutcomeSkipped:
					c.Skipped = &junitSkipped{Message: st.State}
				}
				add(s, c, st.Duration())
			}
		}
	}
	for _, name := range order {
		s := suites[name]
		s.Time = seconds(s.total)
		if !s.first.IsZero() {
			s.Timestamp = s.first.UTC().Format("2006-01-02T15:04:05")
		}
		root.Tests += s.Tests
		root.Failures += s.Failures
		root.Skipped += s.Skipped
		root.Suites = append(root.Suites, *s)
	}
	root.Time = seconds(rep.Header.Ended.Sub(rep.Header.Started))
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(root); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func gherkinText(steps []GherkinStep) string {
	var b strings.Builder
	for _, g := range steps {
		fmt.Fprintf(&b, "%-9s %s%s (%s)\n", g.Status, keyword(g.Keyword), g.Text, dur(g.Duration))
		if g.Error != "" {
			fmt.Fprintf(&b, "          %s\n", g.Error)
		}
	}
	return b.String()
}

func keyword(k string) string {
	k = strings.TrimSpace(k)
	if k == "" {
		return ""
	}
	return k + " "
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}
