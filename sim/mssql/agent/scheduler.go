package agent

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"
)

// Scheduler is one instance's SQL Server Agent.
type Scheduler struct {
	cfg Config

	mu           sync.Mutex
	jobs         map[GUID]*Job
	order        []GUID // jobs in creation order, for deterministic firing
	schedules    map[int]*Schedule
	attach       []Attachment
	history      []HistoryRow
	nextInstance int
	nextSchedule int

	started bool
	runCtx  context.Context
	cancel  context.CancelFunc
	unwatch func() bool
	timer   Timer
	next    map[Attachment]time.Time // next occurrence of each attachment, while started
	running map[GUID]*activeRun
	wg      sync.WaitGroup
}

type activeRun struct {
	job       Job // as it was when the run started
	stepID    int
	invokedBy string
	started   time.Time
	current   int
	cancel    context.CancelFunc
	ctx       context.Context
	stoppedBy string
}

// New returns a stopped Scheduler with no jobs.
func New(cfg Config) (*Scheduler, error) {
	if cfg.Executor == nil {
		return nil, errors.New("agent: Config.Executor is required")
	}
	if cfg.Clock == nil {
		cfg.Clock = RealClock{}
	}
	if cfg.MaxHistoryRows <= 0 {
		cfg.MaxHistoryRows = 1000
	}
	if cfg.MaxHistoryRowsPerJob <= 0 {
		cfg.MaxHistoryRowsPerJob = 100
	}
	if cfg.ServiceAccount == "" {
		cfg.ServiceAccount = `NT SERVICE\SQLSERVERAGENT`
	}
	s := &Scheduler{cfg: cfg, running: map[GUID]*activeRun{}}
	s.Restore(State{})
	return s, nil
}

func (s *Scheduler) changed() {
	if s.cfg.OnChange != nil {
		s.cfg.OnChange()
	}
}

// ---- lifecycle -----------------------------------------------------------

// Start starts the Agent: next runs are computed from now (occurrences
// missed while stopped are not run), jobs with an Agent-start schedule run,
// and the timer is armed. Cancelling ctx stops the Agent as Stop does.
func (s *Scheduler) Start(ctx context.Context) error {
	s.mu.Lock()
	if s.started {
		s.mu.Unlock()
		return errors.New("agent: already started")
	}
	s.started = true
	s.runCtx, s.cancel = context.WithCancel(ctx)
	s.unwatch = context.AfterFunc(ctx, func() { s.Stop(context.Background()) })
	now := s.cfg.Clock.Now()
	s.next = map[Attachment]time.Time{}
	var launch []*activeRun
	for _, a := range s.attach {
		sc := s.schedules[a.ScheduleID]
		if t, ok := NextRun(*sc, now); ok {
			s.next[a] = t
		}
		if sc.FreqType == FreqAgentStart && sc.Enabled && s.jobs[a.JobID].Enabled && s.running[a.JobID] == nil {
			launch = append(launch, s.reserve(a.JobID, 0, scheduleInvoker(sc)))
		}
	}
	s.mu.Unlock()
	s.launch(launch, s.cfg.InlineRuns)
	s.arm()
	return nil
}

// Stop stops the Agent: no more scheduled runs, running jobs are cancelled
// (their history says so), and Stop waits for them to finish or for ctx.
// Stopping a stopped Agent is a no-op.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	if !s.started {
		s.mu.Unlock()
		return nil
	}
	s.started = false
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	s.unwatch()
	s.cancel()
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("agent: stop: jobs still finishing: %w", ctx.Err())
	}
}

// IsRunning reports whether the Agent service is started.
func (s *Scheduler) IsRunning() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.started
}

// arm sets the timer for the earliest next run of an enabled job on an
// enabled schedule.
func (s *Scheduler) arm() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.timer != nil {
		s.timer.Stop()
		s.timer = nil
	}
	if !s.started {
		return
	}
	now := s.cfg.Clock.Now()
	var first time.Time
	for a, t := range s.next {
		active := s.jobs[a.JobID].Enabled && s.schedules[a.ScheduleID].Enabled
		if !active && !t.After(now) {
			// Occurrences of a disabled job or schedule pass unrun; keep the
			// next one current so enabling it later does not fire a stale one.
			if nt, ok := NextRun(*s.schedules[a.ScheduleID], now); ok {
				s.next[a] = nt
			} else {
				delete(s.next, a)
			}
			continue
		}
		if active && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	if first.IsZero() {
		return
	}
	s.timer = s.cfg.Clock.AfterFunc(max(0, first.Sub(now)), s.tick)
}

