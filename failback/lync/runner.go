package lync

import (
	"context"
	"fmt"
	"sync"
)

// Output is what a PowerShell process left behind.
type Output struct {
	Stdout   string
	Stderr   string
	ExitCode int
}

// Runner runs one PowerShell script and returns its output. An error means
// the script could not be run or its output not collected (transport); a
// script that ran and failed is an Output with a non-zero ExitCode and
// CLIXML on Stderr, which Client turns into *CmdletError.
type Runner interface {
	Run(ctx context.Context, script string) (Output, error)
}

// FuncRunner adapts a function to Runner.
type FuncRunner func(ctx context.Context, script string) (Output, error)

// Run calls f.
func (f FuncRunner) Run(ctx context.Context, script string) (Output, error) { return f(ctx, script) }

// Reply is one canned answer of a ScriptedRunner.
type Reply struct {
	Output Output
	Err    error
}

// ScriptedRunner is an in-memory Runner for tests: it records every script
// and answers from a queue of replies (an empty Output once the queue is
// used up). It is safe for concurrent use.
type ScriptedRunner struct {
	mu      sync.Mutex
	replies []Reply
	scripts []string
}

// NewScriptedRunner returns a runner that answers with replies in order.
func NewScriptedRunner(replies ...Reply) *ScriptedRunner {
	return &ScriptedRunner{replies: replies}
}

// Run records script and returns the next reply.
func (r *ScriptedRunner) Run(ctx context.Context, script string) (Output, error) {
	if err := ctx.Err(); err != nil {
		return Output{}, fmt.Errorf("scripted runner: %w", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.scripts = append(r.scripts, script)
	if len(r.replies) == 0 {
		return Output{}, nil
	}
	rep := r.replies[0]
	r.replies = r.replies[1:]
	return rep.Output, rep.Err
}

// Scripts returns a copy of the scripts run so far.
func (r *ScriptedRunner) Scripts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.scripts...)
}
