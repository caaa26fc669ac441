package chat

// SetStuck makes the server ignore the pool's configuration from now on,
// as a hung or misconfigured real server does: it keeps whatever sessions
// it holds (and keeps accepting posts on them) even after the active list
// no longer names it. The failback's step 1 must notice such a session
// instead of restoring over a database in use.
func (s *Server) SetStuck(on bool) {
	s.mu.Lock()
	s.stuck = on
	s.mu.Unlock()
	what := "follows the pool's configuration again"
	if on {
		what = "stuck: ignores the pool's configuration, keeps its sessions"
	}
	s.report("fault", what, nil)
}

func (s *Server) isStuck() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stuck
}
