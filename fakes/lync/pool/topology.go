package pool

import "github.com/pchatdr/harness/failback/topology"

// FromTopology builds the model's configuration from a loaded topology:
// the pool, its servers, the SQL stores by role and the initial active list
// (the topology's pool.activeServers, pool state Normal).
func FromTopology(t *topology.Topology) Config {
	cfg := Config{
		PoolFQDN:             t.Pool.FQDN,
		StateIdentity:        t.Pool.StateIdentity,
		ActiveServerIdentity: t.Pool.ActiveServerIdentity,
		Compliance:           t.Compliance,
		Product:              string(t.Pool.Product),
		ActiveServers:        append([]string(nil), t.Pool.ActiveServers...),
		InitialState:         Normal,
	}
	for _, s := range t.Pool.Servers {
		cfg.Servers = append(cfg.Servers, Server{FQDN: s.FQDN, DataCenter: s.DataCenter})
	}
	for _, in := range t.Instances {
		cfg.Stores = append(cfg.Stores, Store{Role: string(in.Role), Name: in.Name, FQDN: in.Host, DataCenter: in.DataCenter})
	}
	return cfg
}
