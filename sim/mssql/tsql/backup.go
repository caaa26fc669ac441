package tsql

// optShape says how a BACKUP/RESTORE WITH option is written.
type optShape int

const (
	optFlag     optShape = iota + 1 // NAME
	optValue                        // NAME = value
	optMaybeVal                     // NAME [= value]
	optMove                         // MOVE 'logical' TO 'path'
	optMark                         // STOPATMARK = 'mark' [AFTER 'datetime']
)

// backupOptions are the WITH options of BACKUP DATABASE/LOG (docs:
// backup-transact-sql.md). Options not listed are syntax errors.
var backupOptions = map[string]optShape{
	"INIT": optFlag, "NOINIT": optFlag, "FORMAT": optFlag, "NOFORMAT": optFlag, "SKIP": optFlag,
	"NOSKIP": optFlag, "CHECKSUM": optFlag, "NO_CHECKSUM": optFlag, "COPY_ONLY": optFlag,
	"COMPRESSION": optFlag, "NO_COMPRESSION": optFlag, "REWIND": optFlag, "NOREWIND": optFlag,
	"UNLOAD": optFlag, "NOUNLOAD": optFlag, "NO_TRUNCATE": optFlag, "NORECOVERY": optFlag,
	"DIFFERENTIAL": optFlag, "CONTINUE_AFTER_ERROR": optFlag, "STOP_ON_ERROR": optFlag, "RESTART": optFlag,
	"NAME": optValue, "DESCRIPTION": optValue, "STANDBY": optValue, "MEDIANAME": optValue,
	"MEDIADESCRIPTION": optValue, "MEDIAPASSWORD": optValue, "PASSWORD": optValue, "EXPIREDATE": optValue,
	"RETAINDAYS": optValue, "BLOCKSIZE": optValue, "BUFFERCOUNT": optValue, "MAXTRANSFERSIZE": optValue,
	"STATS": optMaybeVal,
}

// restoreOptions are the WITH options of RESTORE DATABASE/LOG (docs:
// restore-statements-arguments-transact-sql.md).
var restoreOptions = map[string]optShape{
	"REPLACE": optFlag, "RECOVERY": optFlag, "NORECOVERY": optFlag, "CHECKSUM": optFlag,
	"NO_CHECKSUM": optFlag, "RESTRICTED_USER": optFlag, "KEEP_REPLICATION": optFlag, "KEEP_CDC": optFlag,
	"REWIND": optFlag, "NOREWIND": optFlag, "UNLOAD": optFlag, "NOUNLOAD": optFlag, "RESTART": optFlag,
	"PARTIAL": optFlag, "CONTINUE_AFTER_ERROR": optFlag, "STOP_ON_ERROR": optFlag, "ENABLE_BROKER": optFlag,
	"ERROR_BROKER_CONVERSATIONS": optFlag, "NEW_BROKER": optFlag,
	"FILE": optValue, "STANDBY": optValue, "MEDIANAME": optValue, "MEDIAPASSWORD": optValue,
	"PASSWORD": optValue, "BLOCKSIZE": optValue, "BUFFERCOUNT": optValue, "MAXTRANSFERSIZE": optValue,
	"STOPAT": optValue, "STOPATMARK": optMark, "STOPBEFOREMARK": optMark,
	"STATS": optMaybeVal, "MOVE": optMove,
}

// restoreInfoOptions are the WITH options of RESTORE HEADERONLY,
// FILELISTONLY and LABELONLY.
var restoreInfoOptions = map[string]optShape{
	"FILE": optValue, "PASSWORD": optValue, "MEDIANAME": optValue, "MEDIAPASSWORD": optValue,
	"CHECKSUM": optFlag, "NO_CHECKSUM": optFlag, "CONTINUE_AFTER_ERROR": optFlag, "STOP_ON_ERROR": optFlag,
	"REWIND": optFlag, "NOREWIND": optFlag, "UNLOAD": optFlag, "NOUNLOAD": optFlag,
}

// restoreVerifyOptions are the WITH options of RESTORE VERIFYONLY.
var restoreVerifyOptions = func() map[string]optShape {
	m := map[string]optShape{"LOADHISTORY": optFlag, "MOVE": optMove, "STATS": optMaybeVal}
	for k, v := range restoreInfoOptions {
		m[k] = v
	}
	return m
}()

func (p *parser) parseBackup() Stmt {
	t := p.next()
	s := &BackupStmt{Pos: t.Pos}
	switch {
	case p.acceptWord("DATABASE"):
	case p.acceptWord("LOG"):
		s.Log = true
	case p.tok().Kind == TokIdent:
		p.unsupported(t.Pos.Line, "BACKUP "+p.tok().Upper)
	default:
		p.fail()
	}
	s.DB, s.DBVar = p.parseDBTarget()
	if p.isWord("FILE") || p.isWord("FILEGROUP") || p.isWord("READ_WRITE_FILEGROUPS") {
		p.unsupported(t.Pos.Line, "file and filegroup backups")
	}
	p.expectWord("TO")
	s.Devices = p.parseDevices()
	if p.isWord("MIRROR") {
		p.unsupported(t.Pos.Line, "BACKUP ... MIRROR TO")
	}
	if p.acceptWord("WITH") {
		s.Options = p.parseWithOptions(backupOptions, "BACKUP")
	}
	return s
}

