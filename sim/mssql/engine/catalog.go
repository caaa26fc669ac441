package engine

import (
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
)

// catalogView is a virtual table computed on read from the instance's
// state: it is queried with WHERE, JOIN and aliases like any table, in any
// database (db.sys.x reads database db's view).
type catalogView struct {
	id     int
	schema string
	name   string
	cols   []Column
	rows   func(sc *scope, db *Database) ([][]Value, error)
}

func col(name string, t Type, nullable bool) Column {
	return Column{Name: name, Type: t, Nullable: nullable}
}

var (
	tInt  = sqltypes.TypeInt
	tSm   = sqltypes.TypeSmallInt
	tTiny = sqltypes.TypeTinyInt
	tBig  = sqltypes.TypeBigInt
)

func nv(n int) Type { return sqltypes.NVarChar(n) }

// DBFile is one database file as sys.database_files shows it.
type DBFile struct {
	FileID    int    `json:"file_id"`
	Type      int    `json:"type"` // 0 ROWS, 1 LOG
	Name      string `json:"name"`
	Physical  string `json:"physical"`
	SizePages int64  `json:"size"`
}

// DataPath is where the simulated instance says its files are.
const DataPath = "/var/opt/mssql/data/"

// Files returns the database's files (MOVE in RESTORE changes them via
// DBMeta.Files).
func (m DBMeta) DBFiles() []DBFile {
	if len(m.Files) > 0 {
		return m.Files
	}
	data, log := m.Name, m.Name+"_log"
	pdata, plog := DataPath+m.Name+".mdf", DataPath+m.Name+"_log.ldf"
	switch m.Name {
	case "master":
		data, log, pdata, plog = "master", "mastlog", DataPath+"master.mdf", DataPath+"mastlog.ldf"
	case "tempdb":
		data, log, pdata, plog = "tempdev", "templog", DataPath+"tempdb.mdf", DataPath+"templog.ldf"
	case "model":
		data, log, pdata, plog = "modeldev", "modellog", DataPath+"model.mdf", DataPath+"modellog.ldf"
	case "msdb":
		data, log, pdata, plog = "MSDBData", "MSDBLog", DataPath+"MSDBData.mdf", DataPath+"MSDBLog.ldf"
	}
	return []DBFile{{FileID: 1, Type: 0, Name: data, Physical: pdata, SizePages: 1024}, {FileID: 2, Type: 1, Name: log, Physical: plog, SizePages: 1024}}
}

// tablesOf lists the definitions of db's tables visible to the session
// (copies taken under the lock: CREATE INDEX changes a definition).
func (sc *scope) tablesOf(db *Database) []TableDef {
	db.mu.RLock()
	defer db.mu.RUnlock()
	var out []TableDef
	for _, t := range db.sortedTables() {
		if db.listed(t, sc.s.tx) {
			out = append(out, t.TableDef)
		}
	}
	return out
}
