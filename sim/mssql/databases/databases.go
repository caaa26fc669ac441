// Package databases is the database DDL, a feature outside the engine
// (sim/mssql/features wires it in): CREATE DATABASE with its file specs and
// collation, DROP DATABASE, and ALTER DATABASE ... SET with its options
// (RECOVERY, SINGLE_USER/RESTRICTED_USER/MULTI_USER, OFFLINE/ONLINE,
// READ_ONLY/READ_WRITE) and termination clause. The options are
// Registry.AlterDatabaseOption handlers like those of other features
// (mirroring's PARTNER and WITNESS), so the statement dispatches every
// option the same way and security can wrap any of them.
//
// The database itself (creating its storage, dropping it, its metadata and
// log state) is the engine's: this package decides what the statements
// mean and calls Instance.CreateDatabaseCollated, DropDatabase, SetMeta and
// UpdateLogState.
package databases

import (
	"context"
	"errors"
	"time"

	"github.com/pchatdr/harness/sim/mssql/collation"
	"github.com/pchatdr/harness/sim/mssql/engine"
	"github.com/pchatdr/harness/sim/mssql/tsql"
	"github.com/pchatdr/harness/sqlerr"
)

// Databases is the feature.
func Databases() engine.Feature {
	return engine.Feature{Name: "databases", Install: func(r *engine.Registry) {
		r.Statement(&tsql.CreateDatabaseStmt{}, func(sc *engine.Scope, st tsql.Stmt) error {
			return createDatabase(sc, st.(*tsql.CreateDatabaseStmt))
		})
		r.Statement(&tsql.DropDatabaseStmt{}, func(sc *engine.Scope, st tsql.Stmt) error {
			return dropDatabase(sc, st.(*tsql.DropDatabaseStmt))
		})
		r.Statement(&tsql.AlterDatabaseStmt{}, func(sc *engine.Scope, st tsql.Stmt) error {
			return alterDatabase(sc, st.(*tsql.AlterDatabaseStmt))
		})
		installOptions(r)
	}}
}

func createDatabase(sc *engine.Scope, x *tsql.CreateDatabaseStmt) error {
	if sc.InTransaction() {
		return newErr(sqlerr.NotAllowedInTransaction, "CREATE DATABASE")
	}
	coll, err := engine.LookupCollation(x.Collation, collation.Default)
	if err != nil {
		return err
	}
	files, err := fileSpecs(sc, x)
	if err != nil {
		return err
	}
	if _, err := sc.Instance().CreateDatabaseCollated(sc.Context(), x.Name.Name, coll, files...); err != nil {
		return err
	}
	return sc.OK()
}

func dropDatabase(sc *engine.Scope, x *tsql.DropDatabaseStmt) error {
	if sc.InTransaction() {
		return newErr(sqlerr.NotAllowedInTransaction, "DROP DATABASE")
	}
	inst := sc.Instance()
	for _, n := range x.Names {
		db := inst.DB(n.Name)
		if db == nil {
			if x.IfExists {
				continue
			}
			return newErr(sqlerr.CannotDropNotFound, "database", n.Name)
		}
		if db.IsSystem() {
			return newErr(sqlerr.CannotDropSystemObject, "database", db.Name(), "database")
		}
		if db.IsMirrored() {
			return newErr(sqlerr.MirroredCannotDrop, db.Name())
		}
		// Any session in it, the caller's own included, is 3702.
		if len(inst.SessionsIn(db)) > 0 {
			return newErr(sqlerr.DatabaseInUseDrop, db.Name())
		}
		if err := inst.DropDatabase(sc.Context(), db); err != nil {
			return sc.LogFailure(err)
		}
	}
	return sc.OK()
}

// alterDatabase runs ALTER DATABASE ... SET: each option through its
// Registry handler; an option's error of severity above 10 is followed by
// 5069 (ALTER DATABASE statement failed), as SQL Server reports it.
func alterDatabase(sc *engine.Scope, x *tsql.AlterDatabaseStmt) error {
	if sc.InTransaction() {
		return newErr(sqlerr.NotAllowedInTransaction, "ALTER DATABASE")
	}
	inst := sc.Instance()
	db := sc.Session().CurrentDatabase()
	if !x.Current {
		db = inst.DB(x.Name.Name)
	}
	if db == nil {
		if err := sc.Message(newErr(sqlerr.AlterDatabaseDenied, x.Name.Name)); err != nil {
			return err
		}
		return newErr(sqlerr.AlterDatabaseFailed)
	}
	if x.Action == tsql.AlterDBModifyName {
		return newErr(sqlerr.Message, "ALTER DATABASE ... MODIFY NAME is not supported by the simulator.")
	}
	for _, opt := range x.Options {
		if err := alterOption(sc, db, opt, x); err != nil {
			var e *engine.Error
			if errors.As(err, &e) && e.Number != sqlerr.AlterDatabaseFailed && e.Class > 10 {
				if err := sc.Message(e); err != nil {
					return err
				}
				return newErr(sqlerr.AlterDatabaseFailed)
			}
			return err
		}
	}
	return sc.OK()
}

