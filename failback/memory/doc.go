// Package memory holds in-memory implementations of failback.SQL and
// failback.Pool over a small state model of a failed-over Persistent Chat
// deployment: instances with databases (state, mirroring, sessions, table
// contents, files), backup media on the share, log-shipping tables and
// Agent jobs, and a pool whose active list and state decide where chat
// servers hold sessions.
//
// It is not a SQL Server: it keeps only the rules the failback procedure
// can trip over, with SQL Server's error numbers (reference §8), so a wrong
// order of steps fails here the way it would on a real server: a restore
// while chat servers hold sessions gets 3101, a restore over a mirrored
// database 3104, without REPLACE 3154, a backup of a mirror 954. Every
// call reports the same text the live implementation would send (built by
// failback's builders), and every change is also recorded in World.Calls
// for ordering assertions. Faults are injected per operation with FailNext.
package memory
