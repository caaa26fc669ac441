package lync

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/pchatdr/harness/fakes/lync/pool"
	"github.com/pchatdr/harness/fakes/lync/ps"
)

const (
	typeXdsGlobal   = "Microsoft.Rtc.Management.Xds.XdsGlobalRelativeIdentity"
	typeXdsIdentity = "Microsoft.Rtc.Management.Xds.XdsIdentity"
	typeListMod     = "System.Management.Automation.PSListModifier`1[Microsoft.Rtc.Management.Deploy.Fqdn]"
	typePoolState   = "Microsoft.Rtc.Management.WritableConfig.Settings.PersistentChat.PoolState"
	typeStateObj    = "Microsoft.Rtc.Management.WritableConfig.Settings.PersistentChat.PersistentChatState"
	typeDBName      = "Microsoft.Rtc.Management.Deployment.DatabaseNameType"
	typeMirrorRole  = "Microsoft.Rtc.Management.Deployment.MirrorRole"
	typeFqdn        = "Microsoft.Rtc.Management.Deploy.Fqdn"
)

func implType(name string) string {
	return "Microsoft.Rtc.Management.Internal." + strings.ReplaceAll(name, "-", "") + "Cmdlet"
}

// Parameter sets, named as the help pages name them.
const (
	setIdentity = "Identity"
	setFilter   = "Filter"
)

