// Package topologies embeds the shipped topology files, so the drill finds
// the embedded default wherever its binary runs.
package topologies

import (
	"embed"
	"fmt"
	"os"
	"path"
	"strings"

	"github.com/pchatdr/harness/failback/topology"
)

//go:embed *.yaml
var FS embed.FS

// Load reads a topology from disk, or from the shipped files when no such
// file exists and the name is one of them ("topologies/embedded.yaml" or
// "embedded.yaml").
func Load(name string) (*topology.Topology, error) {
	if _, err := os.Stat(name); err == nil {
		return topology.Load(name)
	}
	base := path.Base(strings.ReplaceAll(name, "\\", "/"))
	data, err := FS.ReadFile(base)
	if err != nil {
		return nil, fmt.Errorf("topology %s: no such file, and not a shipped topology", name)
	}
	return topology.Parse(name, data)
}
