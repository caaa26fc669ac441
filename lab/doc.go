// Package lab is the operator's rehearsal lab: a whole simulated
// Persistent Chat deployment (sim/world) brought to the state an operator
// fails back from, kept running with steady chat traffic so the real
// `failback` CLI can be rehearsed against it, as Azure Site Recovery's test
// failover or SRM's test recovery let their users rehearse.
//
// One process runs the lab (Up, `make lab`) until it is told to stop; two
// commands talk to it while it runs (Check, `make lab-check`; Down,
// `make lab-down`). They find it through the state file <dir>/lab.json
// (mode 0600): its process id and start time, and a control endpoint on
// 127.0.0.1 with a bearer token. A lab that died leaves that file behind;
// Check then says so, and Down removes what the dead lab left (its folder,
// and on the containers target its containers and network).
//
// The lab folder (default .lab, ignored by git) holds everything the lab
// writes: the lab's topology file (real addresses, the management
// endpoint's URL and CA file, passwordFile keys), the secrets it names
// (mode 0600), the world's instance data, share and copy folders, the
// suggested failback journal and the lab's log. Down removes it unless
// asked to keep it.
package lab
