// Package media reads and writes the backup media files that BACKUP DATABASE
// and BACKUP LOG write TO DISK (the .bak and .trn files).
//
// The engine hands this package opaque payload bytes and a SetHeader holding
// everything RESTORE HEADERONLY and RESTORE FILELISTONLY report; the package
// owns the file format, the INIT/NOINIT/FORMAT/SKIP rules, crash safety and
// integrity checks. It knows nothing about databases, LSN chains or Windows
// paths: the engine resolves a device name through sim/mssql/hostfs first and
// passes the host path here.
//
// # File layout (all integers little endian)
//
//	media header block   magic "PCHBKMED"
//	set 1: set header block   magic "PCHBKSET"
//	       payload frames     12-byte frame header + stored bytes, repeated
//	       end frame          frame header with length 0
//	       set trailer block  magic "PCHBKEND"
//	set 2 ...
//
// A block is: [8]magic, u16 version, u16 flags, u32 body length, u32 CRC32C
// of those 16 bytes, body, u32 CRC32C over everything before it. Bodies are tagged fields (u16 tag, u32
// length, value); readers skip tags they do not know and leave fields they do
// not find at their zero value, so columns can be added later without a new
// format version and old files stay readable.
//
// A frame header is: u32 stored length, u32 CRC32C of the stored bytes, u32
// CRC32C of the first 8 header bytes. Frames hold at most 1 MiB of payload, so
// a damaged byte is found before the reader hands it out, and walking a file
// to list its sets costs one 12-byte read per MiB instead of reading the data.
// The trailer records the payload's length before and after compression and
// the CRC32C of the uncompressed bytes; a set without its trailer was never
// completed.
//
// # Crash safety
//
// A new file, INIT and FORMAT build the whole file in a temporary file in the
// same folder, fsync it, rename it over the target and fsync the folder, so a
// crash leaves either the old file or the new one. NOINIT appends: it writes
// the new set right after the last complete set (cutting any incomplete tail
// a previous crash left) and fsyncs before returning, so sets that were
// already complete are never rewritten. Readers treat a last set that runs
// into the end of the file (or into zero bytes) as incomplete: they list the
// sets before it and report it in Contents.Incomplete instead of failing.
//
// # Errors the engine maps
//
//	ErrNotMedia (FormatError)      3241 media family incorrectly formed
//	ErrCorrupt (CorruptionError)   damage inside a set, names the position
//	ErrNoSuchSet (PositionError)   FILE = n past the last set
//	ErrMediaName (MediaNameError)  MEDIANAME mismatch without SKIP/FORMAT
//	ErrUnexpired (UnexpiredError)  INIT over an unexpired set without SKIP
//
// Several writers in one process serialise on a per-path lock; writers in
// different processes must not share a media file (SQL Server itself opens a
// backup device exclusively).
package media