// registerCmdlets registers the product's cmdlets with exactly the
// parameters and parameter sets their help pages document: anything else
// is NamedParameterNotFound, and parameters of two sets together are
// AmbiguousParameterSet, as PowerShell's binder answers.
func (s *Server) registerCmdlets(reg *ps.Registry) {
	reg.AddModule(s.profile.module)
	add := func(c *ps.Command) {
		c.Module = s.profile.module
		c.ImplementingType = implType(c.Name)
		reg.Register(c)
	}
	add(&ps.Command{
		Name: "Set-CsPersistentChatActiveServer", ShouldProcess: true,
		Params: []ps.Param{
			{Name: "Identity", Kind: ps.KindString, TypeName: typeXdsGlobal, Position: 0},
			{Name: "ActiveServers", Kind: ps.KindAny, TypeName: typeListMod, Position: -1, Mandatory: true, AllowNull: true, Sets: []string{"Explicit"}},
			{Name: "Swap", Kind: ps.KindSwitch, Position: -1, Sets: []string{"Swap"}},
			{Name: "Force", Kind: ps.KindSwitch, Position: -1},
		},
		Run: s.setActiveServer,
	})
	add(&ps.Command{
		Name: "Set-CsPersistentChatState", ShouldProcess: true, DefaultSet: setIdentity,
		Params: []ps.Param{
			{Name: "Identity", Kind: ps.KindString, TypeName: typeXdsIdentity, Position: 0, Sets: []string{setIdentity}},
			{Name: "Instance", Kind: ps.KindAny, TypeName: "System.Management.Automation.PSObject", Position: -1, FromPipeline: true, Sets: []string{"Instance"}},
			{Name: "PoolState", Kind: ps.KindEnum, TypeName: typePoolState, Enum: []string{"Normal", "FailedOver"}, Position: -1},
			{Name: "Force", Kind: ps.KindSwitch, Position: -1},
		},
		Run: s.setChatState,
	})
	add(&ps.Command{
		Name: "Get-CsPersistentChatState", DefaultSet: setIdentity,
		Params: []ps.Param{
			{Name: "Identity", Kind: ps.KindString, TypeName: typeXdsIdentity, Position: 0, Sets: []string{setIdentity}},
			{Name: "Filter", Kind: ps.KindString, Position: -1, Sets: []string{setFilter}},
			{Name: "LocalStore", Kind: ps.KindSwitch, Position: -1},
		},
		Run: s.getChatState,
	})
	// Get-CsService: Identity, Filter, and one set per role switch, with
	// -PoolFqdn in all of them. The page says "you can only use one such
	// switch parameter per command"; two are two sets, which the binder
	// refuses. It documents no default set; a call with no parameter
	// works on a real server, so Identity is taken as the default.
	svc := []ps.Param{
		{Name: "Identity", Kind: ps.KindString, TypeName: typeXdsGlobal, Position: 0, Sets: []string{setIdentity}},
		{Name: "Filter", Kind: ps.KindString, Position: -1, Sets: []string{setFilter}},
		{Name: "PoolFqdn", Kind: ps.KindString, Position: -1},
	}
	for _, r := range s.profile.roleSwitches {
		p := ps.Param{Name: r, Kind: ps.KindSwitch, Position: -1, Sets: []string{r}}
		if r == "ConferencingServer" {
			p.Aliases, p.Sets = []string{"ConferenceServer"}, []string{"ConferenceServer"}
		}
		svc = append(svc, p)
	}
	add(&ps.Command{Name: "Get-CsService", DefaultSet: setIdentity, Params: svc, Run: s.getService})
	add(&ps.Command{
		Name: "Get-CsPool", DefaultSet: setIdentity,
		Params: []ps.Param{
			{Name: "Identity", Kind: ps.KindString, TypeName: typeXdsGlobal, Position: 0, Sets: []string{setIdentity}},
			{Name: "Filter", Kind: ps.KindString, Position: -1, Sets: []string{setFilter}},
			{Name: "Site", Kind: ps.KindString, Position: -1},
		},
		Run: s.getPool,
	})
	add(&ps.Command{
		Name: "Get-CsPersistentChatEndpoint",
		Params: []ps.Param{
			{Name: "Identity", Kind: ps.KindString, TypeName: "Microsoft.Rtc.Management.AD.UserIdParameter", Position: 0},
			{Name: "Credential", Kind: ps.KindAny, TypeName: "System.Management.Automation.PSCredential", Position: -1},
			{Name: "DomainController", Kind: ps.KindString, TypeName: typeFqdn, Position: -1},
			{Name: "Filter", Kind: ps.KindString, Position: -1},
			{Name: "LdapFilter", Kind: ps.KindString, Position: -1},
			{Name: "OU", Kind: ps.KindString, TypeName: "Microsoft.Rtc.Management.AD.OUIdParameter", Position: -1},
			{Name: "PersistentChatPoolFqdn", Kind: ps.KindString, TypeName: typeFqdn, Position: -1},
			{Name: "ResultSize", Kind: ps.KindInt, TypeName: "Microsoft.Rtc.Management.ADConnect.Core.Unlimited`1[System.UInt32]", Position: -1},
		},
		Run: s.getChatEndpoint,
	})
	add(&ps.Command{
		Name: "Install-CsMirrorDatabase", ShouldProcess: true,
		Params: []ps.Param{
			{Name: "ConfiguredDatabases", Kind: ps.KindSwitch, Position: 0, Sets: []string{"ConfiguredDatabases"}},
			{Name: "DatabaseType", Kind: ps.KindEnum, TypeName: typeDBName, Enum: databaseTypes2015, Position: -1, Mandatory: true, Sets: []string{"DatabaseType"}},
			{Name: "FileShare", Kind: ps.KindString, Position: -1, Mandatory: true},
			{Name: "SqlServerFqdn", Kind: ps.KindString, TypeName: typeFqdn, Position: -1, Mandatory: true},
			{Name: "DatabasePathMap", Kind: ps.KindAny, TypeName: "System.Collections.Hashtable", Position: -1},
			{Name: "DropExistingDatabasesOnMirror", Kind: ps.KindSwitch, Position: -1},
			{Name: "ExcludeDatabaseList", Kind: ps.KindStrings, Position: -1},
			{Name: "ForDefaultInstance", Kind: ps.KindSwitch, Position: -1, Sets: []string{"ConfiguredDatabases"}},
			{Name: "ForInstance", Kind: ps.KindString, Position: -1, Sets: []string{"ConfiguredDatabases"}},
			{Name: "Report", Kind: ps.KindString, Position: -1},
			{Name: "SqlInstanceName", Kind: ps.KindString, Position: -1, Sets: []string{"DatabaseType"}},
		},
		Run: s.installMirror,
	})
	add(&ps.Command{
		Name: "Uninstall-CsMirrorDatabase", ShouldProcess: true,
		Params: []ps.Param{
			{Name: "DatabaseType", Kind: ps.KindEnum, TypeName: typeDBName, Enum: databaseTypes2015, Position: -1, Mandatory: true},
			{Name: "SqlServerFqdn", Kind: ps.KindString, TypeName: typeFqdn, Position: -1, Mandatory: true},
			{Name: "DropExistingDatabasesOnMirror", Kind: ps.KindSwitch, Position: -1},
			{Name: "Report", Kind: ps.KindString, Position: -1},
			{Name: "SqlInstanceName", Kind: ps.KindString, Position: -1},
		},
		Run: s.uninstallMirror,
	})
	add(&ps.Command{
		Name: "Invoke-CsDatabaseFailover", ShouldProcess: true,
		Params: []ps.Param{
			{Name: "DatabaseType", Kind: ps.KindEnum, TypeName: typeDBName, Enum: databaseTypes2015, Position: -1, Mandatory: true},
			{Name: "NewPrincipal", Kind: ps.KindEnum, TypeName: typeMirrorRole, Enum: []string{"Primary", "Mirror"}, Position: -1, Mandatory: true},
			{Name: "PoolFqdn", Kind: ps.KindString, TypeName: typeFqdn, Position: -1, Mandatory: true},
			{Name: "ExcludeDatabaseList", Kind: ps.KindStrings, Position: -1},
			{Name: "Force", Kind: ps.KindSwitch, Position: -1},
			{Name: "LocalStore", Kind: ps.KindSwitch, Position: -1},
			{Name: "Report", Kind: ps.KindString, Position: -1},
		},
		Run: s.invokeFailover,
	})
	add(&ps.Command{
		Name: "Get-CsDatabaseMirrorState",
		Params: []ps.Param{
			{Name: "PoolFqdn", Kind: ps.KindString, TypeName: typeFqdn, Position: -1, Mandatory: true},
			{Name: "DatabaseType", Kind: ps.KindEnum, TypeName: typeDBName, Enum: s.profile.mirrorStateTypes, Position: -1},
			{Name: "LocalStore", Kind: ps.KindSwitch, Position: -1},
			{Name: "Report", Kind: ps.KindString, Position: -1},
		},
		Run: s.getMirrorState,
	})
	add(&ps.Command{
		Name: "Test-CsDatabase", ShouldProcess: true,
		Params: []ps.Param{
			{Name: "CentralManagementDatabase", Kind: ps.KindSwitch, Position: -1, Sets: []string{"ByCMS"}},
			{Name: "ConfiguredDatabases", Kind: ps.KindSwitch, Position: -1, Sets: []string{"ByConfigured"}},
			{Name: "DatabaseType", Kind: ps.KindEnum, TypeName: typeDBName, Enum: databaseTypes2015, Position: -1, Mandatory: true, Sets: []string{"ByDatabase"}},
			{Name: "LocalService", Kind: ps.KindSwitch, Position: -1, Sets: []string{"ByLocal"}},
			// -SqlServerFqdn is optional in ByCMS, mandatory in
			// ByConfigured and ByDatabase.
			{Name: "SqlServerFqdn", Kind: ps.KindString, TypeName: typeFqdn, Position: -1, Mandatory: true, Sets: []string{"ByConfigured", "ByDatabase", "ByCMS"}, OptionalIn: []string{"ByCMS"}},
			{Name: "Report", Kind: ps.KindString, Position: -1},
			{Name: "SqlInstanceName", Kind: ps.KindString, Position: -1, Sets: []string{"ByCMS", "ByDatabase"}},
		},
		Run: s.testDatabase,
	})
}

