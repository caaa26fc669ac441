package pool

import (
	"testing"

	"github.com/pchatdr/harness/failback/topology"
)

func TestFromEmbeddedTopology(t *testing.T) {
	topo, err := topology.Load("../../../topologies/embedded.yaml")
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	cfg := FromTopology(topo)
	p, err := New(cfg)
	if err != nil {
		t.Fatalf("new: %v", err)
	}
	st := p.State()
	if st.PoolFQDN != "pchat.contoso.test" || st.PoolState != Normal {
		t.Fatalf("pool %q state %q", st.PoolFQDN, st.PoolState)
	}
	if len(st.Servers) != 8 || len(st.ActiveServers) != 2 || st.ActiveServers[0] != "pc1.dc1.contoso.test" {
		t.Fatalf("servers %v active %v", st.Servers, st.ActiveServers)
	}
	if got := st.ServingStore(DBPersistentChat); got != "sqlpri.dc1.contoso.test" {
		t.Fatalf("serving store %q", got)
	}
	if got := len(st.Databases); got != 4 {
		t.Fatalf("want 4 mirror pairs (mgc, mgccomp x 2 sites), got %d: %+v", got, st.Databases)
	}
}
