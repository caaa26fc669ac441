package engine

import (
	"reflect"
	"strings"

	"github.com/pchatdr/harness/sim/mssql/tsql"
)

// Registry is what one instance runs beyond its core (SELECT, DML, DDL,
// control flow): statements, system procedures, catalog views, table-valued
// functions and ALTER DATABASE options. New builds one per instance from
// the instance's features (features.go); nothing is registered at package
// init, so two instances never share a table and a test can build an
// instance with fewer features.
type Registry struct {
	stmts      map[reflect.Type]stmtHandler
	procs      map[string]SystemProc
	views      map[string]*catalogView
	legacy     map[string]string
	tableFuncs map[string]tableFunc
	alterDB    map[string]alterDBOption
	// ext is what features outside the engine install (extension.go).
	ext registryExt
}

// stmtHandler runs a statement kind the core does not (BACKUP, RESTORE,
// endpoints, logins).
type stmtHandler func(sc *scope, st tsql.Stmt) error

// tableFunc computes a table-valued function's rows (sys.dm_os_file_exists).
type tableFunc func(sc *scope, x *tsql.FuncTable) (*source, error)

func newRegistry() *Registry {
	return &Registry{
		stmts:      map[reflect.Type]stmtHandler{},
		procs:      map[string]SystemProc{},
		views:      map[string]*catalogView{},
		legacy:     map[string]string{},
		tableFuncs: map[string]tableFunc{},
		alterDB:    map[string]alterDBOption{},
	}
}

// Statement installs h for statements of st's dynamic type.
func (r *Registry) Statement(st tsql.Stmt, h stmtHandler) { r.stmts[reflect.TypeOf(st)] = h }

// Procedure adds a system procedure (sp_, xp_, msdb's Agent procedures).
func (r *Registry) Procedure(name string, p SystemProc) { r.procs[strings.ToLower(name)] = p }

// View adds a catalog view (sys.*, INFORMATION_SCHEMA.*); its object_id
// follows the order views are added in.
func (r *Registry) View(schema, name string, cols []Column, rows func(sc *scope, db *Database) ([][]Value, error)) {
	v := &catalogView{id: -100 - len(r.views), schema: schema, name: name, cols: cols, rows: rows}
	r.views[strings.ToLower(schema+"."+name)] = v
}

// LegacyView makes sys.target also resolve as a bare (or dbo.) name, as SQL
// Server's compatibility views do (master..sysprocesses).
func (r *Registry) LegacyView(name, target string) { r.legacy[strings.ToLower(name)] = target }

// TableFunc adds a table-valued function under a lower-case name.
func (r *Registry) TableFunc(name string, f tableFunc) { r.tableFuncs[strings.ToLower(name)] = f }

// alterDBOption handles one ALTER DATABASE ... SET option.
type alterDBOption func(sc *scope, db *Database, opt *tsql.Option, x *tsql.AlterDatabaseStmt) error

// AlterDatabaseOption handles ALTER DATABASE ... SET name: the databases
// feature's own options (RECOVERY, SINGLE_USER, OFFLINE, READ_ONLY, ...)
// and other features' (mirroring's PARTNER, WITNESS).
func (r *Registry) AlterDatabaseOption(name string, h alterDBOption) { r.alterDB[name] = h }

func (r *Registry) view(schema, name string) *catalogView {
	return r.views[strings.ToLower(schema+"."+name)]
}

func (r *Registry) stmt(st tsql.Stmt) stmtHandler { return r.stmts[reflect.TypeOf(st)] }