// ruleError turns a pool rule violation into the cmdlet's error record.
func ruleError(err error) error {
	var re *pool.RuleError
	if !errors.As(err, &re) {
		return err
	}
	switch {
	case errors.Is(err, pool.ErrServerNotInPool), errors.Is(err, pool.ErrTooManyActive):
		return ps.NewError("InvalidArgument", "ArgumentException", "InvalidActiveServers", "%s", re.Msg)
	case errors.Is(err, pool.ErrUnknownStore), errors.Is(err, pool.ErrUnknownPool):
		return ps.NewError("ObjectNotFound", "ItemNotFoundException", "ObjectNotFound", "%s", re.Msg)
	case errors.Is(err, pool.ErrNoMirror):
		return ps.NewError("InvalidOperation", "InvalidOperationException", "MirrorNotConfigured", "%s", re.Msg)
	}
	return ps.NewError("InvalidOperation", "InvalidOperationException", "InvalidOperation", "%s", re.Msg)
}

// listModifier converts -ActiveServers with PSListModifier's constructor
// rules (reference §6.1), plus Lync's "$Null clears the list".
func listModifier(v any) (pool.ListModifier, error) {
	if v == nil {
		return pool.ListModifier{Clear: true}, nil
	}
	h, ok := v.(*ps.Hashtable)
	if !ok {
		return pool.ListModifier{Replace: ps.StringList(v)}, nil
	}
	var m pool.ListModifier
	for _, k := range h.Keys() {
		val, _ := h.Get(k)
		switch strings.ToLower(k) {
		case "add":
			m.Add = ps.StringList(val)
		case "remove":
			m.Remove = ps.StringList(val)
		case "replace":
			m.Replace = ps.StringList(val)
		default:
			return m, ps.NewError("InvalidArgument", "ParameterBindingException", "CannotConvertArgumentNoMessage",
				"Cannot bind parameter 'ActiveServers'. Cannot convert value \"System.Collections.Hashtable\" to type \"%s\". Error: \"The following unknown list modifier was detected: '%s'. Valid list modifiers are Add, Remove, and Replace.\"", typeListMod, k)
		}
	}
	return m, nil
}

func (s *Server) setActiveServer(_ context.Context, c *ps.Call) error {
	hasList, hasSwap := c.Has("ActiveServers"), c.Has("Swap")
	if hasList && hasSwap {
		return ps.AmbiguousParameterSet()
	}
	if !hasList && !hasSwap {
		return ps.NewError("InvalidArgument", "ParameterBindingException", "MissingMandatoryParameter",
			"Cannot process command because of one or more missing mandatory parameters: ActiveServers.")
	}
	target, err := s.activeServerTarget(c.String("Identity"), c.Has("Identity"))
	if err != nil {
		return err
	}
	whatIf := c.WhatIf()
	if hasSwap {
		if !c.Switch("Swap") {
			return nil
		}
		if _, err := s.pool.Swap(true); err != nil {
			return ruleError(err)
		}
		ok, err := c.ShouldProcess(target, c.Command.Name)
		if err != nil || !ok {
			return err
		}
		_, err = s.pool.Swap(whatIf)
		return ruleError(err)
	}
	m, err := listModifier(c.Get("ActiveServers"))
	if err != nil {
		return err
	}
	if _, err := s.pool.SetActiveServers(m, true); err != nil {
		return ruleError(err)
	}
	ok, err := c.ShouldProcess(target, c.Command.Name)
	if err != nil || !ok {
		return err
	}
	if _, err := s.pool.SetActiveServers(m, false); err != nil {
		return ruleError(err)
	}
	return nil
}

func (s *Server) setChatState(_ context.Context, c *ps.Call) error {
	var ids []string
	switch {
	case c.Has("Identity") && (c.Has("Instance") || len(c.Input) > 0):
		return ps.AmbiguousParameterSet()
	case c.Has("Identity"):
		ids = []string{c.String("Identity")}
	case c.Has("Instance") || len(c.Input) > 0:
		items := c.Input
		if c.Has("Instance") {
			items = ps.Flatten(c.Get("Instance"))
		}
		for _, it := range items {
			o, ok := it.(*ps.Object)
			idv, has := any(nil), false
			if ok {
				idv, has = o.Get("Identity")
			}
			if !has {
				return ps.NewError("InvalidArgument", "ParameterBindingException", "CannotConvertArgument",
					"Cannot bind parameter 'Instance'. The input object is not a %s object.", typeStateObj)
			}
			ids = append(ids, ps.ToString(idv))
		}
	default:
		return ps.NewError("InvalidArgument", "ArgumentException", "IdentityRequired",
			"Specify the Persistent Chat pool with -Identity, for example -Identity \"service:%s\".", s.pool.Config().PoolFQDN)
	}
	for _, id := range ids {
		target, err := s.stateTarget(id)
		if err != nil {
			return err
		}
		if !c.Has("PoolState") {
			continue
		}
		ok, err := c.ShouldProcess(target, c.Command.Name)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := s.pool.SetPoolState(pool.PoolState(c.String("PoolState")), false); err != nil {
			return err
		}
	}
	return nil
}

// poolStateEnum is the PoolState enum value. The numbers (Normal=0,
// FailedOver=1) follow declaration order; they are not documented.
func poolStateEnum(st pool.PoolState) ps.Enum {
	if st == pool.FailedOver {
		return ps.Enum{Type: typePoolState, Name: "FailedOver", Value: 1}
	}
	return ps.Enum{Type: typePoolState, Name: "Normal", Value: 0}
}

func (s *Server) stateObject() *ps.Object {
	st := s.pool.State()
	o := ps.NewObject(typeStateObj, "Identity", stateIdentity(st.PoolFQDN), "PoolState", poolStateEnum(st.PoolState))
	o.Display = stateIdentity(st.PoolFQDN)
	return o
}

func (s *Server) getChatState(_ context.Context, c *ps.Call) error {
	if c.Has("Identity") && c.Has("Filter") {
		return ps.AmbiguousParameterSet()
	}
	obj := s.stateObject()
	switch {
	case c.Has("Identity"):
		if _, err := s.stateTarget(c.String("Identity")); err != nil {
			return err
		}
	case c.Has("Filter"):
		id, _ := obj.Get("Identity")
		if !ps.WildcardMatch(c.String("Filter"), ps.ToString(id), false) {
			return nil
		}
	}
	c.Emit(obj)
	return nil
}