func alterOption(sc *engine.Scope, db *engine.Database, opt *tsql.Option, x *tsql.AlterDatabaseStmt) error {
	if h := sc.Instance().AlterDatabaseOption(opt.Name); h != nil {
		return h(sc, db, opt, x)
	}
	return newErr(sqlerr.Message, "ALTER DATABASE option "+opt.Name+" is not supported by the simulator.")
}

// installOptions adds the SET options the database itself has.
func installOptions(r *engine.Registry) {
	r.AlterDatabaseOption("RECOVERY", setRecovery)
	for _, name := range []string{"SINGLE_USER", "RESTRICTED_USER", "MULTI_USER"} {
		r.AlterDatabaseOption(name, setUserAccess)
	}
	r.AlterDatabaseOption("OFFLINE", setOffline)
	r.AlterDatabaseOption("ONLINE", setOnline)
	r.AlterDatabaseOption("READ_ONLY", setReadOnly)
	r.AlterDatabaseOption("READ_WRITE", setReadOnly)
}

func setRecovery(sc *engine.Scope, db *engine.Database, opt *tsql.Option, _ *tsql.AlterDatabaseStmt) error {
	var rm engine.RecoveryModel
	switch opt.Word {
	case "FULL":
		rm = engine.RecoveryFull
	case "SIMPLE":
		rm = engine.RecoverySimple
	case "BULK_LOGGED":
		rm = engine.RecoveryBulkLogged
	default:
		return newErr(sqlerr.SyntaxError, opt.Word)
	}
	if db.ID() == engine.TempdbID && rm != engine.RecoverySimple {
		return newErr(sqlerr.OptionNotSettable, "RECOVERY", "tempdb")
	}
	if err := db.OpenError(); err != nil {
		return err
	}
	if rm != engine.RecoveryFull && db.IsMirrored() {
		// Mirroring needs the FULL recovery model on the principal.
		return newErr(sqlerr.InvolvedInMirroring, db.Name())
	}
	inst := sc.Instance()
	if rm == engine.RecoverySimple {
		// Switching to SIMPLE breaks the log backup chain, as on SQL
		// Server: the log is truncated at checkpoints from now on, and
		// the next BACKUP LOG (even after switching back to FULL) fails
		// with 4214 until a new full backup starts a new chain.
		err := inst.UpdateLogState(sc.Context(), db, func(m *engine.DBMeta, ls *engine.LogState) {
			m.Recovery = rm
			ls.ChainStart, ls.LastLogBackupEnd = 0, 0
		})
		if err == nil {
			db.HoldLogForBackup()
		}
		return err
	}
	return inst.SetMeta(sc.Context(), db, func(m *engine.DBMeta) { m.Recovery = rm })
}

func setUserAccess(sc *engine.Scope, db *engine.Database, opt *tsql.Option, x *tsql.AlterDatabaseStmt) error {
	ua := map[string]engine.UserAccess{"SINGLE_USER": engine.SingleUser, "RESTRICTED_USER": engine.RestrictedUser,
		"MULTI_USER": engine.MultiUser}[opt.Name]
	if ua != engine.MultiUser {
		if err := exclusive(sc, db, x); err != nil {
			return err
		}
	}
	return sc.Instance().SetMeta(sc.Context(), db, func(m *engine.DBMeta) { m.UserAccess = ua })
}

func setOffline(sc *engine.Scope, db *engine.Database, opt *tsql.Option, x *tsql.AlterDatabaseStmt) error {
	if db.IsSystem() {
		return newErr(sqlerr.OptionNotSettable, "OFFLINE", db.Name())
	}
	if err := exclusive(sc, db, x); err != nil {
		return err
	}
	inst := sc.Instance()
	if err := inst.SetMeta(sc.Context(), db, func(m *engine.DBMeta) { m.State = engine.StateOffline }); err != nil {
		return err
	}
	if s := sc.Session(); s.CurrentDatabase() == db {
		s.SetDatabase(inst.Master())
	}
	return nil
}

