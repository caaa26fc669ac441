package topology

import (
	"fmt"
	"os"

	"gopkg.in/yaml.v3"
)

// The encoder writes a topology back as the YAML Parse reads, so a program
// that builds or adjusts one in memory (the simulated world hands out real
// addresses and secret files) can give it to another process, such as the
// failback CLI, exactly as an operator would. Secrets stay references:
// only passwordEnv/passwordFile are written, never a value.
//
// Optional lists are pointers so that "absent" (nil) and "present but
// empty" survive a round trip unchanged.

type yTopology struct {
	Version     int           `yaml:"version"`
	Pool        yPool         `yaml:"pool"`
	DataCenters []yDataCenter `yaml:"dataCenters"`
	Links       *[]yLink      `yaml:"links,omitempty"`
	Placement   yPlacement    `yaml:"placement"`
	Compliance  bool          `yaml:"compliance"`
	Instances   []yInstance   `yaml:"instances"`
	Share       yShare        `yaml:"share"`
	LogShipping yLogShipping  `yaml:"logShipping"`
	Management  yManagement   `yaml:"management"`
	Objectives  yObjectives   `yaml:"objectives"`
	Backups     *yBackups     `yaml:"backups,omitempty"`
}

type yBackups struct {
	Compression    bool    `yaml:"compression,omitempty"`
	ThroughputMBps float64 `yaml:"throughputMBps,omitempty"`
	BudgetFactor   float64 `yaml:"budgetFactor,omitempty"`
}

type yPool struct {
	FQDN                  string    `yaml:"fqdn"`
	StateIdentity         string    `yaml:"stateIdentity"`
	ActiveServerIdentity  string    `yaml:"activeServerIdentity"`
	Servers               []yServer `yaml:"servers"`
	ActiveServers         []string  `yaml:"activeServers"`
	FailoverActiveServers *[]string `yaml:"failoverActiveServers,omitempty"`
	Product               string    `yaml:"product,omitempty"`
}

type yServer struct {
	FQDN       string `yaml:"fqdn"`
	DataCenter string `yaml:"dataCenter"`
}

type yDataCenter struct {
	Name string `yaml:"name"`
	Role string `yaml:"role"`
}

type yLink struct {
	Between       []string `yaml:"between,flow"`
	RTTMs         float64  `yaml:"rttMs"`
	BandwidthMbps float64  `yaml:"bandwidthMbps"`
}

type yPlacement struct {
	MaxRTTMs         float64 `yaml:"maxRttMs"`
	MinBandwidthMbps float64 `yaml:"minBandwidthMbps"`
}

type yInstance struct {
	Name                   string `yaml:"name"`
	Role                   string `yaml:"role"`
	DataCenter             string `yaml:"dataCenter"`
	Host                   string `yaml:"host"`
	Address                string `yaml:"address"`
	User                   string `yaml:"user"`
	PasswordEnv            string `yaml:"passwordEnv,omitempty"`
	PasswordFile           string `yaml:"passwordFile,omitempty"`
	ServiceAccount         string `yaml:"serviceAccount,omitempty"`
	AgentAccount           string `yaml:"agentAccount,omitempty"`
	Encrypt                string `yaml:"encrypt,omitempty"`
	TrustServerCertificate bool   `yaml:"trustServerCertificate,omitempty"`
	CAFile                 string `yaml:"caFile,omitempty"`
	UserSysadmin           *bool  `yaml:"userSysadmin,omitempty"`
}

type yShare struct {
	UNC          string            `yaml:"unc"`
	DataCenter   string            `yaml:"dataCenter,omitempty"`
	MinFreeBytes int64             `yaml:"minFreeBytes,omitempty"`
	HostPaths    map[string]string `yaml:"hostPaths"`
	Readers      *[]string         `yaml:"readers,omitempty"`
	Writers      *[]string         `yaml:"writers,omitempty"`
}

type yLogShipping struct {
	CopyDirectory           string `yaml:"copyDirectory"`
	CopyDirectoryHostPath   string `yaml:"copyDirectoryHostPath,omitempty"`
	BackupJob               string `yaml:"backupJob"`
	CopyJob                 string `yaml:"copyJob"`
	RestoreJob              string `yaml:"restoreJob"`
	ScheduleMinutes         int    `yaml:"scheduleMinutes"`
	RetentionMinutes        int    `yaml:"retentionMinutes"`
	BackupThresholdMinutes  int    `yaml:"backupThresholdMinutes"`
	RestoreThresholdMinutes int    `yaml:"restoreThresholdMinutes"`
	RestoreMode             string `yaml:"restoreMode,omitempty"`
}

