// Package sqlserver sends the failback engine's T-SQL to real SQL Server
// instances through database/sql and github.com/microsoft/go-mssqldb.
//
// Statements are text built with QuoteName and QuoteString rather than
// parameters: BACKUP, RESTORE and ALTER DATABASE take no parameters for
// names, and the journal must show the exact text that ran. Every
// statement goes through DB, which reports it to an Observer with its
// timing, outcome and the server's INFO messages (BACKUP/RESTORE progress,
// 3014, 3262), so the engine's journal and metrics see everything.
//
// The package must not import anything under sim/ or fakes/.
package sqlserver
