package agent

import (
	"fmt"
	"slices"
	"strings"
)

var subsystems = []string{"TSQL", "CmdExec", "PowerShell", "ActiveScripting", "Distribution", "Snapshot",
	"LogReader", "Merge", "QueueReader", "ANALYSISQUERY", "ANALYSISCOMMAND", "SSIS"}

func cloneJob(j Job) Job {
	j.Steps = slices.Clone(j.Steps)
	return j
}

// validateJob checks names, step numbering (1..n, as SQL Server keeps
// them), subsystems and actions.
func validateJob(j *Job) error {
	if strings.TrimSpace(j.Name) == "" {
		return &InvalidError{Field: "@job_name", Valid: "a non-empty name"}
	}
	for i, st := range j.Steps {
		if st.StepID != i+1 {
			return &InvalidError{Field: "@step_id", Valid: fmt.Sprintf("steps numbered 1..%d in order", len(j.Steps))}
		}
		ok := false
		for _, ss := range subsystems {
			if strings.EqualFold(ss, st.Subsystem) {
				ok = true
			}
		}
		if !ok {
			return &InvalidError{Field: "@subsystem", Valid: strings.Join(subsystems, ", ")}
		}
		for _, a := range [][2]int{{st.OnSuccessAction, st.OnSuccessStepID}, {st.OnFailAction, st.OnFailStepID}} {
			if a[0] < 0 || a[0] > ActionGotoStep {
				return &InvalidError{Field: "@on_success_action/@on_fail_action", Valid: "1, 2, 3, 4"}
			}
			if a[0] == ActionGotoStep && (a[1] < 1 || a[1] > len(j.Steps) || a[1] == st.StepID) {
				return &InvalidError{Field: "@on_success_step_id/@on_fail_step_id", Valid: "another step of the job"}
			}
		}
	}
	if j.StartStepID < 0 || j.StartStepID > max(1, len(j.Steps)) {
		return &InvalidError{Field: "@start_step_id", Valid: "a step of the job"}
	}
	return nil
}

// AddJob stores a new job (sp_add_job + sp_add_jobstep). A zero JobID gets
// a new GUID; names are unique ignoring case (*ExistsError).
func (s *Scheduler) AddJob(j Job) (Job, error) {
	j = cloneJob(j)
	if err := validateJob(&j); err != nil {
		return Job{}, err
	}
	s.mu.Lock()
	if j.JobID == (GUID{}) {
		j.JobID = newGUID()
	}
	if s.jobs[j.JobID] != nil {
		s.mu.Unlock()
		return Job{}, &ExistsError{What: "@job_id", Value: strings.ToUpper(j.JobID.String())}
	}
	if s.findByName(j.Name) != nil {
		s.mu.Unlock()
		return Job{}, &ExistsError{What: "@job_name", Value: j.Name}
	}
	now := s.cfg.Clock.Now()
	j.DateCreated, j.DateModified = now, now
	s.jobs[j.JobID] = &j
	s.order = append(s.order, j.JobID)
	out := cloneJob(j)
	s.mu.Unlock()
	s.arm()
	s.changed()
	return out, nil
}

// UpdateJob replaces a job's fields and steps (sp_update_job,
// sp_update_jobstep); a run in progress keeps the definition it started with.
func (s *Scheduler) UpdateJob(j Job) error {
	j = cloneJob(j)
	if err := validateJob(&j); err != nil {
		return err
	}
	s.mu.Lock()
	old := s.jobs[j.JobID]
	if old == nil {
		s.mu.Unlock()
		return &NotFoundError{What: "@job_id", Value: strings.ToUpper(j.JobID.String())}
	}
	if o := s.findByName(j.Name); o != nil && o.JobID != j.JobID {
		s.mu.Unlock()
		return &ExistsError{What: "@job_name", Value: j.Name}
	}
	j.DateCreated, j.DateModified = old.DateCreated, s.cfg.Clock.Now()
	*old = j
	s.recomputeLocked(func(a Attachment) bool { return a.JobID == j.JobID })
	s.mu.Unlock()
	s.arm()
	s.changed()
	return nil
}