type yManagement struct {
	URL                string `yaml:"url"`
	User               string `yaml:"user"`
	PasswordEnv        string `yaml:"passwordEnv,omitempty"`
	PasswordFile       string `yaml:"passwordFile,omitempty"`
	InsecureSkipVerify bool   `yaml:"insecureSkipVerify,omitempty"`
	CAFile             string `yaml:"caFile,omitempty"`
	Auth               string `yaml:"auth,omitempty"`
}

type yObjectives struct {
	RTO    string `yaml:"rto"`
	Outage string `yaml:"outage"`
	RPO    string `yaml:"rpo"`
}

func optList(s []string) *[]string {
	if s == nil {
		return nil
	}
	c := append([]string{}, s...)
	return &c
}

// MarshalYAML gives yaml.v3 the file form of the topology.
func (t *Topology) MarshalYAML() (any, error) {
	y := yTopology{
		Version: t.Version,
		Pool: yPool{FQDN: t.Pool.FQDN, StateIdentity: t.Pool.StateIdentity, ActiveServerIdentity: t.Pool.ActiveServerIdentity,
			ActiveServers: append([]string{}, t.Pool.ActiveServers...), FailoverActiveServers: optList(t.Pool.FailoverActiveServers)},
		Placement:  yPlacement{MaxRTTMs: t.Placement.MaxRTTMs, MinBandwidthMbps: t.Placement.MinBandwidthMbps},
		Compliance: t.Compliance,
		Share: yShare{UNC: t.Share.UNC, DataCenter: t.Share.DataCenter, MinFreeBytes: t.Share.MinFreeBytes, HostPaths: map[string]string{},
			Readers: optList(t.Share.Readers), Writers: optList(t.Share.Writers)},
		LogShipping: yLogShipping(t.LogShipping),
		Management: yManagement{URL: t.Management.URL, User: t.Management.User, PasswordEnv: t.Management.Password.Env,
			PasswordFile: t.Management.Password.File, InsecureSkipVerify: t.Management.InsecureSkipVerify,
			CAFile: t.Management.CAFile, Auth: t.Management.Auth},
		Objectives: yObjectives{RTO: t.Objectives.RTO.String(), Outage: t.Objectives.Outage.String(), RPO: t.Objectives.RPO.String()},
	}
	if !t.Pool.ProductAssumed {
		y.Pool.Product = string(t.Pool.Product)
	}
	for _, s := range t.Pool.Servers {
		y.Pool.Servers = append(y.Pool.Servers, yServer(s))
	}
	for _, d := range t.DataCenters {
		y.DataCenters = append(y.DataCenters, yDataCenter(d))
	}
	if t.Links != nil {
		links := []yLink{}
		for _, l := range t.Links {
			links = append(links, yLink{Between: []string{l.Between[0], l.Between[1]}, RTTMs: l.RTTMs, BandwidthMbps: l.BandwidthMbps})
		}
		y.Links = &links
	}
	for _, in := range t.Instances {
		y.Instances = append(y.Instances, yInstance{Name: in.Name, Role: string(in.Role), DataCenter: in.DataCenter, Host: in.Host,
			Address: in.Address, User: in.User, PasswordEnv: in.Password.Env, PasswordFile: in.Password.File,
			ServiceAccount: in.ServiceAccount, AgentAccount: in.AgentAccount, Encrypt: in.Encrypt,
			TrustServerCertificate: in.TrustServerCertificate, CAFile: in.CAFile, UserSysadmin: in.UserSysadmin})
	}
	for k, v := range t.Share.HostPaths {
		y.Share.HostPaths[k] = v
	}
	if t.Backups != (Backups{}) {
		y.Backups = &yBackups{Compression: t.Backups.Compression, ThroughputMBps: t.Backups.ThroughputMBps, BudgetFactor: t.Backups.BudgetFactor}
	}
	return y, nil
}

// Marshal encodes t as a topology file that Parse reads back to an equal
// topology (up to File and the secret references' key paths, which name
// where they were read from).
func Marshal(t *Topology) ([]byte, error) {
	b, err := yaml.Marshal(t)
	if err != nil {
		return nil, fmt.Errorf("topology: encode: %w", err)
	}
	return append([]byte("# written by failback/topology.Marshal\n"), b...), nil
}

// WriteFile writes t to path (mode 0600: it names secret files).
func WriteFile(path string, t *Topology) error {
	b, err := Marshal(t)
	if err != nil {
		return err
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		return fmt.Errorf("topology: write %s: %w", path, err)
	}
	return nil
}
