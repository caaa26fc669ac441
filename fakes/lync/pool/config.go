// Package pool models a Persistent Chat pool as the Lync Central Management
// Store holds it: the pool state (Normal or FailedOver), the active-server
// list with the product's limits, the database stores and their mirroring,
// and a timeline of every change. The cmdlets of the fake only translate
// PowerShell into calls on this model, so the rules live in one place.
package pool

import (
	"errors"
	"fmt"
	"strings"
)

// State of the pool: which databases it uses (reference §6.3).
type PoolState string

// Pool states.
const (
	Normal     PoolState = "Normal"
	FailedOver PoolState = "FailedOver"
)

// Limits from the planning docs (reference §1).
const (
	DefaultMaxActive  = 4
	DefaultMaxServers = 8
)

// Server is one Persistent Chat server of the pool.
type Server struct {
	FQDN       string `json:"fqdn"`
	DataCenter string `json:"dataCenter"`
}

// Store roles, as the topology names SQL Server instances.
const (
	RolePrimary                 = "primary"
	RolePrimaryMirror           = "primary-mirror"
	RoleBackup                  = "backup"
	RoleBackupMirror            = "backup-mirror"
	RoleCompliancePrimary       = "compliance-primary"
	RoleCompliancePrimaryMirror = "compliance-primary-mirror"
	RoleComplianceBackup        = "compliance-backup"
	RoleComplianceBackupMirror  = "compliance-backup-mirror"
)

// Store is a SQL Server instance holding Persistent Chat databases.
type Store struct {
	Role       string `json:"role"`
	Name       string `json:"name"`
	FQDN       string `json:"fqdn"`
	DataCenter string `json:"dataCenter"`
}

// Config is everything the model needs from the topology. It is a plain
// struct so the model does not depend on the topology loader.
type Config struct {
	PoolFQDN string
	// StateIdentity and ActiveServerIdentity are the identities the
	// topology tells the engine to use; informational here.
	StateIdentity        string
	ActiveServerIdentity string
	Servers              []Server
	Stores               []Store
	// Compliance means mgccomp exists (PersistentChatCompliance databases).
	Compliance bool
	// Product is the topology's pool.product ("lync2013" or "skype2015";
	// "" is skype2015, the topology's default): which PowerShell module
	// the endpoint has (ProductModule).
	Product string
	// ActiveServers is the initial active list.
	ActiveServers []string
	// InitialState defaults to Normal.
	InitialState PoolState
	MaxActive    int
	MaxServers   int
}

// ErrConfig marks an invalid configuration.
var ErrConfig = errors.New("pool config")

func (c *Config) defaults() {
	if c.MaxActive == 0 {
		c.MaxActive = DefaultMaxActive
	}
	if c.MaxServers == 0 {
		c.MaxServers = DefaultMaxServers
	}
	if c.InitialState == "" {
		c.InitialState = Normal
	}
}

// Validate checks the configuration against the product's limits.
func (c Config) Validate() error {
	c.defaults()
	if strings.TrimSpace(c.PoolFQDN) == "" {
		return fmt.Errorf("%w: pool FQDN is empty", ErrConfig)
	}
	if len(c.Servers) == 0 {
		return fmt.Errorf("%w: pool %s has no servers", ErrConfig, c.PoolFQDN)
	}
	if len(c.Servers) > c.MaxServers {
		return fmt.Errorf("%w: pool %s has %d servers, at most %d are allowed", ErrConfig, c.PoolFQDN, len(c.Servers), c.MaxServers)
	}
	seen := map[string]bool{}
	for _, s := range c.Servers {
		k := strings.ToLower(s.FQDN)
		if k == "" {
			return fmt.Errorf("%w: a server of pool %s has no FQDN", ErrConfig, c.PoolFQDN)
		}
		if seen[k] {
			return fmt.Errorf("%w: server %s is listed twice", ErrConfig, s.FQDN)
		}
		seen[k] = true
	}
	if len(c.ActiveServers) > c.MaxActive {
		return fmt.Errorf("%w: %d initial active servers, at most %d are allowed", ErrConfig, len(c.ActiveServers), c.MaxActive)
	}
	for _, a := range c.ActiveServers {
		if !seen[strings.ToLower(a)] {
			return fmt.Errorf("%w: initial active server %s is not a server of pool %s", ErrConfig, a, c.PoolFQDN)
		}
	}
	if c.Product != "" && c.Product != ProductLync2013 && c.Product != ProductSkype2015 {
		return fmt.Errorf("%w: product %q is neither %s nor %s", ErrConfig, c.Product, ProductLync2013, ProductSkype2015)
	}
	if c.InitialState != Normal && c.InitialState != FailedOver {
		return fmt.Errorf("%w: initial pool state %q is neither Normal nor FailedOver", ErrConfig, c.InitialState)
	}
	for _, st := range c.Stores {
		if st.FQDN == "" || st.Role == "" {
			return fmt.Errorf("%w: store %q needs a role and an FQDN", ErrConfig, st.Name)
		}
	}
	return nil
}

// server returns the configured server with the given FQDN (any case).
func (c *Config) server(fqdn string) (Server, bool) {
	for _, s := range c.Servers {
		if strings.EqualFold(s.FQDN, strings.TrimSpace(fqdn)) {
			return s, true
		}
	}
	return Server{}, false
}

func (c *Config) storeByRole(role string) (Store, bool) {
	for _, s := range c.Stores {
		if s.Role == role {
			return s, true
		}
	}
	return Store{}, false
}

// Products and their PowerShell modules: Lync Server 2013 ships the Lync
// module, Skype for Business Server 2015 the SkypeForBusiness module, and
// neither has the other's (a Front End runs one product).
const (
	ProductLync2013  = "lync2013"
	ProductSkype2015 = "skype2015"
	ModuleLync       = "Lync"
	ModuleSkype      = "SkypeForBusiness"
)

// ProductModule is the one Cs module the configured product's Front End
// has; "" is Skype for Business Server 2015's (Validate refuses others).
func (c Config) ProductModule() string {
	if c.Product == ProductLync2013 {
		return ModuleLync
	}
	return ModuleSkype
}