// tick starts every job whose schedule came due.
func (s *Scheduler) tick() {
	s.mu.Lock()
	if !s.started {
		s.mu.Unlock()
		return
	}
	now := s.cfg.Clock.Now()
	type due struct {
		a Attachment
		t time.Time
	}
	var dues []due
	for a, t := range s.next {
		if !t.After(now) {
			dues = append(dues, due{a, t})
		}
	}
	pos := map[GUID]int{}
	for i, id := range s.order {
		pos[id] = i
	}
	sort.Slice(dues, func(i, j int) bool {
		if !dues[i].t.Equal(dues[j].t) {
			return dues[i].t.Before(dues[j].t)
		}
		if dues[i].a.JobID != dues[j].a.JobID {
			return pos[dues[i].a.JobID] < pos[dues[j].a.JobID]
		}
		return dues[i].a.ScheduleID < dues[j].a.ScheduleID
	})
	var launch []*activeRun
	for _, d := range dues {
		sc := s.schedules[d.a.ScheduleID]
		if t, ok := NextRun(*sc, now); ok {
			s.next[d.a] = t
		} else {
			delete(s.next, d.a)
		}
		// A job already running skips this occurrence, as the Agent does.
		if sc.Enabled && s.jobs[d.a.JobID].Enabled && s.running[d.a.JobID] == nil {
			launch = append(launch, s.reserve(d.a.JobID, 0, scheduleInvoker(sc)))
		}
	}
	s.mu.Unlock()
	s.launch(launch, s.cfg.InlineRuns)
	s.arm()
}

func scheduleInvoker(sc *Schedule) string {
	return fmt.Sprintf("Schedule %d (%s)", sc.ScheduleID, sc.Name)
}

// reserve marks a job running; the caller holds mu.
func (s *Scheduler) reserve(id GUID, stepID int, invokedBy string) *activeRun {
	j := cloneJob(*s.jobs[id])
	if stepID == 0 {
		stepID = max(1, j.StartStepID)
	}
	ctx, cancel := context.WithCancel(s.runCtx)
	r := &activeRun{job: j, stepID: stepID, invokedBy: invokedBy, started: s.cfg.Clock.Now(), ctx: ctx, cancel: cancel}
	s.running[id] = r
	s.wg.Add(1)
	return r
}

func (s *Scheduler) launch(runs []*activeRun, inline bool) {
	for _, r := range runs {
		if inline {
			s.execute(r)
		} else {
			go s.execute(r)
		}
	}
}

// ---- sp_start_job / sp_stop_job --------------------------------------------

// StartJob runs a job now (sp_start_job), enabled or not, and returns once
// it has started. Refused when the Agent is stopped (ErrAgentStopped), the
// job or step does not exist (*NotFoundError) or the job is running
// (*AlreadyRunningError).
func (s *Scheduler) StartJob(id GUID, opts StartOptions) error {
	s.mu.Lock()
	if !s.started {
		s.mu.Unlock()
		return ErrAgentStopped
	}
	j := s.jobs[id]
	if j == nil {
		s.mu.Unlock()
		return &NotFoundError{What: "@job_id", Value: strings.ToUpper(id.String())}
	}
	if r := s.running[id]; r != nil {
		s.mu.Unlock()
		return &AlreadyRunningError{Job: j.Name, User: opts.User, RunningBy: r.invokedBy}
	}
	stepID := 0
	if opts.StepName != "" {
		for _, st := range j.Steps {
			if strings.EqualFold(st.StepName, opts.StepName) {
				stepID = st.StepID
			}
		}
		if stepID == 0 {
			s.mu.Unlock()
			return &NotFoundError{What: "@step_name", Value: opts.StepName}
		}
	}
	r := s.reserve(id, stepID, "User "+opts.User)
	s.mu.Unlock()
	go s.execute(r)
	return nil
}

// StopJob cancels a running job (sp_stop_job); its history row says it was
// cancelled.
func (s *Scheduler) StopJob(id GUID, user string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.started {
		return ErrAgentStopped
	}
	j := s.jobs[id]
	if j == nil {
		return &NotFoundError{What: "@job_id", Value: strings.ToUpper(id.String())}
	}
	r := s.running[id]
	if r == nil {
		return &NotRunningError{Job: j.Name, User: user}
	}
	r.stoppedBy = "User " + user
	r.cancel()
	return nil
}

// Activity is the job's live state.
func (s *Scheduler) Activity(id GUID) Activity {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.running[id]
	if r == nil {
		return Activity{}
	}
	return Activity{Running: true, InvokedBy: r.invokedBy, StartedAt: r.started, CurrentStepID: r.current}
}

// WaitIdle blocks until no job is running or ctx ends.
func (s *Scheduler) WaitIdle(ctx context.Context) error {
	for {
		s.mu.Lock()
		n := len(s.running)
		s.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Millisecond):
		}
	}
}

// NextRunTime is the job's next scheduled run (sysjobschedules.next_run_*),
// computed from now when the Agent is stopped.
func (s *Scheduler) NextRunTime(id GUID) (time.Time, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.jobs[id]
	if j == nil || !j.Enabled {
		return time.Time{}, false
	}
	now := s.cfg.Clock.Now()
	var first time.Time
	for _, a := range s.attach {
		sc := s.schedules[a.ScheduleID]
		if a.JobID != id || !sc.Enabled {
			continue
		}
		t, ok := s.next[a]
		if !s.started {
			t, ok = NextRun(*sc, now)
		}
		if ok && (first.IsZero() || t.Before(first)) {
			first = t
		}
	}
	return first, !first.IsZero()
}

func newGUID() GUID {
	var g GUID
	rand.Read(g[:])
	g[6] = g[6]&0x0f | 0x40 // version 4
	g[8] = g[8]&0x3f | 0x80
	return g
}
