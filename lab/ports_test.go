package lab

import "testing"

// The words compose and the Docker daemon use for a published port that
// something else bound first decide whether the lab picks its ports again;
// any other failure must not be retried.
func TestPortTaken(t *testing.T) {
	for _, c := range []struct {
		out  string
		want bool
	}{
		// docker-compose v1 (seen in CI: TestLabComposeFailbackEndToEnd).
		{"ERROR: for sql-primary-mirror  Cannot start service sql-primary-mirror: driver failed programming external connectivity on endpoint pchatlabtest18306_sql-primary-mirror_1 (d972ca): Error starting userland proxy: listen tcp4 127.0.0.1:43259: bind: address already in use", true},
		// docker compose v2 with the daemon's port allocator.
		{"Error response from daemon: driver failed programming external connectivity on endpoint x: Bind for 127.0.0.1:14331 failed: port is already allocated", true},
		{"ERROR: for lyncfake  Cannot start service lyncfake: OCI runtime create failed", false},
		{"", false},
	} {
		if got := portTaken(c.out); got != c.want {
			t.Errorf("portTaken(%.60q) = %v, want %v", c.out, got, c.want)
		}
	}
}
