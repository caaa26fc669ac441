package sysprocs

import (
	"sort"
	"strings"
	"sync"

	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// Server configuration options: sp_configure, RECONFIGURE and
// sys.configurations, after Microsoft's "Server configuration options",
// "sp_configure" and "sys.configurations" pages. sp_configure sets an
// option's configured value (value); RECONFIGURE installs the configured
// values of dynamic options (value_in_use); other options would need a
// restart, which the simulator leaves at their running value. Advanced
// options are visible to sp_configure only once 'show advanced options'
// is 1 in use. The simulator changes no behaviour by them: they are
// bookkeeping DBA scripts read back.
//
// sys.configurations' value, minimum, maximum and value_in_use are
// sql_variant on SQL Server; sql_variant is not modelled, so they are int
// here (every option's value is an integer).

// configOption is one row of the option table.
type configOption struct {
	id       int64
	name     string
	min, max int64
	def      int64
	dynamic  bool
	advanced bool
	desc     string
}

// configOptions are the options the simulator lists (ids, ranges and
// defaults as SQL Server 2014 reports them; unconfirmed against a server),
// by configuration_id.
func configOptions() []configOption {
	return []configOption{
		{103, "user connections", 0, 32767, 0, false, true, "Number of user connections allowed"},
		{505, "network packet size (B)", 512, 32767, 4096, true, true, "Network packet size"},
		{518, "show advanced options", 0, 1, 0, true, false, "show advanced options"},
		{1126, "default language", 0, 9999, 0, true, false, "default language"},
		{1127, "two digit year cutoff", 1753, 9999, 2049, true, true, "two digit year cutoff"},
		{1519, "remote login timeout (s)", 0, 2147483647, 10, true, false, "remote login timeout"},
		{1534, "user options", 0, 32767, 0, true, false, "user options"},
		{1535, "remote access", 0, 1, 1, false, false, "Allow remote access"},
		{1538, "cost threshold for parallelism", 0, 32767, 5, true, true, "cost threshold for parallelism"},
		{1539, "max degree of parallelism", 0, 32767, 0, true, true, "maximum degree of parallelism"},
		{1541, "remote query timeout (s)", 0, 2147483647, 600, true, false, "remote query timeout"},
		{1543, "min server memory (MB)", 0, 2147483647, 0, true, true, "Minimum size of server memory (MB)"},
		{1544, "max server memory (MB)", 128, 2147483647, 2147483647, true, true, "Maximum size of server memory (MB)"},
		{1548, "contained database authentication", 0, 1, 0, true, false, "Enables contained databases and contained authentication"},
		{1562, "clr enabled", 0, 1, 0, true, false, "CLR user code execution enabled in the server"},
		{1568, "default trace enabled", 0, 1, 1, true, true, "Enable or disable the default trace"},
		{1569, "blocked process threshold (s)", 0, 86400, 0, true, true, "Blocked process reporting threshold"},
		{1576, "remote admin connections", 0, 1, 0, true, false, "Dedicated Admin Connections are allowed from remote clients"},
		{1579, "backup compression default", 0, 1, 0, true, false, "Enable compression of backups by default"},
		{1581, "optimize for ad hoc workloads", 0, 1, 0, true, true, "When this option is set, plan cache size is further reduced for single-use adhoc OLTP workload."},
		{1589, "backup checksum default", 0, 1, 0, true, false, "Enable checksum of backups by default"},
		{16386, "Database Mail XPs", 0, 1, 0, true, true, "Enable or disable Database Mail XPs"},
		{16387, "SMO and DMO XPs", 0, 1, 1, true, true, "Enable or disable SMO and DMO XPs"},
		{16388, "Agent XPs", 0, 1, 1, true, true, "Enable or disable Agent XPs"},
		{16390, "xp_cmdshell", 0, 1, 0, true, true, "Enable or disable command shell"},
		{16391, "Ad Hoc Distributed Queries", 0, 1, 0, true, true, "Enable or disable Ad Hoc Distributed Queries"},
	}
}

// serverConfig is an instance's configured and running values (by id);
// an option not in the maps has its default.
type serverConfig struct {
	mu    sync.Mutex
	value map[int64]int64
	inUse map[int64]int64
}

// get is o's configured and running values; a nil c (no config
// feature) has the defaults.
func (c *serverConfig) get(o configOption) (value, inUse int64) {
	value, inUse = o.def, o.def
	if c == nil {
		return value, inUse
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if v, ok := c.value[o.id]; ok {
		value = v
	}
	if v, ok := c.inUse[o.id]; ok {
		inUse = v
	}
	return value, inUse
}

func (c *serverConfig) set(o configOption, v int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.value == nil {
		c.value = map[int64]int64{}
	}
	c.value[o.id] = v
}

// reconfigure installs the configured values of the dynamic options.
func (c *serverConfig) reconfigure() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, o := range configOptions() {
		if v, ok := c.value[o.id]; ok && o.dynamic {
			if c.inUse == nil {
				c.inUse = map[int64]int64{}
			}
			c.inUse[o.id] = v
		}
	}
}

// showAdvanced says 'show advanced options' is 1 in use.
func (c *serverConfig) showAdvanced() bool {
	_, inUse := c.get(configOptions()[2])
	return inUse == 1
}

// configKey is the per-instance state's key (engine.Instance.State).
type configKey struct{}

// configOf is the instance's configuration; nil when the instance was
// built without the config feature (every option then has its default).
func configOf(inst *engine.Instance) *serverConfig {
	c, _ := inst.State(configKey{}).(*serverConfig)
	return c
}

func installConfig(r *engine.Registry) {
	r.InstanceState(configKey{}, func(*engine.Instance) any { return &serverConfig{} })
	r.Procedure("sp_configure", engine.SystemProc{Params: []engine.ProcParam{
		{Name: "@configname", Type: sqltypes.VarChar(35), HasDefault: true},
		{Name: "@configvalue", Type: sqltypes.TypeInt, HasDefault: true},
	}, Run: spConfigure})
	r.Statement(&tsql.ReconfigureStmt{}, func(sc *engine.Scope, _ tsql.Stmt) error {
		configOf(sc.Instance()).reconfigure()
		sc.Succeeded()
		return nil
	})
}

// Configurations are sys.configurations' rows (every option, advanced or
// not): configuration_id, name, value, minimum, maximum, value_in_use,
// description, is_dynamic, is_advanced. The catalog feature shows them.
func Configurations(inst *engine.Instance) [][]engine.Value {
	c := configOf(inst)
	var out [][]engine.Value
	for _, o := range configOptions() {
		v, u := c.get(o)
		out = append(out, []engine.Value{o.id, o.name, v, o.min, o.max, u, o.desc, o.dynamic, o.advanced})
	}
	return out
}

// findConfigOption matches a name as sp_configure does: exactly, else as
// the unique option the name is a prefix of (15028 when several, 15123
// when none), among the options visible now.
func findConfigOption(name string, advanced bool) (configOption, error) {
	var prefix []configOption
	for _, o := range configOptions() {
		if o.advanced && !advanced {
			continue
		}
		if strings.EqualFold(o.name, name) {
			return o, nil
		}
		if len(name) <= len(o.name) && strings.EqualFold(o.name[:len(name)], name) {
			prefix = append(prefix, o)
		}
	}
	switch len(prefix) {
	case 1:
		return prefix[0], nil
	case 0:
		return configOption{}, newErr(sqlerr.ConfigOptionUnknown, name)
	}
	return configOption{}, newErr(sqlerr.ConfigOptionNotUnique, name)
}

// spConfigure lists options (name, minimum, maximum, config_value,
// run_value), shows one, or sets one's configured value (15457 then says
// to run RECONFIGURE).
func spConfigure(pc *engine.ProcCall) (int32, error) {
	conf := configOf(pc.Instance())
	adv := conf.showAdvanced()
	cols := []engine.Column{engine.Col("name", sqltypes.NVarChar(35), false), engine.Col("minimum", sqltypes.TypeInt, false), engine.Col("maximum", sqltypes.TypeInt, false),
		engine.Col("config_value", sqltypes.TypeInt, false), engine.Col("run_value", sqltypes.TypeInt, false)}
	row := func(o configOption) []engine.Value {
		v, u := conf.get(o)
		return []engine.Value{o.name, o.min, o.max, v, u}
	}
	name, _ := pc.Arg("@configname").(string)
	if name == "" {
		var opts []configOption
		for _, o := range configOptions() {
			if !o.advanced || adv {
				opts = append(opts, o)
			}
		}
		sort.Slice(opts, func(i, j int) bool { return strings.ToLower(opts[i].name) < strings.ToLower(opts[j].name) })
		rows := make([][]engine.Value, len(opts))
		for i, o := range opts {
			rows[i] = row(o)
		}
		return 0, pc.Result(cols, rows)
	}
	o, err := findConfigOption(name, adv)
	if err != nil {
		return 1, err
	}
	if !pc.Given("@configvalue") || pc.Arg("@configvalue") == nil {
		return 0, pc.Result(cols, [][]engine.Value{row(o)})
	}
	v, _ := pc.Arg("@configvalue").(int64)
	if v < o.min || v > o.max {
		return 1, newErr(sqlerr.ConfigValueInvalid, v, o.name)
	}
	old, _ := conf.get(o)
	conf.set(o, v)
	return 0, pc.Message(newErr(sqlerr.ConfigOptionChanged, o.name, old, v))
}