func storeRef(fqdn string) any {
	if fqdn == "" {
		return nil
	}
	return "PersistentChatStore:" + fqdn
}

func strs(list []string) []any {
	out := make([]any, 0, len(list))
	for _, s := range list {
		out = append(out, s)
	}
	return out
}

func (s *Server) siteID() string {
	for _, st := range s.pool.Config().Servers {
		return "Site:" + st.DataCenter
	}
	return "Site:1"
}

// Roles of the Persistent Chat services as Get-CsService shows them.
const (
	roleChatServer      = "PersistentChatServer"
	roleChatStore       = "PersistentChatStore"
	roleComplianceStore = "PersistentChatComplianceStore"
)

// serviceObjects are the Persistent Chat services of the topology, one
// per role asked for ("" all): the pool's PersistentChatServer service,
// a PersistentChatStore per SQL store holding mgc and a
// PersistentChatComplianceStore per store holding mgccomp.
func (s *Server) serviceObjects(role string) []*ps.Object {
	st := s.pool.State()
	cfg := s.pool.Config()
	var out []*ps.Object
	if role == "" || role == roleChatServer {
		find := func(dbType, site string) (pool.MirrorPair, bool) {
			for _, mp := range st.Databases {
				if mp.DatabaseType == dbType && mp.Site == site {
					return mp, true
				}
			}
			return pool.MirrorPair{}, false
		}
		props := []any{
			"Identity", "PersistentChatServer:" + st.PoolFQDN,
			"SiteId", s.siteID(),
			"ServiceId", "1-PersistentChatServer-1",
			"PoolFqdn", st.PoolFQDN,
			"Role", roleChatServer,
		}
		for _, d := range []struct{ typ, label string }{{pool.DBPersistentChat, "PersistentChatDatabase"}, {pool.DBPersistentChatCompliance, "PersistentChatComplianceDatabase"}} {
			p, okP := find(d.typ, pool.SitePrimary)
			b, okB := find(d.typ, pool.SiteBackup)
			if !okP && !okB {
				continue
			}
			props = append(props,
				d.label, storeRef(p.Principal),
				"Mirror"+d.label, storeRef(p.Mirror),
				"Backup"+d.label, storeRef(b.Principal),
				"BackupMirror"+d.label, storeRef(b.Mirror),
			)
		}
		// ActiveServers and InactiveServers are on no Microsoft page (see
		// the report of issue 15): the engine's read-back uses them.
		props = append(props,
			"ActiveServers", strs(st.ActiveServers),
			"InactiveServers", strs(st.InactiveServers()),
			"Port", int64(5041),
			"DependentServiceList", []any{},
		)
		o := ps.NewObject("Microsoft.Rtc.Management.Xds.DisplayPersistentChatServer", props...)
		o.Display = "PersistentChatServer:" + st.PoolFQDN
		out = append(out, o)
	}
	storeObj := func(r string, sto pool.Store) *ps.Object {
		o := ps.NewObject("Microsoft.Rtc.Management.Xds.Display"+r,
			"Identity", r+":"+sto.FQDN,
			"SiteId", "Site:"+sto.DataCenter,
			"ServiceId", "1-"+r+"-"+sto.Name,
			"PoolFqdn", sto.FQDN,
			"Role", r,
			"DependentServiceList", []any{"PersistentChatServer:" + st.PoolFQDN},
		)
		o.Display = r + ":" + sto.FQDN
		return o
	}
	dedicated := false
	for _, sto := range cfg.Stores {
		dedicated = dedicated || strings.HasPrefix(sto.Role, "compliance-")
	}
	for _, sto := range cfg.Stores {
		isComp := strings.HasPrefix(sto.Role, "compliance-")
		if (role == "" || role == roleChatStore) && !isComp {
			out = append(out, storeObj(roleChatStore, sto))
		}
		if (role == "" || role == roleComplianceStore) && cfg.Compliance && (isComp || !dedicated) {
			out = append(out, storeObj(roleComplianceStore, sto))
		}
	}
	return out
}

// getService is Get-CsService. The set the binder chose says what to
// list: a role switch that names a Persistent Chat role lists that role,
// any other role switch lists nothing (the topology deploys no such
// role); -PoolFqdn keeps the services whose PoolFqdn it names.
func (s *Server) getService(_ context.Context, c *ps.Call) error {
	role := ""
	if set := c.Set; set != setIdentity && set != setFilter && set != "" {
		name := set
		if set == "ConferenceServer" {
			name = "ConferencingServer"
		}
		if c.Switch(name) { // -Role:$false filters nothing
			switch set {
			case "PersistentChatServer":
				role = roleChatServer
			case "PersistentChatDatabase":
				role = roleChatStore
			case "PersistentChatComplianceDatabase":
				role = roleComplianceStore
			default:
				return nil // a role the topology does not deploy
			}
		}
	}
	objs := s.serviceObjects(role)
	if c.Has("PoolFqdn") {
		want := strings.TrimSpace(c.String("PoolFqdn"))
		var keep []*ps.Object
		for _, o := range objs {
			if v, _ := o.Get("PoolFqdn"); strings.EqualFold(ps.ToString(v), want) {
				keep = append(keep, o)
			}
		}
		objs = keep
	}
	if c.Has("Identity") {
		id := strings.TrimSpace(c.String("Identity"))
		id, _ = cutPrefixFold(id, "service:")
		for _, o := range objs {
			v, _ := o.Get("Identity")
			if strings.EqualFold(ps.ToString(v), strings.TrimSpace(id)) {
				c.Emit(o)
				return nil
			}
		}
		rec := ps.NewError("ObjectNotFound", "ItemNotFoundException", "ServiceNotFound", "Cannot find service \"%s\" in the topology.", c.String("Identity"))
		rec.TargetName, rec.TargetType = c.String("Identity"), "String"
		return rec
	}
	for _, o := range objs {
		if c.Has("Filter") {
			v, _ := o.Get("Identity")
			if !ps.WildcardMatch(c.String("Filter"), ps.ToString(v), false) {
				continue
			}
		}
		c.Emit(o)
	}
	return nil
}

