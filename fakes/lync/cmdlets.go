package lync

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/pchatdr/harness/fakes/lync/pool"
	"github.com/pchatdr/harness/fakes/lync/ps"
)

// ModuleName is the module the fake's cmdlets belong to.
const ModuleName = "Lync"

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

// Database types the DatabaseNameType enum offers (the subset relevant to
// back-end stores; only the Persistent Chat ones exist in this topology).
var databaseTypes = []string{"User", "Application", "CentralMgmt", "Archiving", "Monitoring", "PersistentChat", "PersistentChatCompliance"}

func implType(name string) string {
	return "Microsoft.Rtc.Management.Internal." + strings.ReplaceAll(name, "-", "") + "Cmdlet"
}

func (s *Server) registerCmdlets(reg *ps.Registry) {
	// Only the configured product's module: Import-Module of the other one
	// fails as on a real Front End (ps's Import-Module writes PowerShell's
	// Modules_ModuleNotFound error for any module not added here).
	reg.AddModule(s.pool.Config().ProductModule())
	add := func(c *ps.Command) {
		c.Module = ModuleName
		c.ImplementingType = implType(c.Name)
		reg.Register(c)
	}
	add(&ps.Command{
		Name: "Set-CsPersistentChatActiveServer", ShouldProcess: true,
		Params: []ps.Param{
			{Name: "Identity", Kind: ps.KindString, TypeName: typeXdsGlobal, Position: 0},
			{Name: "ActiveServers", Kind: ps.KindAny, TypeName: typeListMod, Position: -1},
			{Name: "Swap", Kind: ps.KindSwitch, Position: -1},
			{Name: "Force", Kind: ps.KindSwitch, Position: -1},
		},
		Run: s.setActiveServer,
	})
	add(&ps.Command{
		Name: "Set-CsPersistentChatState", ShouldProcess: true,
		Params: []ps.Param{
			{Name: "Identity", Kind: ps.KindString, TypeName: typeXdsIdentity, Position: 0},
			{Name: "Instance", Kind: ps.KindAny, TypeName: "System.Management.Automation.PSObject", Position: -1, FromPipeline: true},
			{Name: "PoolState", Kind: ps.KindEnum, TypeName: typePoolState, Enum: []string{"Normal", "FailedOver"}, Position: -1},
			{Name: "Force", Kind: ps.KindSwitch, Position: -1},
		},
		Run: s.setChatState,
	})
	add(&ps.Command{
		Name: "Get-CsPersistentChatState",
		Params: []ps.Param{
			{Name: "Identity", Kind: ps.KindString, TypeName: typeXdsIdentity, Position: 0},
			{Name: "Filter", Kind: ps.KindString, Position: -1},
			{Name: "LocalStore", Kind: ps.KindSwitch, Position: -1},
		},
		Run: s.getChatState,
	})
	add(&ps.Command{
		Name: "Get-CsService",
		Params: []ps.Param{
			{Name: "Identity", Kind: ps.KindString, TypeName: typeXdsGlobal, Position: 0},
			{Name: "PersistentChatServer", Kind: ps.KindSwitch, Position: -1},
			{Name: "PersistentChatStore", Kind: ps.KindSwitch, Position: -1},
			{Name: "Filter", Kind: ps.KindString, Position: -1},
			{Name: "LocalStore", Kind: ps.KindSwitch, Position: -1},
		},
		Run: s.getService,
	})
	add(&ps.Command{
		Name: "Get-CsPool",
		Params: []ps.Param{
			{Name: "Identity", Kind: ps.KindString, TypeName: typeXdsGlobal, Position: 0},
			{Name: "Filter", Kind: ps.KindString, Position: -1},
			{Name: "LocalStore", Kind: ps.KindSwitch, Position: -1},
		},
		Run: s.getPool,
	})
	add(&ps.Command{
		Name: "Install-CsMirrorDatabase", ShouldProcess: true,
		Params: []ps.Param{
			{Name: "ConfiguredDatabases", Kind: ps.KindSwitch, Position: 0},
			{Name: "DatabaseType", Kind: ps.KindEnum, TypeName: typeDBName, Enum: databaseTypes, Position: -1},
			{Name: "FileShare", Kind: ps.KindString, Position: -1, Mandatory: true},
			{Name: "SqlServerFqdn", Kind: ps.KindString, TypeName: typeFqdn, Position: -1, Mandatory: true},
			{Name: "DatabasePathMap", Kind: ps.KindAny, TypeName: "System.Collections.Hashtable", Position: -1},
			{Name: "DropExistingDatabasesOnMirror", Kind: ps.KindSwitch, Position: -1},
			{Name: "ExcludeDatabaseList", Kind: ps.KindStrings, Position: -1},
			{Name: "ForDefaultInstance", Kind: ps.KindSwitch, Position: -1},
			{Name: "ForInstance", Kind: ps.KindString, Position: -1},
			{Name: "Report", Kind: ps.KindString, Position: -1},
			{Name: "SqlInstanceName", Kind: ps.KindString, Position: -1},
		},
		Run: s.installMirror,
	})
	add(&ps.Command{
		Name: "Invoke-CsDatabaseFailover", ShouldProcess: true,
		Params: []ps.Param{
			{Name: "DatabaseType", Kind: ps.KindEnum, TypeName: typeDBName, Enum: databaseTypes, Position: -1, Mandatory: true},
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
			{Name: "DatabaseType", Kind: ps.KindEnum, TypeName: typeDBName, Enum: databaseTypes, Position: -1},
			{Name: "LocalStore", Kind: ps.KindSwitch, Position: -1},
			{Name: "Report", Kind: ps.KindString, Position: -1},
		},
		Run: s.getMirrorState,
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

func (s *Server) serviceObjects(chat, stores bool) []*ps.Object {
	st := s.pool.State()
	cfg := s.pool.Config()
	var out []*ps.Object
	if chat {
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
			"Role", "PersistentChatServer",
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
		props = append(props,
			"ActiveServers", strs(st.ActiveServers),
			"InactiveServers", strs(st.InactiveServers()),
			"Port", int64(5041),
		)
		o := ps.NewObject("Microsoft.Rtc.Management.Xds.DisplayPersistentChatServer", props...)
		o.Display = "PersistentChatServer:" + st.PoolFQDN
		out = append(out, o)
	}
	if stores {
		for _, sto := range cfg.Stores {
			o := ps.NewObject("Microsoft.Rtc.Management.Xds.DisplayPersistentChatStore",
				"Identity", "PersistentChatStore:"+sto.FQDN,
				"SiteId", "Site:"+sto.DataCenter,
				"ServiceId", "1-PersistentChatStore-"+sto.Name,
				"PoolFqdn", sto.FQDN,
				"Role", "PersistentChatStore",
				"TopologyRole", sto.Role,
			)
			o.Display = "PersistentChatStore:" + sto.FQDN
			out = append(out, o)
		}
	}
	return out
}

func (s *Server) getService(_ context.Context, c *ps.Call) error {
	chat, stores := c.Switch("PersistentChatServer"), c.Switch("PersistentChatStore")
	if !chat && !stores {
		chat, stores = true, true
	}
	objs := s.serviceObjects(chat, stores)
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

// setUpMirroring runs the InstallMirror hook for each planned pair, in the
// topology's order, stopping at the first failure as the real cmdlet does
// (databases mirrored before it stay mirrored; the pool records none).
func (s *Server) setUpMirroring(ctx context.Context, c *ps.Call, planned []pool.MirrorPair) error {
	if s.mirrorHook == nil {
		return nil
	}
	for _, p := range planned {
		req := MirrorRequest{DatabaseType: p.DatabaseType, Database: databaseName(p.DatabaseType), Principal: p.Principal, Mirror: p.Mirror,
			SqlInstanceName: c.String("SqlInstanceName"), FileShare: c.String("FileShare"), DropExisting: c.Switch("DropExistingDatabasesOnMirror")}
		if err := s.mirrorHook(ctx, req); err != nil {
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

func (s *Server) invokeFailover(_ context.Context, c *ps.Call) error {
	t := c.String("DatabaseType")
	if err := checkDBType(t); err != nil {
		return err
	}
	target := c.String("PoolFqdn")
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

func (s *Server) getMirrorState(_ context.Context, c *ps.Call) error {
	st := s.pool.State()
	target := strings.TrimSpace(c.String("PoolFqdn"))
	site := pool.SitePrimary
	if st.PoolState == pool.FailedOver {
		site = pool.SiteBackup
	}
	found := false
	for _, mp := range st.Databases {
		if c.Has("DatabaseType") && !strings.EqualFold(mp.DatabaseType, c.String("DatabaseType")) {
			continue
		}
		if !(strings.EqualFold(target, st.PoolFQDN) && mp.Site == site || strings.EqualFold(target, mp.Principal) || strings.EqualFold(target, mp.Mirror)) {
			continue
		}
		found = true
		name := databaseName(mp.DatabaseType)
		onP, onM, status := "Principal", "Mirror", "Synchronized"
		if mp.OnMirror {
			onP, onM = "Mirror", "Principal"
		}
		if !mp.Mirrored {
			onP, onM, status = "DatabaseInaccessibleOrMirroringNotEnabled", "DatabaseInaccessibleOrMirroringNotEnabled", "DatabaseInaccessibleOrMirroringNotEnabled"
		}
		c.Emit(ps.NewObject("Microsoft.Rtc.Management.Deployment.DatabaseMirrorState",
			"DatabaseName", name, "StateOnPrimary", onP, "StateOnMirror", onM,
			"MirroringStatusOnPrimary", status, "MirroringStatusOnSecondary", status))
	}
	if !found {
		return ruleError(&pool.RuleError{Kind: pool.ErrUnknownPool, Msg: fmt.Sprintf("Pool \"%s\" has no Persistent Chat databases in the published topology.", target)})
	}
	return nil
}
