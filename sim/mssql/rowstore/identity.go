package rowstore

// A table's identity counter is the last value it handed out and whether
// it handed one out yet (the engine keeps both with the table and logs
// them in its checkpoints). These are its rules.

// NextIdentity is the value an identity column of seed and incr hands out
// after last (none yet when !used): seed first, then last+incr. A value
// handed out is never given back, even when its insert rolls back, as in
// SQL Server.
func NextIdentity(last int64, used bool, seed, incr int64) int64 {
	if !used {
		return seed
	}
	return last + incr
}

// MovesIdentity reports whether v, a value inserted explicitly (SET
// IDENTITY_INSERT ON, a replayed row), moves the counter at last: the
// counter follows the furthest value in the increment's direction, and
// any value when none was handed out yet.
func MovesIdentity(last int64, used bool, v, incr int64) bool {
	return !used || (incr > 0 && v > last) || (incr < 0 && v < last)
}
