package agent

import (
	"fmt"
	"strings"
)

// maxStepsPerRun stops a job whose goto actions loop forever.
const maxStepsPerRun = 1000

// execute runs one job to its end and writes its history: a row per step
// and the job outcome row (step 0). Message wording follows SQL Server
// Agent's history as commonly seen; it is not in the project reference.
func (s *Scheduler) execute(r *activeRun) {
	defer s.wg.Done()
	job := r.job
	outcome, lastID, lastName := StatusSucceeded, 0, ""
	stepID := r.stepID
	for executed := 0; ; executed++ {
		step, ok := findStep(job, stepID)
		if !ok || executed >= maxStepsPerRun {
			outcome = StatusFailed
			break
		}
		s.mu.Lock()
		r.current = step.StepID
		s.mu.Unlock()
		begin := s.cfg.Clock.Now()
		msg, msgID, sev, err := s.cfg.Executor.RunStep(r.ctx, job, step)
		status := StatusSucceeded
		switch {
		case r.ctx.Err() != nil:
			status = StatusCanceled
			msg = strings.TrimSpace(msg + "  The step was cancelled (stopped) as the result of a stop job request.")
		case err != nil:
			status = StatusFailed
			if msg == "" {
				msg = err.Error()
			}
			msg = fmt.Sprintf("Executed as user: %s. %s  The step failed.", s.cfg.ServiceAccount, msg)
		default:
			msg = strings.TrimSpace(fmt.Sprintf("Executed as user: %s. %s", s.cfg.ServiceAccount, msg)) + "  The step succeeded."
		}
		s.record(HistoryRow{
			JobID: job.JobID, StepID: step.StepID, StepName: step.StepName,
			SQLMessageID: msgID, SQLSeverity: sev, Message: msg, RunStatus: status,
			RunDate: DateInt(begin), RunTime: TimeInt(begin), RunDuration: DurationInt(s.cfg.Clock.Now().Sub(begin)),
		})
		lastID, lastName = step.StepID, step.StepName
		if status == StatusCanceled {
			outcome = StatusCanceled
			break
		}
		action, target := step.OnSuccessAction, step.OnSuccessStepID
		if action == 0 {
			action = ActionQuitSuccess
		}
		if status == StatusFailed {
			action, target = step.OnFailAction, step.OnFailStepID
			if action == 0 {
				action = ActionQuitFailure
			}
		}
		done := true
		switch action {
		case ActionQuitSuccess:
			outcome = StatusSucceeded
		case ActionQuitFailure:
			outcome = StatusFailed
		case ActionNextStep:
			if _, ok := findStep(job, step.StepID+1); ok {
				stepID, done = step.StepID+1, false
			} else if status == StatusFailed {
				outcome = StatusFailed
			}
		case ActionGotoStep:
			stepID, done = target, false
		}
		if done {
			break
		}
	}

	end := s.cfg.Clock.Now()
	var head string
	switch outcome {
	case StatusSucceeded:
		head = "The job succeeded."
	case StatusFailed:
		head = "The job failed."
	default:
		head = "The job was stopped prior to completion by " + r.stoppedByOr("the Agent shutting down") + "."
	}
	msg := fmt.Sprintf("%s  The Job was invoked by %s.", head, r.invokedBy)
	if lastID != 0 {
		msg += fmt.Sprintf("  The last step to run was step %d (%s).", lastID, lastName)
	}
	s.mu.Lock()
	delete(s.running, job.JobID)
	s.mu.Unlock()
	s.record(HistoryRow{
		JobID: job.JobID, StepID: 0, StepName: "(Job outcome)", Message: msg, RunStatus: outcome,
		RunDate: DateInt(r.started), RunTime: TimeInt(r.started), RunDuration: DurationInt(end.Sub(r.started)),
	})
	r.cancel()
}

func (r *activeRun) stoppedByOr(def string) string {
	if r.stoppedBy != "" {
		return r.stoppedBy
	}
	return def
}

func findStep(j Job, id int) (Step, bool) {
	for _, st := range j.Steps {
		if st.StepID == id {
			return st, true
		}
	}
	return Step{}, false
}

// record appends a history row, trims history to the configured limits and
// reports the change. Rows of a deleted job are dropped.
func (s *Scheduler) record(h HistoryRow) {
	s.mu.Lock()
	if s.jobs[h.JobID] == nil {
		s.mu.Unlock()
		return
	}
	s.nextInstance++
	h.InstanceID = s.nextInstance
	h.Server = s.cfg.ServerName
	s.history = append(s.history, h)
	perJob := 0
	for _, x := range s.history {
		if x.JobID == h.JobID {
			perJob++
		}
	}
	drop := perJob - s.cfg.MaxHistoryRowsPerJob
	out := s.history[:0]
	for _, x := range s.history {
		if drop > 0 && x.JobID == h.JobID {
			drop--
			continue
		}
		out = append(out, x)
	}
	if n := len(out) - s.cfg.MaxHistoryRows; n > 0 {
		out = out[n:]
	}
	s.history = out
	s.mu.Unlock()
	s.changed()
}