func setOnline(sc *engine.Scope, db *engine.Database, _ *tsql.Option, _ *tsql.AlterDatabaseStmt) error {
	if db.Meta().State == engine.StateRestoring {
		return newErr(sqlerr.NotPermittedRestoring, "ONLINE")
	}
	return sc.Instance().SetMeta(sc.Context(), db, func(m *engine.DBMeta) { m.State = engine.StateOnline })
}

func setReadOnly(sc *engine.Scope, db *engine.Database, opt *tsql.Option, x *tsql.AlterDatabaseStmt) error {
	if err := db.OpenError(); err != nil {
		return err
	}
	if err := exclusive(sc, db, x); err != nil {
		return err
	}
	ro := opt.Name == "READ_ONLY"
	return sc.Instance().SetMeta(sc.Context(), db, func(m *engine.DBMeta) { m.ReadOnly = ro })
}

// exclusive gets the database for the issuing session alone, per the
// termination clause: ROLLBACK IMMEDIATE kills the other sessions in the
// database, ROLLBACK AFTER n SECONDS waits that long for them to leave and
// then kills them, NO_WAIT fails with 5070, and no clause waits for them
// to leave.
func exclusive(sc *engine.Scope, db *engine.Database, x *tsql.AlterDatabaseStmt) error {
	inst, me := sc.Instance(), sc.Session()
	others := func() bool {
		for _, id := range inst.SessionsIn(db) {
			if id != me.ID() {
				return true
			}
		}
		return false
	}
	switch x.Termination {
	case "ROLLBACK IMMEDIATE":
		inst.KillUsersOf(db, me)
		return nil
	case "ROLLBACK AFTER":
		secs, err := sc.ConstInt(x.RollbackAfter, 0)
		if err != nil {
			return err
		}
		deadline := time.Now().Add(time.Duration(secs) * time.Second)
		if err := waitUntil(sc.Context(), deadline, func() bool { return !others() }); err != nil {
			return err
		}
		inst.KillUsersOf(db, me)
		return nil
	case "NO_WAIT":
		if others() {
			return newErr(sqlerr.DatabaseStateInUse, db.Name())
		}
		return nil
	}
	return waitUntil(sc.Context(), time.Time{}, func() bool { return !others() })
}

// waitUntil polls cond until it holds, the deadline passes (zero: never) or
// ctx ends.
func waitUntil(ctx context.Context, deadline time.Time, cond func() bool) error {
	t := time.NewTicker(20 * time.Millisecond)
	defer t.Stop()
	for !cond() {
		if !deadline.IsZero() && time.Now().After(deadline) {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
	return nil
}

// fileSpecs turns CREATE DATABASE ... ON (NAME = ..., FILENAME = ...,
// SIZE = ...) LOG ON (...) into the database's file list; unnamed parts
// get SQL Server's defaults (<db>, <db>_log under DataPath).
func fileSpecs(sc *engine.Scope, x *tsql.CreateDatabaseStmt) ([]engine.DBFile, error) {
	if len(x.Files) == 0 && len(x.LogFiles) == 0 {
		return nil, nil
	}
	def := engine.DBMeta{Name: x.Name.Name}.DBFiles()
	var out []engine.DBFile
	add := func(specs []*tsql.FileSpec, typ int, base engine.DBFile) error {
		if len(specs) == 0 {
			base.FileID = len(out) + 1
			base.Type = typ
			out = append(out, base)
			return nil
		}
		for _, fs := range specs {
			f := base
			f.FileID = len(out) + 1
			f.Type = typ
			if len(out) > 0 && typ == 0 {
				f.Name, f.Physical = "", "" // further data files name themselves
			}
			for _, o := range fs.Options {
				var v engine.Value
				if o.Value != nil {
					var err error
					if v, err = sc.EvalScalar(o.Value); err != nil {
						return err
					}
				}
				str, _ := v.(string)
				if str == "" {
					str = o.Word
				}
				switch o.Name {
				case "NAME":
					f.Name = str
				case "FILENAME":
					f.Physical = str
				case "SIZE":
					if n, ok := engine.IntValue(v); ok {
						switch o.Unit {
						case "GB":
							n *= 1024 * 128
						case "KB":
							n /= 8
						default:
							n *= 128
						}
						f.SizePages = n
					}
				}
			}
			if f.Name == "" {
				return newErr(sqlerr.SyntaxError, "(")
			}
			out = append(out, f)
		}
		return nil
	}
	if err := add(x.Files, 0, def[0]); err != nil {
		return nil, err
	}
	if err := add(x.LogFiles, 1, def[1]); err != nil {
		return nil, err
	}
	return out, nil
}

func newErr(n int32, args ...any) *engine.Error { return sqlerr.New(n, args...) }