func (p *parser) parseRestore() Stmt {
	t := p.next()
	s := &RestoreStmt{Pos: t.Pos}
	known := restoreOptions
	switch {
	case p.acceptWord("DATABASE"):
		s.Kind = RestoreDatabase
	case p.acceptWord("LOG"):
		s.Kind = RestoreLog
	case p.acceptWord("HEADERONLY"):
		s.Kind, known = RestoreHeaderOnly, restoreInfoOptions
	case p.acceptWord("FILELISTONLY"):
		s.Kind, known = RestoreFileListOnly, restoreInfoOptions
	case p.acceptWord("LABELONLY"):
		s.Kind, known = RestoreLabelOnly, restoreInfoOptions
	case p.acceptWord("VERIFYONLY"):
		s.Kind, known = RestoreVerifyOnly, restoreVerifyOptions
	case p.tok().Kind == TokIdent:
		p.unsupported(t.Pos.Line, "RESTORE "+p.tok().Upper)
	default:
		p.fail()
	}
	if s.Kind == RestoreDatabase || s.Kind == RestoreLog {
		s.DB, s.DBVar = p.parseDBTarget()
		if p.isWord("FILE") || p.isWord("FILEGROUP") || p.isWord("PAGE") || p.isWord("READ_WRITE_FILEGROUPS") {
			p.unsupported(t.Pos.Line, "file, filegroup and page restores")
		}
		if p.acceptWord("FROM") {
			if p.isWord("DATABASE_SNAPSHOT") {
				p.unsupported(t.Pos.Line, "RESTORE FROM DATABASE_SNAPSHOT")
			}
			s.From = p.parseDevices()
		}
	} else {
		p.expectWord("FROM")
		s.From = p.parseDevices()
	}
	if p.acceptWord("WITH") {
		s.Options = p.parseWithOptions(known, "RESTORE")
	}
	return s
}

// parseDBTarget reads the database of BACKUP/RESTORE: a name or a variable.
func (p *parser) parseDBTarget() (Ident, string) {
	if p.tok().Kind == TokVar {
		return Ident{}, p.next().Raw
	}
	return p.parseIdent(), ""
}

// parseDevices reads DISK|TAPE|URL = 'x'|@v [, ...] or logical device names.
func (p *parser) parseDevices() []*BackupDevice {
	var list []*BackupDevice
	for {
		t := p.tok()
		d := &BackupDevice{Pos: t.Pos}
		switch {
		case (t.isWord("DISK") || t.isWord("TAPE") || t.isWord("URL")) && p.peek(1).isOp("="):
			p.next()
			p.next()
			d.Kind = t.Upper
			d.Target = p.parseStringOrVar()
		case t.Kind == TokVar:
			p.next()
			d.Target = &VarRef{Pos: t.Pos, Name: t.Raw}
		default:
			n := p.parseIdent()
			d.Logical = &n
		}
		list = append(list, d)
		if !p.acceptOp(",") {
			return list
		}
	}
}

// parseWithOptions reads option [, ...] after WITH, validating each name
// against known.
// An identifier that is no BACKUP or RESTORE option at all is error 155
// ("'X' is not a recognized BACKUP option."), as SQL Server reports it; an
// option of the other statement, or anything else out of place, is a
// syntax error.
func (p *parser) parseWithOptions(known map[string]optShape, stmt string) []*Option {
	var opts []*Option
	for {
		t := p.tok()
		shape, ok := known[t.Upper]
		if t.Kind != TokIdent || !ok {
			if t.Kind == TokIdent && (t.Upper == "ENCRYPTION" || t.Upper == "CREDENTIAL" || t.Upper == "FILESTREAM") {
				p.unsupported(t.Pos.Line, "WITH "+t.Upper)
			}
			_, inBackup := backupOptions[t.Upper]
			_, inRestore := restoreOptions[t.Upper]
			if t.Kind == TokIdent && !t.Keyword && !inBackup && !inRestore {
				p.failf(ErrNotRecognizedOption, "'%s' is not a recognized %s option.", t.Value, stmt)
			}
			p.fail()
		}
		p.next()
		o := &Option{Pos: t.Pos, Name: t.Upper}
		switch shape {
		case optValue:
			p.expectOp("=")
			o.Eq = true
			o.Value = p.parseBackupValue()
		case optMaybeVal:
			if p.acceptOp("=") {
				o.Eq = true
				o.Value = p.parseBackupValue()
			}
		case optMove:
			o.Value = p.parseStringOrVar()
			p.expectWord("TO")
			o.To = p.parseStringOrVar()
		case optMark:
			p.expectOp("=")
			o.Eq = true
			o.Value = p.parseStringOrVar()
			if p.acceptWord("AFTER") {
				o.To = p.parseStringOrVar()
			}
		}
		opts = append(opts, o)
		if !p.acceptOp(",") {
			return opts
		}
	}
}

// parseBackupValue reads a constant or variable option value.
func (p *parser) parseBackupValue() Expr {
	t := p.tok()
	switch t.Kind {
	case TokInt, TokDecimal, TokString, TokNString, TokBinary, TokVar:
		return p.parsePrimary(false)
	}
	p.fail()
	return nil
}
