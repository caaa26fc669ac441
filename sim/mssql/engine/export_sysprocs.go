package engine

// This file is the engine's surface for the system procedures that live
// outside it (sim/mssql/sysprocs).

// ClearError sets @@ERROR to 0 (a statement that succeeded without a DONE
// of its own, as RECONFIGURE).
func (sc *scope) ClearError() { sc.s.lastError = 0 }

// ResetConnection is sp_reset_connection on s, the running session (the
// pooled-connection reset drivers send): any open transaction is rolled
// back and the SET options return to their login defaults.
func (s *Session) ResetConnection() {
	s.abandonTx()
	s.opts = defaultOptions()
}