// DeleteJob removes a job, its schedule attachments and its history
// (sp_delete_job); a running instance is cancelled.
func (s *Scheduler) DeleteJob(id GUID) error {
	s.mu.Lock()
	if s.jobs[id] == nil {
		s.mu.Unlock()
		return &NotFoundError{What: "@job_id", Value: strings.ToUpper(id.String())}
	}
	if r := s.running[id]; r != nil {
		r.cancel()
	}
	delete(s.jobs, id)
	s.order = slices.DeleteFunc(s.order, func(x GUID) bool { return x == id })
	s.attach = slices.DeleteFunc(s.attach, func(a Attachment) bool {
		if a.JobID == id {
			delete(s.next, a)
			return true
		}
		return false
	})
	s.history = slices.DeleteFunc(s.history, func(h HistoryRow) bool { return h.JobID == id })
	s.mu.Unlock()
	s.arm()
	s.changed()
	return nil
}

func (s *Scheduler) findByName(name string) *Job {
	for _, id := range s.order {
		if strings.EqualFold(s.jobs[id].Name, name) {
			return s.jobs[id]
		}
	}
	return nil
}

// Job returns a copy of the job.
func (s *Scheduler) Job(id GUID) (Job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j := s.jobs[id]; j != nil {
		return cloneJob(*j), true
	}
	return Job{}, false
}

// JobByName finds a job by name, ignoring case.
func (s *Scheduler) JobByName(name string) (Job, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j := s.findByName(name); j != nil {
		return cloneJob(*j), true
	}
	return Job{}, false
}

// Jobs lists every job in creation order.
func (s *Scheduler) Jobs() []Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Job, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, cloneJob(*s.jobs[id]))
	}
	return out
}

// AddSchedule stores a schedule (sp_add_schedule) and returns it with its
// new ScheduleID (and a ScheduleUID when zero).
func (s *Scheduler) AddSchedule(sc Schedule) (Schedule, error) {
	if err := sc.Validate(); err != nil {
		return Schedule{}, err
	}
	s.mu.Lock()
	s.nextSchedule++
	sc.ScheduleID = s.nextSchedule
	if sc.ScheduleUID == (GUID{}) {
		sc.ScheduleUID = newGUID()
	}
	sc.DateCreated = s.cfg.Clock.Now()
	s.schedules[sc.ScheduleID] = &sc
	s.mu.Unlock()
	s.changed()
	return sc, nil
}

// UpdateSchedule replaces a schedule's fields (sp_update_schedule); next
// runs of the jobs using it are recomputed from now.
func (s *Scheduler) UpdateSchedule(sc Schedule) error {
	if err := sc.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	old := s.schedules[sc.ScheduleID]
	if old == nil {
		s.mu.Unlock()
		return &NotFoundError{What: "@schedule_id", Value: fmt.Sprint(sc.ScheduleID)}
	}
	sc.ScheduleUID, sc.DateCreated = old.ScheduleUID, old.DateCreated
	*old = sc
	s.recomputeLocked(func(a Attachment) bool { return a.ScheduleID == sc.ScheduleID })
	s.mu.Unlock()
	s.arm()
	s.changed()
	return nil
}

// DeleteSchedule removes a schedule and detaches it from every job.
func (s *Scheduler) DeleteSchedule(id int) error {
	s.mu.Lock()
	if s.schedules[id] == nil {
		s.mu.Unlock()
		return &NotFoundError{What: "@schedule_id", Value: fmt.Sprint(id)}
	}
	delete(s.schedules, id)
	s.attach = slices.DeleteFunc(s.attach, func(a Attachment) bool {
		if a.ScheduleID == id {
			delete(s.next, a)
			return true
		}
		return false
	})
	s.mu.Unlock()
	s.arm()
	s.changed()
	return nil
}

// Schedule returns a copy of the schedule.
func (s *Scheduler) Schedule(id int) (Schedule, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if sc := s.schedules[id]; sc != nil {
		return *sc, true
	}
	return Schedule{}, false
}

// Schedules lists every schedule by ScheduleID.
func (s *Scheduler) Schedules() []Schedule {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Schedule, 0, len(s.schedules))
	for _, sc := range s.schedules {
		out = append(out, *sc)
	}
	slices.SortFunc(out, func(a, b Schedule) int { return a.ScheduleID - b.ScheduleID })
	return out
}

// AttachSchedule attaches a schedule to a job (sp_attach_schedule).
// Attaching twice is a no-op.
func (s *Scheduler) AttachSchedule(jobID GUID, scheduleID int) error {
	s.mu.Lock()
	if s.jobs[jobID] == nil {
		s.mu.Unlock()
		return &NotFoundError{What: "@job_id", Value: strings.ToUpper(jobID.String())}
	}
	if s.schedules[scheduleID] == nil {
		s.mu.Unlock()
		return &NotFoundError{What: "@schedule_id", Value: fmt.Sprint(scheduleID)}
	}
	a := Attachment{JobID: jobID, ScheduleID: scheduleID}
	if !slices.Contains(s.attach, a) {
		s.attach = append(s.attach, a)
		s.recomputeLocked(func(x Attachment) bool { return x == a })
	}
	s.mu.Unlock()
	s.arm()
	s.changed()
	return nil
}

