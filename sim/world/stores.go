package world

import (
	"context"
	"fmt"
	"strings"

	"github.com/pchatdr/harness/failback/topology"
)

// The Persistent Chat store schema, reduced to what failback touches:
// channels, principals and the chat history (mgc), and the compliance
// adapter's queue (mgccomp). Topology Builder installs them empty.
var storeSchema = map[string][]string{
	"mgc": {
		"CREATE TABLE dbo.tblNode (nodeID int NOT NULL PRIMARY KEY, nodeName nvarchar(256) NOT NULL, nodeType int NOT NULL DEFAULT 1)",
		"CREATE TABLE dbo.tblPrincipal (prinID int IDENTITY(1,1) NOT NULL PRIMARY KEY, prinUri nvarchar(256) NOT NULL)",
		"CREATE TABLE dbo.tblChat (chatId bigint IDENTITY(1,1) NOT NULL PRIMARY KEY, channelId int NOT NULL, userId int NOT NULL, msgId uniqueidentifier NOT NULL, content nvarchar(max) NOT NULL, chatDate datetime2 NOT NULL, serverFqdn nvarchar(256) NOT NULL)",
	},
	"mgccomp": {
		"CREATE TABLE dbo.tblComplianceChat (eventId bigint IDENTITY(1,1) NOT NULL PRIMARY KEY, msgId uniqueidentifier NOT NULL, channelId int NOT NULL, content nvarchar(max) NOT NULL, eventDate datetime2 NOT NULL)",
	},
}

// InstallStores does what Topology Builder does for a Persistent Chat store
// on the instance with the given role: create mgc (and mgccomp when
// compliance is on) in FULL recovery with the empty schema.
func (w *World) InstallStores(ctx context.Context, role topology.Role) error {
	inst, err := w.InstanceByRole(role)
	if err != nil {
		return err
	}
	dbs := []string{"mgc"}
	if w.Topology.Compliance {
		dbs = append(dbs, "mgccomp")
	}
	master, err := w.DB(inst, "master")
	if err != nil {
		return err
	}
	for _, name := range dbs {
		// Three-part names, not USE: a pooled connection left in the new
		// database would hold it "in use" (3702, 3101) as on a real server.
		stmts := []string{
			fmt.Sprintf("CREATE DATABASE [%s]", name),
			fmt.Sprintf("ALTER DATABASE [%s] SET RECOVERY FULL", name),
		}
		for _, q := range storeSchema[name] {
			stmts = append(stmts, strings.Replace(q, "CREATE TABLE dbo.", fmt.Sprintf("CREATE TABLE [%s].dbo.", name), 1))
		}
		for _, q := range stmts {
			if _, err := master.ExecContext(ctx, q); err != nil {
				w.Timeline.Add(inst.Name, "sql", q, err)
				return fmt.Errorf("world: install %s on %s: %w", name, inst.Name, err)
			}
		}
		w.Timeline.Add(inst.Name, "topology-builder", "installed "+name, nil)
	}
	return nil
}
