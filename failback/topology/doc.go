// Package topology loads the topology file: the one description of a
// Persistent Chat deployment (pool, servers, data centers, SQL Server
// instances by role, the log-shipping share, the management endpoint and the
// objectives) that the failback engine, the fake cmdlet endpoint and the
// simulated world all read.
//
// The loader is strict on purpose. A typo in a DR runbook's configuration is
// found during a rehearsal or not at all, so every unknown key, every value of
// the wrong type and every rule of the product (at most 8 servers, at most 4
// active, one instance per role) is refused with the file, line and key path,
// e.g.
//
//	topology.yaml:42: pool.servers[3].fqdn: duplicate server pc4.dc1.contoso.test (first at line 17)
//
// Secrets never sit in the file: passwordEnv names an environment variable
// and passwordFile names a file. An inline password-looking key is refused,
// and no message of this package ever carries a secret's value.
//
// Rules that decide whether the failback may run (active servers placed near
// the new primary database) are not refused here: the engine reports them as
// precondition failures, so a drill can exercise them. See PlacementProblem.
package topology
