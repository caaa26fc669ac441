// Package rulestest runs failback/sqlrules, the table of SQL Server's rules
// the failback meets, against the simulator over TDS: each rule on a fresh
// embedded world brought to the state the failback starts from (failed
// over for real, primary data center rebuilt), through the engine's own
// LiveSQL and go-mssqldb. failback/memory's tests run the same table
// against the in-memory model, so the two models cannot drift apart.
package rulestest
