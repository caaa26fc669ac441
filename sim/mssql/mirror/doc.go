// Package mirror is the wire between two database mirroring partners of the
// simulator: what travels over a DATABASE_MIRRORING endpoint's TCP port.
//
// SQL Server's own mirroring transport is undocumented; this one keeps only
// the shape that matters to the failback rules: a partner must reach the
// other's endpoint (or SET PARTNER fails with 1418), the connection is
// authenticated by the connecting service account (CONNECT on the endpoint),
// the principal ships its committed log records in LSN order, the mirror
// acknowledges what it has hardened, and both sides notice a dead partner
// after the session timeout because heartbeats stop.
//
// One TCP connection carries one database's mirroring session. Framing:
//
//	[1 byte type][4 bytes big-endian body length][body]
//
// Control messages (Hello, Refuse, Request, Reply) have JSON bodies so new
// fields need no version bump; records and acknowledgements are binary
// because they are the bulk of the traffic. Every decoder here bounds what
// it allocates, so a hostile or corrupt peer gets an error, never a crash.
//
// Goroutines: Session.Run owns the reader and the heartbeat and returns when
// its context ends or the connection fails; Listener.Close waits for every
// connection handler it started. Nothing outlives its owner.
package mirror
