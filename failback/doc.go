// Package failback is the engine that fails a Persistent Chat pool back from
// the backup data center to the rebuilt primary one (reference §4,
// FailbackPlan) and over to the backup data center when the primary one is
// lost (reference §3, FailoverPlan), so a harness rehearses both
// directions with one step framework, journal and set of metrics.
//
// A Plan is an ordered list of Steps, each Check (read-only: is it already
// done?) -> Apply -> Verify. The Runner runs the named Preconditions first,
// then every step, and writes every Event (including the exact T-SQL and
// cmdlet text sent) to a JSON-lines Journal that survives a crash at any
// point. Resume re-reads the journal and the real state and continues from
// the first step not verified, never re-applying a destructive step whose
// Verify already passed.
//
// The engine talks to the world only through two operation-level
// interfaces, SQL (one per SQL Server instance) and Pool (the cmdlets). The
// real implementations (LiveSQL, LivePool) sit on failback/sqlserver and
// failback/lync; failback/memory holds in-memory ones for tests. Both build
// their text with the same builders (sqltext.go), so a plan, a unit test and
// a real run show the same statements. The package never imports anything
// under sim/ or fakes/: the engine must not know it is in a simulation.
package failback
