// Package clienttest drives the SQL Server simulator with clients nobody on
// this project wrote: go-mssqldb's own live-server test suite, pyodbc
// through the FreeTDS ODBC driver, pymssql and Perl DBD::Sybase. The
// package holds only tests and the small helpers they share; each test
// skips with a message where its client is missing, and .ci/run installs
// them.
package clienttest
