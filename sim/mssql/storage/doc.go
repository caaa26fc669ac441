// Package storage makes a simulated database's committed changes durable.
//
// The engine encodes every commit as an opaque byte record; this package gives
// each record a log sequence number (LSN), writes it to an append-only segment
// file with a CRC32C checksum, and fsyncs before acknowledging. After a crash
// Open verifies every checksum, cuts a torn tail (the only damage a crash can
// do to an append-only file) and refuses to start on damage anywhere else,
// because replaying past a hole would silently lose committed rows.
//
// Layout of a database directory:
//
//	00000000000000000001.wal   segment, named by the LSN of its first record
//	00000000000000004097.wal   the newest segment is the only one appended to
//	snap-00000000000000004000.snap   engine state as of LSN 4000 (checksummed)
//
// Durability is bought with fsync, which costs this machine ~0.15-0.25 ms.
// A single writer goroutine owns the file and fsyncs once per group of
// requests that queued while the previous fsync ran (group commit), so N
// concurrent committers cost about one fsync per round instead of N.
//
// The writer keeps the tail segment zero-filled a little ahead of its data
// and overwrites those zeros, so the file size rarely changes and the flush
// is an fdatasync with no metadata to commit (cheaper in time and CPU than
// fsync of an appended file). Zeros after the last record are the clean end
// of the log; a sealed or closed segment is cut to its last record.
package storage
