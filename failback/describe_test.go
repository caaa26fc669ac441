package failback_test

import (
	"strings"
	"testing"

	"github.com/pchatdr/harness/failback"
)

// Every event reads as a sentence, and a step-end says what holds after
// the step: a verified step's title (what its Verify confirmed), with
// what its check found before marked as before.
func TestDescriberStateAfterAndNoEmptyLine(t *testing.T) {
	var d failback.Describer
	events := []failback.Event{
		{Kind: failback.KindRunStart, Plan: "failback", Message: "failback of pchat.contoso.test", Attrs: map[string]string{"pool": "pchat.contoso.test"}},
		{Kind: failback.KindPrecondition, Check: "pool-failed-over", Outcome: failback.OutcomeOK},
		{Kind: failback.KindStepStart, Step: "pool-normal", Index: 7, Message: "set the pool state to Normal and wait for chat sessions on the primary mgc"},
		{Kind: failback.KindPhase, Step: "pool-normal", Phase: failback.PhaseCheck, Outcome: failback.OutcomeOK, Seconds: 0.004},
		{Kind: failback.KindSent, Step: "pool-normal", Target: failback.PoolTarget, Text: "Set-CsPersistentChatState -Identity 'service:pchat' -PoolState 'Normal'"},
		{Kind: failback.KindFact, Name: failback.FactFirstPrimarySession, Value: "2026-01-02T03:04:05Z"},
		{Kind: failback.KindMeasure, Name: failback.MeasureChatOutage, Seconds: 1.5},
		{Kind: failback.KindNote},
		{Kind: failback.KindStepEnd, Step: "pool-normal", Index: 7, Outcome: failback.OutcomeVerified, Message: "pool state is FailedOver"},
		{Kind: failback.KindRunEnd, Outcome: failback.OutcomeOK, Seconds: 12.5},
		{Kind: "progress", Step: "pool-normal", Message: "restore 40 percent"},
	}
	var lines []string
	for _, e := range events {
		s := d.Describe(e)
		if strings.TrimSpace(s) == "" {
			t.Errorf("%s event: empty description", e.Kind)
		}
		lines = append(lines, s)
	}
	end := lines[8]
	if !strings.HasPrefix(end, "verified: set the pool state to Normal") || !strings.Contains(end, "(before: pool state is FailedOver)") {
		t.Errorf("step-end reads %q: it must say what holds after the step, and mark the check's finding as before", end)
	}
	if lines[9] != "run ended: ok after 12.5s" {
		t.Errorf("run-end reads %q", lines[9])
	}
	if lines[4] != events[4].Text {
		t.Errorf("a sent event must read as the exact text sent, got %q", lines[4])
	}
	for want, e := range map[string]failback.Event{
		"already done, verified: active list empty": {Kind: failback.KindStepEnd, Step: "x", Outcome: failback.OutcomeAlreadyDone, Message: "active list empty"},
		"skipped: verified in the journal":          {Kind: failback.KindStepEnd, Step: "x", Outcome: failback.OutcomeSkipped, Message: "verified in the journal"},
		"failed (before: mirroring on)":             {Kind: failback.KindStepEnd, Step: "x", Outcome: failback.OutcomeFailed, Message: "mirroring on", Error: "boom"},
	} {
		if got := d.Describe(e); got != want {
			t.Errorf("got %q, want %q", got, want)
		}
	}
}