// siteName is a site's DisplayName: what Get-CsPool -Site takes.
func siteName(siteID string) string {
	_, name, _ := strings.Cut(siteID, ":")
	return name
}

func (s *Server) getPool(_ context.Context, c *ps.Call) error {
	cfg := s.pool.Config()
	var servers []string
	for _, sv := range cfg.Servers {
		servers = append(servers, sv.FQDN)
	}
	objs := []*ps.Object{ps.NewObject("Microsoft.Rtc.Management.Xds.DisplayPool",
		"Identity", cfg.PoolFQDN,
		"Services", []any{"PersistentChatServer:" + cfg.PoolFQDN},
		"Computers", strs(servers),
		"Fqdn", cfg.PoolFQDN,
		"Site", s.siteID(),
	)}
	for _, sto := range cfg.Stores {
		objs = append(objs, ps.NewObject("Microsoft.Rtc.Management.Xds.DisplayPool",
			"Identity", sto.FQDN,
			"Services", []any{"PersistentChatStore:" + sto.FQDN},
			"Computers", []any{sto.FQDN},
			"Fqdn", sto.FQDN,
			"Site", "Site:"+sto.DataCenter,
		))
	}
	if c.Has("Site") {
		// The page: "referenced using the site's DisplayName (for example,
		// Redmond) rather than the site Identity (for example,
		// site:Redmond)". A site the topology does not have is refused
		// (stricter: the page does not say what an unknown site does).
		want := strings.TrimSpace(c.String("Site"))
		var keep []*ps.Object
		var sites []string
		for _, o := range objs {
			v, _ := o.Get("Site")
			name := siteName(ps.ToString(v))
			if !slices.Contains(sites, name) {
				sites = append(sites, name)
			}
			if strings.EqualFold(name, want) {
				keep = append(keep, o)
			}
		}
		if len(keep) == 0 {
			rec := ps.NewError("ObjectNotFound", "ItemNotFoundException", "SiteNotFound",
				"Cannot find site \"%s\". Give the site's DisplayName (for example, %s), not its Identity. Sites: %s.", want, sites[0], strings.Join(sites, ", "))
			rec.TargetName, rec.TargetType = want, "String"
			return rec
		}
		objs = keep
	}
	if c.Has("Identity") {
		for _, o := range objs {
			if v, _ := o.Get("Identity"); strings.EqualFold(ps.ToString(v), strings.TrimSpace(c.String("Identity"))) {
				c.Emit(o)
				return nil
			}
		}
		rec := ps.NewError("ObjectNotFound", "ItemNotFoundException", "PoolNotFound", "Cannot find pool \"%s\" in the topology.", c.String("Identity"))
		rec.TargetName, rec.TargetType = c.String("Identity"), "String"
		return rec
	}
	for _, o := range objs {
		v, _ := o.Get("Identity")
		if c.Has("Filter") && !ps.WildcardMatch(c.String("Filter"), ps.ToString(v), false) {
			continue
		}
		c.Emit(o)
	}
	return nil
}

// chatEndpoint is the Active Directory contact Setup creates for the pool
// ("an endpoint is automatically created for each Persistent Chat pool").
// Its properties are not documented; these are the ones the examples
// filter on (the SIP address as Identity, the pool FQDN).
func (s *Server) chatEndpoint() *ps.Object {
	fqdn := s.pool.Config().PoolFQDN
	host, domain, _ := strings.Cut(fqdn, ".")
	sip := "sip:" + host + "@" + domain
	o := ps.NewObject("Microsoft.Rtc.Management.ADConnect.Schema.OCSPersistentChatEndpoint",
		"Identity", "CN="+host+",CN=Application Contacts,CN=RTC Service,CN=Services,CN=Configuration",
		"SipAddress", sip,
		"DisplayName", "Persistent Chat pool "+fqdn,
		"PersistentChatPoolFqdn", fqdn,
		"Enabled", true,
	)
	o.Display = sip
	return o
}

func (s *Server) getChatEndpoint(_ context.Context, c *ps.Call) error {
	o := s.chatEndpoint()
	if c.Has("PersistentChatPoolFqdn") && !strings.EqualFold(strings.TrimSpace(c.String("PersistentChatPoolFqdn")), s.pool.Config().PoolFQDN) {
		rec := ps.NewError("ObjectNotFound", "ItemNotFoundException", "PoolNotFound",
			"Cannot find Persistent Chat pool \"%s\" in the topology.", c.String("PersistentChatPoolFqdn"))
		rec.TargetName, rec.TargetType = c.String("PersistentChatPoolFqdn"), "Fqdn"
		return rec
	}
	if c.Has("Identity") {
		id := strings.TrimSpace(c.String("Identity"))
		sip, _ := o.Get("SipAddress")
		dn, _ := o.Get("Identity")
		if !strings.EqualFold(id, ps.ToString(sip)) && !strings.EqualFold(id, ps.ToString(dn)) {
			rec := ps.NewError("ObjectNotFound", "ManagementException", "IdentityNotFound",
				"Management object not found for identity \"%s\".", id)
			rec.TargetName, rec.TargetType = id, "UserIdParameter"
			return rec
		}
	}
	if c.Has("Filter") {
		sip, _ := o.Get("SipAddress")
		if !ps.WildcardMatch(c.String("Filter"), ps.ToString(sip), false) {
			return nil
		}
	}
	c.Emit(o)
	return nil
}

func checkDBType(t string) error {
	if t == pool.DBPersistentChat || t == pool.DBPersistentChatCompliance {
		return nil
	}
	return ps.NewError("InvalidArgument", "ArgumentException", "DatabaseTypeNotDeployed",
		"Database type \"%s\" is not deployed in this topology; only PersistentChat and PersistentChatCompliance databases are.", t)
}

