package lync

import (
	"fmt"
	"slices"

	"github.com/pchatdr/harness/failback/topology"
	"github.com/pchatdr/harness/fakes/lync/pool"
)

// profile is what differs between the two products with a supported
// Persistent Chat deployment (reference §0). Everything here comes from
// the cmdlet help pages (office-docs-powershell, skype/skype-ps/
// SkypeForBusiness/*.md: the per-parameter "Applicable:" lines and the
// per-product value lists); what the pages do not separate by product is
// the same in both profiles.
type profile struct {
	product topology.Product
	// module is the one module the product ships the Cs cmdlets in:
	// Lync Server 2013 "Lync", Skype for Business Server 2015
	// "SkypeForBusiness". Import-Module of the other one fails as for
	// any module that is not installed.
	module string
	// mirrorStateTypes are the DatabaseNameType values
	// Get-CsDatabaseMirrorState -DatabaseType takes: its page lists
	// App, Archiving, CMS, Monitoring, Provision, User for Lync Server
	// 2013 (no PersistentChat) and a longer list for 2015.
	mirrorStateTypes []string
	// roleSwitches are Get-CsService's role switches (one parameter set
	// each). LegalInterceptServer is Lync Server 2013 only; VideoGateway
	// and VideoInteropServer are 2015 only; ProvisionServer and
	// ProvisionDatabase are Lync Server 2010 only, so neither has them.
	roleSwitches []string
}

// databaseTypes2015 is DatabaseNameType as the 2015 pages list it for
// Install-/Uninstall-CsMirrorDatabase, Invoke-CsDatabaseFailover and
// Test-CsDatabase (both products' pages give this one list for those).
var databaseTypes2015 = []string{"ActiveMonitoring", "Application", "Archiving", "CentralMgmt", "Edge", "Lyss", "Monitoring",
	"PersistentChat", "PersistentChatCompliance", "Provision", "Registrar", "SigninTelemetry", "User"}

var commonRoleSwitches = []string{"ApplicationDatabase", "ApplicationServer", "ArchivingDatabase", "ArchivingServer",
	"CentralManagement", "CentralManagementDatabase", "ConferencingServer", "Director", "EdgeServer", "FileStore",
	"ManagementServer", "MediationServer", "MonitoringServer", "MonitoringDatabase", "PstnGateway", "Registrar",
	"TrustedApplicationPool", "UserDatabase", "UserServer", "WebServer", "BackupServer",
	"PersistentChatComplianceDatabase", "PersistentChatDatabase", "PersistentChatServer", "WacServer"}

func profileFor(product string) (profile, error) {
	switch topology.Product(product) {
	case topology.ProductLync2013:
		return profile{product: topology.ProductLync2013, module: pool.ModuleLync,
			mirrorStateTypes: []string{"App", "Archiving", "CMS", "Monitoring", "Provision", "User"},
			roleSwitches:     append(slices.Clone(commonRoleSwitches), "LegalInterceptServer")}, nil
	case topology.ProductSkype2015, "":
		return profile{product: topology.ProductSkype2015, module: pool.ModuleSkype,
			mirrorStateTypes: databaseTypes2015,
			roleSwitches:     append(slices.Clone(commonRoleSwitches), "VideoGateway", "VideoInteropServer")}, nil
	}
	return profile{}, fmt.Errorf("lync: product %q is neither %s nor %s", product, topology.ProductLync2013, topology.ProductSkype2015)
}
