package storage

// SetRetainFrom keeps every record with LSN >= lsn on disk when snapshots
// prune old segments; 0 removes the hold. Under the FULL recovery model the
// records since the last log backup belong to the next log backup, and a
// database mirror may still need records its partner has not received: a
// snapshot makes them unnecessary for crash recovery, not for those readers.
// The hold takes effect at the next prune.
func (l *Log) SetRetainFrom(lsn LSN) { l.retain.Store(uint64(lsn)) }

// RetainFrom reports the current hold (0: none).
func (l *Log) RetainFrom() LSN { return LSN(l.retain.Load()) }
