// Package securitytest holds end-to-end security checks of the harness and
// the engine (tests only): no generated secret reaches any output a drill
// or an engine run writes; hostile names in the topology stay literal all
// the way to msdb and never become statements or commands of their own;
// and WinRM over HTTPS verifies the endpoint's certificate unless the
// topology explicitly says otherwise.
package securitytest
