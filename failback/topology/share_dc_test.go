package topology

import (
	"strings"
	"testing"
)

// TestShareDataCenter: share.dataCenter is optional (the primary's data
// center by default), must name a data center, and round-trips.
func TestShareDataCenter(t *testing.T) {
	text := embeddedText(t)
	topo, err := Parse("embedded.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	if got := topo.ShareDataCenter(); got != "dc1" {
		t.Fatalf("default share data center %q, want dc1 (the primary's)", got)
	}
	in := replace(`  unc: '\\files.contoso.test\pchat-logship'`, "  unc: '\\\\files.contoso.test\\pchat-logship'\n  dataCenter: dc2")(t, text)
	topo, err = Parse("embedded.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if got := topo.ShareDataCenter(); got != "dc2" {
		t.Fatalf("share data center %q, want dc2", got)
	}
	out, err := Marshal(topo)
	if err != nil || !strings.Contains(string(out), "dataCenter: dc2") {
		t.Fatalf("encoded without the share's data center (%v):\n%s", err, out)
	}
	bad := strings.Replace(in, "pchat-logship'\n  dataCenter: dc2", "pchat-logship'\n  dataCenter: dc9", 1)
	if _, err := Parse("embedded.yaml", []byte(bad)); err == nil || !strings.Contains(err.Error(), "share.dataCenter") || !strings.Contains(err.Error(), "dc9") {
		t.Fatalf("an unknown share data center: %v", err)
	}
}
