package main

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/pchatdr/harness/failback"
)

// progress prints a line per precondition and per step on stderr, and a
// spinner with the running step only when stderr is a terminal (a log file
// or CI would otherwise fill with carriage returns).
type progress struct {
	mu      sync.Mutex
	w       io.Writer
	spin    bool
	current string
	stop    chan struct{}
	done    chan struct{}
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w, spin: isTerminal(w)}
	if p.spin {
		p.stop, p.done = make(chan struct{}), make(chan struct{})
		go p.spinner()
	}
	return p
}

func (p *progress) spinner() {
	defer close(p.done)
	frames := `|/-\`
	t := time.NewTicker(150 * time.Millisecond)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-p.stop:
			return
		case <-t.C:
			p.mu.Lock()
			if p.current != "" {
				fmt.Fprintf(p.w, "\r%c %s", frames[i%len(frames)], p.current)
			}
			p.mu.Unlock()
		}
	}
}

// Close stops the spinner.
func (p *progress) Close() {
	if p.spin {
		close(p.stop)
		<-p.done
	}
}

func (p *progress) line(format string, args ...any) {
	if p.spin && p.current != "" {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintf(p.w, format+"\n", args...)
}

func (p *progress) Event(e failback.Event) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch e.Kind {
	case failback.KindPrecondition:
		msg := e.Message
		if e.Outcome == failback.OutcomeOK {
			msg = "ok"
		}
		p.line("precondition %s: %s", e.Check, msg)
	case failback.KindStepStart:
		p.current = fmt.Sprintf("step %d %s: %s", e.Index, e.Step, e.Message)
	case failback.KindNote:
		if strings.HasPrefix(e.Message, "attempt ") {
			p.line("  %s", e.Message)
		}
	case failback.KindBudget:
		if e.Outcome == failback.BudgetOverrun {
			p.line("  WARNING: %s", e.Message)
		} else {
			p.line("  step %d %s: %s", e.Index, e.Step, e.Message)
		}
	case failback.KindProgress:
		// Each STATS message as it arrives: percent, MB/s, time left.
		p.line("  %s", e.Message)
	case failback.KindStepEnd:
		p.current = ""
		if e.Error != "" {
			p.line("step %d %-24s %-13s %7.1fs  %s", e.Index, e.Step, e.Outcome, e.Seconds, e.Error)
		} else {
			p.line("step %d %-24s %-13s %7.1fs", e.Index, e.Step, e.Outcome, e.Seconds)
		}
	}
}