// DetachSchedule removes an attachment (sp_detach_schedule).
func (s *Scheduler) DetachSchedule(jobID GUID, scheduleID int) error {
	a := Attachment{JobID: jobID, ScheduleID: scheduleID}
	s.mu.Lock()
	i := slices.Index(s.attach, a)
	if i < 0 {
		s.mu.Unlock()
		return &NotFoundError{What: "@schedule_id", Value: fmt.Sprint(scheduleID)}
	}
	s.attach = slices.Delete(s.attach, i, i+1)
	delete(s.next, a)
	s.mu.Unlock()
	s.arm()
	s.changed()
	return nil
}

// Attachments lists job-schedule attachments.
func (s *Scheduler) Attachments() []Attachment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.attach)
}

// History returns history rows in instance_id order; with a non-zero jobID
// only that job's.
func (s *Scheduler) History(jobID GUID) []HistoryRow {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []HistoryRow
	for _, h := range s.history {
		if jobID == (GUID{}) || h.JobID == jobID {
			out = append(out, h)
		}
	}
	return out
}

// recomputeLocked recomputes next runs of matching attachments from now
// while the Agent runs; the caller holds mu.
func (s *Scheduler) recomputeLocked(match func(Attachment) bool) {
	if !s.started {
		return
	}
	now := s.cfg.Clock.Now()
	for _, a := range s.attach {
		if !match(a) {
			continue
		}
		if t, ok := NextRun(*s.schedules[a.ScheduleID], now); ok {
			s.next[a] = t
		} else {
			delete(s.next, a)
		}
	}
}

// Snapshot copies the whole state for persisting.
func (s *Scheduler) Snapshot() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := State{NextInstanceID: s.nextInstance, NextScheduleID: s.nextSchedule}
	for _, id := range s.order {
		st.Jobs = append(st.Jobs, cloneJob(*s.jobs[id]))
	}
	for _, sc := range s.schedules {
		st.Schedules = append(st.Schedules, *sc)
	}
	slices.SortFunc(st.Schedules, func(a, b Schedule) int { return a.ScheduleID - b.ScheduleID })
	st.Attachments = slices.Clone(s.attach)
	st.History = slices.Clone(s.history)
	return st
}

// Restore replaces the state with st (at startup, before Start). It refuses
// while the Agent runs and checks that st is consistent.
func (s *Scheduler) Restore(st State) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return fmt.Errorf("agent: restore: the Agent is running")
	}
	jobs := map[GUID]*Job{}
	var order []GUID
	for _, j := range st.Jobs {
		j := cloneJob(j)
		if err := validateJob(&j); err != nil {
			return fmt.Errorf("agent: restore: job %q: %w", j.Name, err)
		}
		if jobs[j.JobID] != nil {
			return fmt.Errorf("agent: restore: job %s twice", j.JobID)
		}
		jobs[j.JobID] = &j
		order = append(order, j.JobID)
	}
	scheds := map[int]*Schedule{}
	maxID := st.NextScheduleID
	for _, sc := range st.Schedules {
		if err := sc.Validate(); err != nil {
			return fmt.Errorf("agent: restore: schedule %d: %w", sc.ScheduleID, err)
		}
		if scheds[sc.ScheduleID] != nil {
			return fmt.Errorf("agent: restore: schedule %d twice", sc.ScheduleID)
		}
		sc := sc
		scheds[sc.ScheduleID] = &sc
		maxID = max(maxID, sc.ScheduleID)
	}
	for _, a := range st.Attachments {
		if jobs[a.JobID] == nil || scheds[a.ScheduleID] == nil {
			return fmt.Errorf("agent: restore: attachment of schedule %d to job %s names a missing row", a.ScheduleID, a.JobID)
		}
	}
	maxInst := st.NextInstanceID
	for _, h := range st.History {
		maxInst = max(maxInst, h.InstanceID)
	}
	s.jobs, s.order, s.schedules = jobs, order, scheds
	s.attach = slices.Clone(st.Attachments)
	s.history = slices.Clone(st.History)
	s.nextInstance, s.nextSchedule = maxInst, maxID
	return nil
}