func (s *Server) installMirror(ctx context.Context, c *ps.Call) error {
	configured, typed := c.Switch("ConfiguredDatabases"), c.Has("DatabaseType")
	if configured == typed {
		if typed {
			return ps.AmbiguousParameterSet()
		}
		return ps.NewError("InvalidArgument", "ParameterBindingException", "MissingMandatoryParameter",
			"Cannot process command because of one or more missing mandatory parameters: DatabaseType.")
	}
	var types []string
	if typed {
		t := c.String("DatabaseType")
		if err := checkDBType(t); err != nil {
			return err
		}
		types = []string{t}
	}
	share := c.String("FileShare")
	if !strings.HasPrefix(share, `\\`) || len(strings.Split(strings.Trim(share, `\`), `\`)) < 2 {
		return ps.NewError("InvalidArgument", "ArgumentException", "InvalidFileShare",
			"The file share \"%s\" is not a UNC path (\\\\server\\share) reachable from both SQL Servers.", share)
	}
	sql := c.String("SqlServerFqdn")
	planned, err := s.pool.InstallMirror(sql, types, true)
	if err != nil {
		return ruleError(err)
	}
	ok, err := c.ShouldProcess(sql, c.Command.Name)
	if err != nil || !ok {
		return err
	}
	if err := s.setUpMirroring(ctx, c, planned); err != nil {
		return err
	}
	pairs, err := s.pool.InstallMirror(sql, types, false)
	if err != nil {
		return ruleError(err)
	}
	for _, p := range pairs {
		c.Host(fmt.Sprintf("Mirroring of %s databases on \"%s\" to \"%s\" is established.", p.DatabaseType, p.Principal, p.Mirror))
	}
	return nil
}

// setUpMirroring runs the InstallMirror hook (or, without one, the SQL
// Server side over the topology's instances) for each planned pair, in the
// topology's order, stopping at the first failure as the real cmdlet does
// (databases mirrored before it stay mirrored; the pool records none).
func (s *Server) setUpMirroring(ctx context.Context, c *ps.Call, planned []pool.MirrorPair) error {
	do := s.mirrorHook
	if do == nil && s.sql != nil {
		do = s.installMirrorSQL
	}
	if do == nil {
		return nil
	}
	// The instance: -SqlInstanceName in the DatabaseType set, -ForInstance
	// in the ConfiguredDatabases set (the binder allows no other pairing).
	inst := c.String("SqlInstanceName")
	if c.Set == "ConfiguredDatabases" {
		inst = c.String("ForInstance")
	}
	for _, p := range planned {
		req := MirrorRequest{DatabaseType: p.DatabaseType, Database: databaseName(p.DatabaseType), Principal: p.Principal, Mirror: p.Mirror,
			SqlInstanceName: inst, FileShare: c.String("FileShare"), DropExisting: c.Switch("DropExistingDatabasesOnMirror")}
		if err := do(ctx, req); err != nil {
			return ps.NewError("InvalidOperation", "InvalidOperationException", "InstallMirrorDatabaseFailed",
				"Mirroring of %s database \"%s\" on \"%s\" to \"%s\" failed: %s", p.DatabaseType, req.Database, p.Principal, p.Mirror, err)
		}
	}
	return nil
}

// databaseName is the SQL database of a Persistent Chat database type.
func databaseName(dbType string) string {
	if dbType == pool.DBPersistentChatCompliance {
		return "mgccomp"
	}
	return "mgc"
}

// sqlError is the cmdlet's error when SQL Server refused or could not be
// reached. The products' texts are not documented; the category is
// ResourceUnavailable for a connection failure, InvalidOperation for a
// refused statement, and the message carries SQL Server's own.
func sqlError(id, format string, args ...any) *ps.ErrorRecord {
	cat, ex := "InvalidOperation", "SqlException"
	if id == "SqlConnectionFailed" {
		cat = "ResourceUnavailable"
	}
	return ps.NewError(cat, ex, id, format, args...)
}

// open reaches a store's SQL Server and checks it answers.
func (s *Server) open(ctx context.Context, fqdn, instance string) (*sql.DB, error) {
	db, err := s.sql.Open(ctx, fqdn, instance)
	if err == nil {
		err = db.PingContext(ctx)
	}
	if err != nil {
		return nil, sqlError("SqlConnectionFailed", "Cannot connect to SQL Server \"%s\": %v", fqdn, err)
	}
	return db, nil
}

// pairFor is the mirror pair of a database type that -PoolFqdn names: the
// Persistent Chat pool (the pair of the site its state uses) or a store.
func (s *Server) pairFor(target, dbType string) (pool.MirrorPair, bool) {
	st := s.pool.State()
	site := pool.SitePrimary
	if st.PoolState == pool.FailedOver {
		site = pool.SiteBackup
	}
	for _, mp := range st.Databases {
		if !strings.EqualFold(mp.DatabaseType, dbType) {
			continue
		}
		if strings.EqualFold(target, st.PoolFQDN) && mp.Site == site || strings.EqualFold(target, mp.Principal) || strings.EqualFold(target, mp.Mirror) {
			return mp, true
		}
	}
	return pool.MirrorPair{}, false
}

func (s *Server) invokeFailover(ctx context.Context, c *ps.Call) error {
	t := c.String("DatabaseType")
	if err := checkDBType(t); err != nil {
		return err
	}
	target := c.String("PoolFqdn")
	if s.sql != nil {
		// SQL Server says whether the databases are mirrored; the
		// topology only has to define the mirror ("fails if no mirror is
		// configured").
		mp, ok := s.pairFor(target, t)
		if !ok {
			return ruleError(&pool.RuleError{Kind: pool.ErrUnknownPool, Msg: fmt.Sprintf("Pool \"%s\" has no %s databases in the published topology.", target, t)})
		}
		if mp.Mirror == "" {
			return ruleError(&pool.RuleError{Kind: pool.ErrNoMirror, Msg: fmt.Sprintf("Cannot fail over the %s databases of pool \"%s\": the published topology defines no mirror for \"%s\".", t, target, mp.Principal)})
		}
		ok, err := c.ShouldProcess(target, c.Command.Name)
		if err != nil || !ok {
			return err
		}
		if err := s.failoverSQL(ctx, c, target, t); err != nil {
			return err
		}
		_, err = s.pool.RecordFailover(target, t, c.String("NewPrincipal"))
		return ruleError(err)
	}
	if _, err := s.pool.FailoverDatabase(target, t, c.String("NewPrincipal"), true); err != nil {
		return ruleError(err)
	}
	ok, err := c.ShouldProcess(target, c.Command.Name)
	if err != nil || !ok {
		return err
	}
	if _, err := s.pool.FailoverDatabase(target, t, c.String("NewPrincipal"), false); err != nil {
		return ruleError(err)
	}
	return nil
}

// failoverSQL makes the new principal principal on SQL Server: SET
// PARTNER FAILOVER on the current principal (a synchronized session is
// required, as SQL Server requires it); with -Force and the current
// principal unreachable, SET PARTNER FORCE_SERVICE_ALLOW_DATA_LOSS on the
// mirror ("-Force ... also used when the current database is
// inaccessible"). Already principal where asked: nothing to do.
func (s *Server) failoverSQL(ctx context.Context, c *ps.Call, target, dbType string) error {
	mp, _ := s.pairFor(target, dbType)
	name := databaseName(dbType)
	newP, oldP := mp.Mirror, mp.Principal
	if strings.EqualFold(c.String("NewPrincipal"), "Primary") {
		newP, oldP = mp.Principal, mp.Mirror
	}
	ndb, err := s.open(ctx, newP, "")
	if err != nil {
		return err
	}
	nm, err := readMirroring(ctx, ndb, name)
	if err != nil {
		return sqlError("SqlQueryFailed", "Cannot read the mirroring state of \"%s\" on \"%s\": %v", name, newP, err)
	}
	if nm.role == "PRINCIPAL" {
		return nil
	}
	if nm.role != "MIRROR" {
		return sqlError("MirroringNotEnabled", "Database \"%s\" on \"%s\" is not a mirroring partner (state %s): no failover is possible.", name, newP, nm.state)
	}
	q := "ALTER DATABASE " + quoteName(name) + " SET PARTNER FAILOVER"
	odb, err := s.open(ctx, oldP, "")
	if err == nil {
		if _, err = odb.ExecContext(ctx, q); err != nil {
			return sqlError("DatabaseFailoverFailed", "%s on \"%s\" failed: %v", q, oldP, err)
		}
		return nil
	}
	if !c.Switch("Force") {
		return err
	}
	q = "ALTER DATABASE " + quoteName(name) + " SET PARTNER FORCE_SERVICE_ALLOW_DATA_LOSS"
	if _, err := ndb.ExecContext(ctx, q); err != nil {
		return sqlError("DatabaseFailoverFailed", "%s on \"%s\" failed: %v", q, newP, err)
	}
	return nil
}

func quoteName(n string) string { return "[" + strings.ReplaceAll(n, "]", "]]") + "]" }

// mirrorStateText is how Get-CsDatabaseMirrorState shows one side:
// Principal or Mirror, or DatabaseInaccessibleOrMirroringNotEnabled (its
// page's value when no mirror is assigned or the database is out of
// reach), with the session state in lower case and empty then. (The page
// shows only the not-enabled output; lower case is chosen, and checkers
// should compare case-insensitively.)
func mirrorStateText(m dbMirroring, err error) (state, status string) {
	const na = "DatabaseInaccessibleOrMirroringNotEnabled"
	if err != nil || !m.exists || m.role == "" {
		return na, ""
	}
	return strings.ToUpper(m.role[:1]) + strings.ToLower(m.role[1:]), strings.ToLower(m.mstat)
}

func (s *Server) getMirrorState(ctx context.Context, c *ps.Call) error {
	target := strings.TrimSpace(c.String("PoolFqdn"))
	found := false
	for _, dbType := range []string{pool.DBPersistentChat, pool.DBPersistentChatCompliance} {
		if c.Has("DatabaseType") && !strings.EqualFold(dbType, c.String("DatabaseType")) {
			continue
		}
		mp, ok := s.pairFor(target, dbType)
		if !ok {
			continue
		}
		found = true
		name := databaseName(mp.DatabaseType)
		var onP, onM, statP, statM string
		if s.sql != nil {
			read := func(host string) (dbMirroring, error) {
				if host == "" {
					return dbMirroring{}, nil
				}
				db, err := s.open(ctx, host, "")
				if err != nil {
					return dbMirroring{}, err
				}
				return readMirroring(ctx, db, name)
			}
			pm, perr := read(mp.Principal)
			mm, merr := read(mp.Mirror)
			onP, statP = mirrorStateText(pm, perr)
			onM, statM = mirrorStateText(mm, merr)
		} else {
			// No SQL Servers behind the fake: the recorded pair.
			onP, onM, statP, statM = "Principal", "Mirror", "synchronized", "synchronized"
			if mp.OnMirror {
				onP, onM = "Mirror", "Principal"
			}
			if !mp.Mirrored {
				onP, statP = mirrorStateText(dbMirroring{}, nil)
				onM, statM = onP, statP
			}
		}
		c.Emit(ps.NewObject("Microsoft.Rtc.Management.Deployment.DatabaseMirrorState",
			"DatabaseName", name, "StateOnPrimary", onP, "StateOnMirror", onM,
			"MirroringStatusOnPrimary", statP, "MirroringStatusOnSecondary", statM))
	}
	if !found {
		return ruleError(&pool.RuleError{Kind: pool.ErrUnknownPool, Msg: fmt.Sprintf("Pool \"%s\" has no Persistent Chat databases in the published topology.", target)})
	}
	return nil
}

// uninstallMirror is Uninstall-CsMirrorDatabase: mirroring of the type's
// database on the primary SQL Server (-SqlServerFqdn, "the FQDN of the
// primary SQL Server computer") is removed with SET PARTNER OFF; with
// -DropExistingDatabasesOnMirror the mirror's copy, left RESTORING, is
// dropped.
func (s *Server) uninstallMirror(ctx context.Context, c *ps.Call) error {
	t := c.String("DatabaseType")
	if err := checkDBType(t); err != nil {
		return err
	}
	host := strings.TrimSpace(c.String("SqlServerFqdn"))
	var mp pool.MirrorPair
	found := false
	for _, p := range s.pool.State().Databases {
		if strings.EqualFold(p.DatabaseType, t) && strings.EqualFold(p.Principal, host) {
			mp, found = p, true
		}
	}
	if !found {
		return ruleError(&pool.RuleError{Kind: pool.ErrUnknownStore, Msg: fmt.Sprintf("SQL Server \"%s\" is not the primary store of %s databases in the published topology.", host, t)})
	}
	ok, err := c.ShouldProcess(host, c.Command.Name)
	if err != nil || !ok {
		return err
	}
	if s.sql == nil {
		return ps.NewError("NotImplemented", "NotSupportedException", "NoSqlServers",
			"This endpoint has no SQL Servers to uninstall mirroring on (start it with the topology's instances).")
	}
	name := databaseName(t)
	db, err := s.open(ctx, host, c.String("SqlInstanceName"))
	if err != nil {
		return err
	}
	m, err := readMirroring(ctx, db, name)
	if err != nil {
		return sqlError("SqlQueryFailed", "Cannot read the mirroring state of \"%s\" on \"%s\": %v", name, host, err)
	}
	if m.role != "" {
		q := "ALTER DATABASE " + quoteName(name) + " SET PARTNER OFF"
		if _, err := db.ExecContext(ctx, q); err != nil {
			return sqlError("UninstallMirrorFailed", "%s on \"%s\" failed: %v", q, host, err)
		}
	}
	if c.Switch("DropExistingDatabasesOnMirror") && mp.Mirror != "" {
		mdb, err := s.open(ctx, mp.Mirror, c.String("SqlInstanceName"))
		if err != nil {
			return err
		}
		q := "IF DB_ID(N'" + strings.ReplaceAll(name, "'", "''") + "') IS NOT NULL DROP DATABASE " + quoteName(name)
		if _, err := mdb.ExecContext(ctx, q); err != nil {
			return sqlError("UninstallMirrorFailed", "DROP DATABASE %s on \"%s\" failed: %v", quoteName(name), mp.Mirror, err)
		}
	}
	if err := s.pool.RecordUninstall(host, t); err != nil {
		return ruleError(err)
	}
	c.Host(fmt.Sprintf("Mirroring of %s database \"%s\" on \"%s\" is removed.", t, name, host))
	return nil
}

// testDatabase is Test-CsDatabase: for each Persistent Chat database the
// set names on the SQL Server, connect and report ("reports back the
// success or failure of each attempt": a failed connection is a result
// with Succeed False, not an error). -CentralManagementDatabase and
// -LocalService name databases this topology does not model: refused.
func (s *Server) testDatabase(ctx context.Context, c *ps.Call) error {
	switch c.Set {
	case "ByCMS", "ByLocal":
		return ps.NewError("NotImplemented", "NotSupportedException", "NotModelled",
			"Test-CsDatabase -%s: this endpoint models only the Persistent Chat databases; use -DatabaseType PersistentChat or -ConfiguredDatabases.",
			map[string]string{"ByCMS": "CentralManagementDatabase", "ByLocal": "LocalService"}[c.Set])
	}
	host := strings.TrimSpace(c.String("SqlServerFqdn"))
	var types []string
	if c.Set == "ByDatabase" {
		if err := checkDBType(c.String("DatabaseType")); err != nil {
			return err
		}
		types = []string{c.String("DatabaseType")}
	}
	var dbs []string
	for _, p := range s.pool.State().Databases {
		if !strings.EqualFold(p.Principal, host) && !strings.EqualFold(p.Mirror, host) {
			continue
		}
		if len(types) > 0 && !strings.EqualFold(types[0], p.DatabaseType) {
			continue
		}
		if n := databaseName(p.DatabaseType); !slices.Contains(dbs, n) {
			dbs = append(dbs, n)
		}
	}
	if len(dbs) == 0 {
		return ruleError(&pool.RuleError{Kind: pool.ErrUnknownStore, Msg: fmt.Sprintf("SQL Server \"%s\" hosts no Persistent Chat databases in the published topology.", host)})
	}
	ok, err := c.ShouldProcess(host, c.Command.Name)
	if err != nil || !ok {
		return err
	}
	if s.sql == nil {
		return ps.NewError("NotImplemented", "NotSupportedException", "NoSqlServers",
			"This endpoint has no SQL Servers to test (start it with the topology's instances).")
	}
	inst := c.String("SqlInstanceName")
	db, cerr := s.open(ctx, host, inst)
	version := ""
	if cerr == nil {
		if err := db.QueryRowContext(ctx, "SELECT CAST(SERVERPROPERTY('ProductVersion') AS nvarchar(128))").Scan(&version); err != nil {
			cerr = err
		}
	}
	for _, name := range dbs {
		var m dbMirroring
		err := cerr
		if err == nil {
			m, err = readMirroring(ctx, db, name)
			if err == nil && !m.exists {
				err = fmt.Errorf("database %s does not exist", name)
			}
		}
		o := ps.NewObject("Microsoft.Rtc.Management.Deployment.Core.DatabaseTestResult",
			"SqlServerFqdn", host, "SqlInstanceName", inst, "DatabaseName", name,
			"DataSource", host, "SQLServerVersion", version, "MirrorDataSource", strings.TrimPrefix(m.partner, "TCP://"),
			"Succeed", err == nil)
		if err != nil {
			o.Set("Reason", err.Error())
		}
		c.Emit(o)
	}
	return nil
}
