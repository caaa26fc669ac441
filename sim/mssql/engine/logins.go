package engine

// ok ends a statement that returns no rows.
func (sc *scope) ok() error {
	sc.s.rowcount = 0
	sc.s.lastError = 0
	return sc.done(DoneInfo{})
}
