package evidence

import (
	"fmt"
	"time"

	"github.com/pchatdr/harness/failback"
)

// t0 is the fixtures' clock: every time is fixed, so rendered evidence is
// the same on every run (golden files).
var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// journal builds a run's events as the engine journals them, at fixed
// offsets from t0.
type journal struct {
	run, plan string
	seq       int
	events    []failback.Event
}

func (j *journal) at(ms int, e failback.Event) {
	j.seq++
	e.Seq, e.RunID, e.Plan = j.seq, j.run, j.plan
	e.Time = t0.Add(time.Duration(ms) * time.Millisecond)
	j.events = append(j.events, e)
}

func (j *journal) start(ms int, attrs map[string]string) {
	a := map[string]string{"pool": "pchat.contoso.test"}
	for k, v := range attrs {
		a[k] = v
	}
	j.at(ms, failback.Event{Kind: failback.KindRunStart, Message: j.plan + " of pchat.contoso.test", Attrs: a})
}

func (j *journal) pre(ms int, check, outcome, msg string) {
	j.at(ms, failback.Event{Kind: failback.KindPrecondition, Check: check, Outcome: outcome, Message: msg})
}

// step journals one step: its start, n statements and c cmdlets, its end.
func (j *journal) step(ms, length int, index int, name, title string, n, c int, outcome, before, errText string, notes ...string) {
	j.at(ms, failback.Event{Kind: failback.KindStepStart, Step: name, Index: index, Message: title})
	for i := 0; i < n; i++ {
		j.at(ms+1+i, failback.Event{Kind: failback.KindSent, Step: name, Index: index, Target: "sql-backup", Text: fmt.Sprintf("SELECT %d /* %s */", i+1, name), Seconds: 0.001})
	}
	for i := 0; i < c; i++ {
		j.at(ms+1+n+i, failback.Event{Kind: failback.KindSent, Step: name, Index: index, Target: failback.PoolTarget,
			Text: "Set-CsPersistentChatState -Identity 'service:pchat.contoso.test' -PoolState 'Normal'", Seconds: 0.02, Attrs: map[string]string{"change": "true"}})
	}
	for i, note := range notes {
		j.at(ms+1+n+c+i, failback.Event{Kind: failback.KindNote, Step: name, Index: index, Message: note})
	}
	j.at(ms+length, failback.Event{Kind: failback.KindStepEnd, Step: name, Index: index, Outcome: outcome, Message: before, Error: errText,
		Seconds: float64(length) / 1000})
}

func (j *journal) end(ms int, outcome, step, errText string) {
	j.at(ms, failback.Event{Kind: failback.KindRunEnd, Outcome: outcome, Step: step, Error: errText, Seconds: float64(ms) / 1000})
}

var fixtureAttrs = map[string]string{
	AttrVersion: "v1.2.3", AttrCommit: "0123456789abcdef", AttrOperator: "alice", AttrHost: "rehearsal01",
	AttrTopology: "prod.yaml", AttrTopologyDigest: "sha256:feedface", AttrRTO: "5m0s", AttrOutage: "2m0s", AttrRPO: "0s",
	AttrCommand: "failback run --topology prod.yaml --confirm pchat.contoso.test",
}

