// Package hostfs is how a simulated Windows SQL Server sees files.
//
// Log shipping and failback live or die on paths and permissions: the SQL
// Server service account must write the backup share, the Agent account on
// the secondary must read it and write the local copy folder, and a share
// that is down fails with "Operating system error 53". The simulator runs on
// Linux, so this package maps the Windows paths the T-SQL names
// (`\\files.contoso.test\pchat-logship\mgc_20260301.trn`, `D:\PChatLogShipCopy`)
// onto host folders and applies Windows path rules, per-account access
// rules and injected faults, reporting failures with Windows error codes and
// texts that the engine puts into 3201, 3202, 3203 and xp_fileexist results.
//
// Paths: case-insensitive, `\` or `/` separators, repeated separators and
// `.` ignored, `..` stops at the root of the drive or share (as Windows
// does). A normalized path must lie under a mount, else error 3; host I/O
// goes through os.Root, so neither `..` nor a symlink inside a mount reaches
// outside it. Names are matched case-insensitively against what exists on
// the host, so `MGC.BAK` opens `mgc.bak`.
//
// Access: Config.Rules grant Read and/or Write on a prefix to an account (or
// "*" for every account); the longest matching prefix decides, and a
// specific account beats "*" on the same prefix, so a rule with no access
// carves a denial out of a wider grant. No matching rule means no access.
//
// Sharing: a file opened for writing is exclusive (SQL Server opens backup
// devices that way); a second open gets error 32 until it is closed. Readers
// share with readers.
package hostfs
