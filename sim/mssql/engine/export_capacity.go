package engine

// This file is the engine's surface for the capacity feature, which lives
// outside it (sim/mssql/capacity: volumes, device pacing, xp_delete_file).

// InstallPartitionsView adds sys.partitions: its row counts are the
// storage's own (uncommitted rows included, no scan), which only the
// engine can read, so the capacity feature installs the engine's view at
// its place in the list (object_ids follow the list).
func InstallPartitionsView(r *Registry) { installPartitionsView(r) }