// completedRun is a failback that stopped at step 2 and was resumed to the
// end: 95 s, with a 70 s chat outage.
func completedRun() []failback.Event {
	j := &journal{run: "20260302T090000Z-aaaaaa", plan: failback.PlanFailback}
	j.start(0, fixtureAttrs)
	j.pre(100, "pool-failed-over", failback.OutcomeOK, "pool state is FailedOver")
	j.pre(200, "share-reachable", failback.OutcomeOK, `\\files\pchat-logship is reachable from both instances`)
	j.at(1000, failback.Event{Kind: failback.KindFact, Name: failback.FactOutageStart, Value: t0.Add(1500 * time.Millisecond).Format(time.RFC3339Nano)})
	j.step(1000, 9000, 1, failback.StepClearActive, "clear the Persistent Chat active server list", 2, 1, failback.OutcomeVerified, "active servers: pc5, pc6", "")
	j.step(10000, 500, 2, failback.StepRemoveMirror, "remove mirroring on the backup mgc and mgccomp", 1, 0, failback.OutcomeFailed, "mgc is PRINCIPAL", "step remove-mirroring apply: context canceled")
	j.end(10600, failback.OutcomeInterrupted, failback.StepRemoveMirror, "run interrupted")
	j.start(20000, map[string]string{"resume": "true"})
	j.step(20100, 10, 1, failback.StepClearActive, "clear the Persistent Chat active server list", 0, 0, failback.OutcomeSkipped, "verified in the journal", "")
	j.step(20200, 4800, 2, failback.StepRemoveMirror, "remove mirroring on the backup mgc and mgccomp", 3, 0, failback.OutcomeVerified, "mgc is PRINCIPAL", "")
	j.step(25000, 20000, 3, failback.StepBackup, "full backup of the backup mgc to the share, verified", 4, 0, failback.OutcomeVerified, "no backup set", "")
	j.step(45000, 25000, 4, failback.StepRestore, "restore the backup over the primary mgc WITH REPLACE, RECOVERY", 5, 0, failback.OutcomeVerified, "no restore", "")
	j.step(70000, 15000, 5, failback.StepLogShipping, "configure log shipping from the primary mgc to the backup server", 6, 0, failback.OutcomeVerified, "not shipping", "",
		"attempt 1 failed, will retry: read: EOF")
	j.step(85000, 2000, 6, failback.StepSetActive, "set the active servers for the primary data center", 0, 2, failback.OutcomeVerified, "active servers are []", "")
	j.step(87000, 8000, 7, failback.StepPoolNormal, "set the pool state to Normal and wait for chat sessions on the primary mgc", 1, 2, failback.OutcomeVerified, "pool state is FailedOver", "")
	j.at(94000, failback.Event{Kind: failback.KindFact, Name: failback.FactFirstPrimarySession, Value: t0.Add(71500 * time.Millisecond).Format(time.RFC3339Nano)})
	j.at(94001, failback.Event{Kind: failback.KindMeasure, Name: failback.MeasureChatOutage, Seconds: 70})
	j.end(95000, failback.OutcomeOK, "", "")
	return j.events
}

// refusedRun is a failback a precondition refused.
func refusedRun() []failback.Event {
	j := &journal{run: "20260302T100000Z-bbbbbb", plan: failback.PlanFailback}
	j.start(0, fixtureAttrs)
	j.pre(100, "pool-failed-over", failback.OutcomeFailed, "pool state is Normal: the pool never failed over, there is nothing to fail back")
	j.pre(200, "share-reachable", failback.OutcomeOK, "reachable")
	j.end(300, failback.OutcomeRefused, "", "precondition refused: pool-failed-over: pool state is Normal")
	return j.events
}

// stoppedRun is a failback that failed at step 4 after 6m10s, chat down.
func stoppedRun() []failback.Event {
	j := &journal{run: "20260302T110000Z-cccccc", plan: failback.PlanFailback}
	j.start(0, fixtureAttrs)
	j.pre(100, "pool-failed-over", failback.OutcomeOK, "pool state is FailedOver")
	j.at(1000, failback.Event{Kind: failback.KindFact, Name: failback.FactOutageStart, Value: t0.Add(1000 * time.Millisecond).Format(time.RFC3339Nano)})
	j.step(1000, 4000, 1, failback.StepClearActive, "clear the Persistent Chat active server list", 1, 1, failback.OutcomeVerified, "active servers: pc5", "")
	j.step(5000, 5000, 2, failback.StepRemoveMirror, "remove mirroring on the backup mgc and mgccomp", 2, 0, failback.OutcomeVerified, "mgc is PRINCIPAL", "")
	j.step(10000, 60000, 3, failback.StepBackup, "full backup of the backup mgc to the share, verified", 2, 0, failback.OutcomeVerified, "no backup set", "")
	j.step(70000, 300000, 4, failback.StepRestore, "restore the backup over the primary mgc WITH REPLACE, RECOVERY", 3, 0, failback.OutcomeFailed, "no restore",
		"step restore-primary-mgc apply: mssql: Exclusive access could not be obtained because the database is in use. (3101)")
	j.end(370000, failback.OutcomeFailed, failback.StepRestore, "step restore-primary-mgc apply: 3101")
	return j.events
}

var fixtureObjectives = Objectives{RTO: 5 * time.Minute, Outage: 2 * time.Minute}

// fixtureReport is three real runs' evidence, as `failback report` would
// write it for each, in one report.
func fixtureReport() Report {
	var secs []Section
	for _, evs := range [][]failback.Event{completedRun(), refusedRun(), stoppedRun()} {
		s := SectionFromJournal(evs, fixtureObjectives)
		secs = append(secs, s)
	}
	secs[0].Loss = &Loss{Count: 0, By: "the lab's check"}
	return Report{
		Header: Header{Title: "Persistent Chat failback run", Version: "v1.2.3", Commit: "0123456789abcdef",
			Topologies: []TopologyRef{{File: "prod.yaml", Digest: "sha256:feedface"}}, Operator: "alice", Host: "rehearsal01",
			Target: "pchat.contoso.test", Command: fixtureAttrs[AttrCommand], Started: t0, Ended: t0.Add(370 * time.Second), Produced: t0.Add(time.Hour)},
		Sections: secs,
	}
}
