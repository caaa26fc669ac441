package tsql

import "strings"

func (p *parser) parseCreate() Stmt {
	t := p.next()
	switch {
	case p.isWord("TABLE"):
		p.next()
		return p.parseCreateTable(t.Pos)
	case p.isWord("DATABASE"):
		p.next()
		return p.parseCreateDatabase(t.Pos)
	case p.isWord("UNIQUE") || p.isWord("CLUSTERED") || p.isWord("NONCLUSTERED") || p.isWord("INDEX"):
		return p.parseCreateIndex(t.Pos)
	case p.isWord("ENDPOINT"):
		p.next()
		s := &CreateEndpointStmt{Pos: t.Pos, Name: p.parseIdent()}
		p.parseEndpointSpec(&s.EndpointSpec, true)
		return s
	case p.isWord("LOGIN"):
		p.next()
		return p.parseCreateLogin(t.Pos)
	case p.isWord("PROC") || p.isWord("PROCEDURE") || p.isWord("VIEW") || p.isWord("OR"):
		// Not at the start of a batch (parseBatch takes those): inside
		// IF or BEGIN, as SQL Server, a syntax error at the keyword.
		p.fail()
	case p.tok().Kind == TokIdent:
		p.unsupported(t.Pos.Line, "CREATE "+p.tok().Upper)
	}
	p.fail()
	return nil
}

func (p *parser) parseDrop() Stmt {
	t := p.next()
	switch {
	case p.isWord("TABLE"):
		p.next()
		s := &DropTableStmt{Pos: t.Pos, IfExists: p.parseIfExists()}
		for {
			s.Names = append(s.Names, p.parseObjectName())
			if !p.acceptOp(",") {
				return s
			}
		}
	case p.isWord("DATABASE"):
		p.next()
		s := &DropDatabaseStmt{Pos: t.Pos, IfExists: p.parseIfExists()}
		s.Names = p.parseIdentList()
		return s
	case p.isWord("ENDPOINT"):
		p.next()
		return &DropEndpointStmt{Pos: t.Pos, Name: p.parseIdent()}
	case p.isWord("PROC") || p.isWord("PROCEDURE") || p.isWord("VIEW"):
		return p.parseDropModule(t.Pos)
	case p.tok().Kind == TokIdent:
		p.unsupported(t.Pos.Line, "DROP "+p.tok().Upper)
	}
	p.fail()
	return nil
}

func (p *parser) parseIfExists() bool {
	if p.isWord("IF") && p.peek(1).isWord("EXISTS") {
		p.next()
		p.next()
		return true
	}
	return false
}

func (p *parser) parseAlter() Stmt {
	t := p.next()
	switch {
	case p.isWord("DATABASE"):
		p.next()
		return p.parseAlterDatabase(t.Pos)
	case p.isWord("SERVER") && p.peek(1).isWord("ROLE"):
		p.next()
		p.next()
		return p.parseAlterServerRole(t.Pos)
	case p.isWord("ENDPOINT"):
		p.next()
		s := &AlterEndpointStmt{Pos: t.Pos, Name: p.parseIdent()}
		p.parseEndpointSpec(&s.EndpointSpec, false)
		return s
	case p.isWord("PROC") || p.isWord("PROCEDURE") || p.isWord("VIEW"):
		p.fail()
	case p.tok().Kind == TokIdent:
		p.unsupported(t.Pos.Line, "ALTER "+p.tok().Upper)
	}
	p.fail()
	return nil
}

// ---------------------------------------------------------------------------
// CREATE TABLE

func (p *parser) parseCreateTable(pos Pos) Stmt {
	s := &CreateTableStmt{Pos: pos, Name: p.parseObjectName()}
	if p.isWord("AS") {
		p.unsupported(pos.Line, "CREATE TABLE AS")
	}
	p.expectOp("(")
	for {
		if p.isWord("CONSTRAINT") || p.isWord("PRIMARY") || p.isWord("UNIQUE") || p.isWord("CHECK") || p.isWord("FOREIGN") {
			s.Constraints = append(s.Constraints, p.parseTableConstraint())
		} else if p.isWord("INDEX") {
			p.unsupported(p.tok().Pos.Line, "inline INDEX in CREATE TABLE")
		} else {
			s.Columns = append(s.Columns, p.parseColumnDef())
		}
		if !p.acceptOp(",") {
			break
		}
		if p.isOp(")") {
			break // SQL Server accepts a trailing comma in CREATE TABLE
		}
	}
	p.expectOp(")")
	p.parseOnFilegroup()
	// TEXTIMAGE_ON [PRIMARY] (SSMS scripts it): the one filegroup there is.
	if p.isWord("TEXTIMAGE_ON") && (p.peek(1).isWord("PRIMARY") || p.peek(1).Kind == TokQuoted && strings.EqualFold(p.peek(1).Value, "PRIMARY")) {
		p.next()
		p.next()
	}
	if p.isWord("WITH") || p.isWord("TEXTIMAGE_ON") || p.isWord("FILESTREAM_ON") {
		p.unsupported(p.tok().Pos.Line, "CREATE TABLE "+p.tok().Upper)
	}
	return s
}

// parseOnFilegroup accepts ON [PRIMARY] / ON fg after a table or index:
// the simulator has one filegroup, so the clause has no effect.
func (p *parser) parseOnFilegroup() {
	if !p.isWord("ON") {
		return
	}
	n := p.peek(1)
	if n.isWord("PRIMARY") || n.isName() || n.Kind == TokString {
		p.next()
		p.next()
		if p.isOp("(") {
			p.unsupported(n.Pos.Line, "partition schemes")
		}
	}
}

func (p *parser) parseColumnDef() *ColumnDef {
	name := p.parseIdent()
	c := &ColumnDef{Pos: name.Pos, Name: name}
	if p.isWord("AS") {
		p.unsupported(name.Pos.Line, "computed columns")
	}
	c.Typ = p.parseType()
	var constraintName *Ident
	for {
		t := p.tok()
		switch {
		case t.isWord("COLLATE"):
			p.next()
			c.Collation = p.parseIdent().Name
		case t.isWord("IDENTITY"):
			p.next()
			c.Identity = &IdentitySpec{Pos: t.Pos}
			if p.acceptOp("(") {
				c.Identity.Seed = p.parseSignedNumber()
				p.expectOp(",")
				c.Identity.Increment = p.parseSignedNumber()
				p.expectOp(")")
			}
		case t.isWord("NOT") && p.peek(1).isWord("NULL"):
			p.next()
			p.next()
			c.Null = NullNotAllowed
		case t.isWord("NULL"):
			p.next()
			c.Null = NullAllowed
		case t.isWord("CONSTRAINT"):
			p.next()
			n := p.parseIdent()
			constraintName = &n
			continue
		case t.isWord("DEFAULT"):
			p.next()
			c.Default = p.parseScalar()
			c.DefaultName = constraintName
		case t.isWord("PRIMARY"):
			p.next()
			p.expectWord("KEY")
			c.PrimaryKey = true
			c.KeyName = constraintName
			c.Clustered = p.parseClustered()
		case t.isWord("UNIQUE"):
			p.next()
			c.Unique = true
			c.KeyName = constraintName
			c.Clustered = p.parseClustered()
		case t.isWord("CHECK"):
			p.next()
			p.expectOp("(")
			c.Check = p.parseCond()
			p.expectOp(")")
		case t.isWord("ROWGUIDCOL"):
			p.next()
			c.RowGUIDCol = true
		case t.isWord("REFERENCES") || t.isWord("FOREIGN"):
			p.unsupported(t.Pos.Line, "foreign keys")
		case t.isWord("SPARSE") || t.isWord("FILESTREAM") || t.isWord("MASKED") || t.isWord("ENCRYPTED") || t.isWord("GENERATED"):
			p.unsupported(t.Pos.Line, "column option "+t.Upper)
		default:
			if constraintName != nil {
				p.fail()
			}
			return c
		}
		constraintName = nil
	}
}

func (p *parser) parseClustered() string {
	if p.isWord("CLUSTERED") || p.isWord("NONCLUSTERED") {
		return p.next().Upper
	}
	return ""
}

// parseSignedNumber reads [-|+]number (IDENTITY seeds and increments).
func (p *parser) parseSignedNumber() Expr {
	t := p.tok()
	if (t.isOp("-") || t.isOp("+")) && isNumberTok(p.peek(1)) {
		p.next()
		op := UnaryMinus
		if t.Raw == "+" {
			op = UnaryPlus
		}
		return &UnaryExpr{Pos: t.Pos, Op: op, X: p.parsePrimary(false)}
	}
	if !isNumberTok(t) {
		p.fail()
	}
	return p.parsePrimary(false)
}

func (p *parser) parseTableConstraint() *TableConstraint {
	c := &TableConstraint{Pos: p.tok().Pos}
	if p.acceptWord("CONSTRAINT") {
		n := p.parseIdent()
		c.Name = &n
	}
	switch {
	case p.acceptWord("PRIMARY"):
		p.expectWord("KEY")
		c.Kind = ConstraintPrimaryKey
	case p.acceptWord("UNIQUE"):
		c.Kind = ConstraintUnique
	case p.acceptWord("CHECK"):
		c.Kind = ConstraintCheck
		p.expectOp("(")
		c.Check = p.parseCond()
		p.expectOp(")")
		return c
	case p.isWord("FOREIGN"):
		p.unsupported(p.tok().Pos.Line, "foreign keys")
	default:
		p.fail()
	}
	c.Clustered = p.parseClustered()
	c.Columns = p.parseIndexColumns()
	if p.acceptWord("WITH") {
		// SSMS scripts every key as ... WITH (PAD_INDEX = OFF, ...).
		c.Options = p.parseIndexOptions("CREATE TABLE")
	}
	p.parseOnFilegroup()
	return c
}

// indexOptions are the relational index options (CREATE INDEX's WITH
// list, also allowed on PRIMARY KEY and UNIQUE constraints).
var indexOptions = map[string]bool{
	"PAD_INDEX": true, "FILLFACTOR": true, "SORT_IN_TEMPDB": true, "IGNORE_DUP_KEY": true,
	"STATISTICS_NORECOMPUTE": true, "STATISTICS_INCREMENTAL": true, "DROP_EXISTING": true,
	"ONLINE": true, "RESUMABLE": true, "MAX_DURATION": true, "ALLOW_ROW_LOCKS": true,
	"ALLOW_PAGE_LOCKS": true, "OPTIMIZE_FOR_SEQUENTIAL_KEY": true, "MAXDOP": true,
	"DATA_COMPRESSION": true, "XML_COMPRESSION": true,
}

// parseIndexOptions reads ( name = value, ... ) after WITH. A name that is
// no index option is 155 "'X' is not a recognized <stmt> option.".
func (p *parser) parseIndexOptions(stmt string) []*Option {
	p.expectOp("(")
	var opts []*Option
	for {
		o := p.tok()
		if o.Kind != TokIdent && o.Kind != TokQuoted {
			p.fail()
		}
		if !indexOptions[o.Upper] {
			p.failf(ErrNotRecognizedOption, "'%s' is not a recognized %s option.", o.Value, stmt)
		}
		p.next()
		opt := &Option{Pos: o.Pos, Name: o.Upper}
		p.expectOp("=")
		opt.Eq = true
		p.parseOptionValue(opt)
		opts = append(opts, opt)
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
	return opts
}

func (p *parser) parseIndexColumns() []*IndexColumn {
	p.expectOp("(")
	var cols []*IndexColumn
	for {
		n := p.parseIdent()
		ic := &IndexColumn{Pos: n.Pos, Name: n}
		if p.acceptWord("DESC") {
			ic.Desc = true
		} else {
			p.acceptWord("ASC")
		}
		cols = append(cols, ic)
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
	return cols
}

// ---------------------------------------------------------------------------
// CREATE INDEX

func (p *parser) parseCreateIndex(pos Pos) Stmt {
	s := &CreateIndexStmt{Pos: pos}
	if p.acceptWord("UNIQUE") {
		s.Unique = true
	}
	s.Clustered = p.parseClustered()
	if p.isWord("COLUMNSTORE") {
		p.unsupported(pos.Line, "columnstore indexes")
	}
	p.expectWord("INDEX")
	s.Name = p.parseIdent()
	p.expectWord("ON")
	s.Table = p.parseObjectName()
	s.Columns = p.parseIndexColumns()
	if p.acceptWord("INCLUDE") {
		p.expectOp("(")
		s.Include = p.parseIdentList()
		p.expectOp(")")
	}
	if p.acceptWord("WHERE") {
		s.Where = p.parseCond()
	}
	if p.acceptWord("WITH") {
		p.expectOp("(")
		for {
			o := p.tok()
			if o.Kind != TokIdent {
				p.fail()
			}
			p.next()
			opt := &Option{Pos: o.Pos, Name: o.Upper}
			p.expectOp("=")
			opt.Eq = true
			p.parseOptionValue(opt)
			s.Options = append(s.Options, opt)
			if !p.acceptOp(",") {
				break
			}
		}
		p.expectOp(")")
	}
	p.parseOnFilegroup()
	return s
}

// parseOptionValue reads the value after "NAME =": a constant or variable
// into Value, an identifier or keyword into Word (upper-cased); a number may
// carry a size unit.
func (p *parser) parseOptionValue(o *Option) {
	t := p.tok()
	switch t.Kind {
	case TokInt, TokDecimal, TokFloat, TokString, TokNString, TokBinary, TokVar:
		o.Value = p.parsePrimary(false)
		if isNumberTok(t) {
			o.Unit = p.parseSizeUnit()
		}
		return
	case TokOp:
		if t.Raw == "-" && isNumberTok(p.peek(1)) {
			o.Value = p.parseSignedNumber()
			return
		}
	case TokIdent, TokQuoted:
		p.next()
		o.Word = t.Upper
		if t.Kind == TokQuoted {
			o.Word = t.Value
		}
		return
	}
	p.fail()
}

func (p *parser) parseSizeUnit() string {
	t := p.tok()
	switch {
	case t.isWord("KB") || t.isWord("MB") || t.isWord("GB") || t.isWord("TB"):
		p.next()
		return t.Upper
	case t.isOp("%"):
		p.next()
		return "%"
	}
	return ""
}

// ---------------------------------------------------------------------------
// CREATE / ALTER DATABASE

func (p *parser) parseCreateDatabase(pos Pos) Stmt {
	s := &CreateDatabaseStmt{Pos: pos, Name: p.parseIdent()}
	if p.isWord("CONTAINMENT") {
		p.unsupported(pos.Line, "CREATE DATABASE CONTAINMENT")
	}
	if p.acceptWord("ON") {
		p.acceptWord("PRIMARY")
		s.Files = p.parseFileSpecs(true)
	}
	if p.isWord("LOG") {
		p.next()
		p.expectWord("ON")
		s.LogFiles = p.parseFileSpecs(false)
	}
	if p.acceptWord("COLLATE") {
		s.Collation = p.parseIdent().Name
	}
	switch {
	case p.isWord("FOR"):
		p.unsupported(pos.Line, "CREATE DATABASE FOR ATTACH")
	case p.isWord("AS"):
		p.unsupported(pos.Line, "database snapshots")
	case p.isWord("WITH"):
		p.unsupported(pos.Line, "CREATE DATABASE WITH")
	}
	return s
}

// fileSpecOptions are the options a file spec may hold.
var fileSpecOptions = map[string]bool{"NAME": true, "NEWNAME": true, "FILENAME": true, "SIZE": true, "MAXSIZE": true, "FILEGROWTH": true, "OFFLINE": true}

func (p *parser) parseFileSpecs(allowFilegroups bool) []*FileSpec {
	var specs []*FileSpec
	fg := ""
	for {
		if allowFilegroups && p.isWord("FILEGROUP") {
			p.next()
			fg = p.parseIdent().Name
			if p.isWord("CONTAINS") || p.isWord("DEFAULT") {
				p.unsupported(p.tok().Pos.Line, "filegroup options")
			}
		}
		t := p.expectOp("(")
		spec := &FileSpec{Pos: t.Pos, Filegroup: fg}
		for {
			o := p.tok()
			if o.Kind != TokIdent || !fileSpecOptions[o.Upper] {
				p.fail()
			}
			p.next()
			opt := &Option{Pos: o.Pos, Name: o.Upper}
			if o.Upper != "OFFLINE" {
				p.expectOp("=")
				opt.Eq = true
				if o.Upper == "NAME" || o.Upper == "NEWNAME" {
					opt.Value = p.parseNameValue()
				} else {
					p.parseOptionValue(opt)
				}
			}
			spec.Options = append(spec.Options, opt)
			if !p.acceptOp(",") {
				break
			}
		}
		p.expectOp(")")
		specs = append(specs, spec)
		if !p.isOp(",") {
			return specs
		}
		p.next()
	}
}

// parseNameValue reads a name given as an identifier or a string; an
// identifier becomes a StringLit holding its name (case kept).
func (p *parser) parseNameValue() Expr {
	t := p.tok()
	switch {
	case t.Kind == TokString || t.Kind == TokNString || t.Kind == TokVar:
		return p.parsePrimary(false)
	case t.isName():
		p.next()
		return &StringLit{Pos: t.Pos, Raw: t.Raw, Value: t.Value, Unicode: true}
	}
	p.fail()
	return nil
}

// dbOnOffOptions are ALTER DATABASE SET options of the form "NAME ON|OFF".
var dbOnOffOptions = map[string]bool{
	"AUTO_CLOSE": true, "AUTO_SHRINK": true, "AUTO_CREATE_STATISTICS": true, "AUTO_UPDATE_STATISTICS": true,
	"AUTO_UPDATE_STATISTICS_ASYNC": true, "ANSI_NULL_DEFAULT": true, "ANSI_NULLS": true, "ANSI_PADDING": true,
	"ANSI_WARNINGS": true, "ARITHABORT": true, "CONCAT_NULL_YIELDS_NULL": true, "NUMERIC_ROUNDABORT": true,
	"QUOTED_IDENTIFIER": true, "RECURSIVE_TRIGGERS": true, "CURSOR_CLOSE_ON_COMMIT": true,
	"TRUSTWORTHY": true, "DB_CHAINING": true, "ALLOW_SNAPSHOT_ISOLATION": true, "READ_COMMITTED_SNAPSHOT": true,
	"DATE_CORRELATION_OPTIMIZATION": true, "ENCRYPTION": true, "ACCELERATED_DATABASE_RECOVERY": true,
}

// dbWordOptions are ALTER DATABASE SET options "NAME word" with their words.
var dbWordOptions = map[string][]string{
	"RECOVERY":             {"FULL", "SIMPLE", "BULK_LOGGED"},
	"PAGE_VERIFY":          {"CHECKSUM", "TORN_PAGE_DETECTION", "NONE"},
	"CURSOR_DEFAULT":       {"LOCAL", "GLOBAL"},
	"PARAMETERIZATION":     {"SIMPLE", "FORCED"},
	"TARGET_RECOVERY_TIME": nil, // = n SECONDS|MINUTES, handled below
}

// dbStateOptions stand alone.
var dbStateOptions = map[string]bool{
	"SINGLE_USER": true, "MULTI_USER": true, "RESTRICTED_USER": true, "OFFLINE": true, "ONLINE": true,
	"EMERGENCY": true, "READ_ONLY": true, "READ_WRITE": true, "ENABLE_BROKER": true, "DISABLE_BROKER": true,
	"NEW_BROKER": true, "ERROR_BROKER_CONVERSATIONS": true,
}

func (p *parser) parseAlterDatabase(pos Pos) Stmt {
	s := &AlterDatabaseStmt{Pos: pos}
	if p.isWord("CURRENT") {
		p.next()
		s.Current = true
	} else {
		s.Name = p.parseIdent()
	}
	switch {
	case p.acceptWord("MODIFY"):
		if !p.isWord("NAME") {
			if p.tok().Kind == TokIdent {
				p.unsupported(pos.Line, "ALTER DATABASE MODIFY "+p.tok().Upper)
			}
			p.fail()
		}
		p.next()
		p.expectOp("=")
		s.Action = AlterDBModifyName
		s.NewName = p.parseIdent()
		return s
	case p.acceptWord("SET"):
		s.Action = AlterDBSet
	case p.tok().Kind == TokIdent:
		p.unsupported(pos.Line, "ALTER DATABASE "+p.tok().Upper)
	default:
		p.fail()
	}
	mirroring := false
	for {
		o := p.parseDBOption()
		if o.Name == "PARTNER" || o.Name == "WITNESS" {
			if len(s.Options) > 0 {
				p.fail()
			}
			mirroring = true
		} else if mirroring {
			p.fail()
		}
		s.Options = append(s.Options, o)
		if mirroring || !p.acceptOp(",") {
			break
		}
	}
	if !mirroring && p.acceptWord("WITH") {
		switch {
		case p.acceptWord("ROLLBACK"):
			if p.acceptWord("IMMEDIATE") {
				s.Termination = "ROLLBACK IMMEDIATE"
			} else {
				p.expectWord("AFTER")
				s.Termination = "ROLLBACK AFTER"
				t := p.tok()
				if t.Kind != TokInt {
					p.fail()
				}
				s.RollbackAfter = p.parsePrimary(false)
				p.acceptWord("SECONDS")
			}
		case p.acceptWord("NO_WAIT"):
			s.Termination = "NO_WAIT"
		default:
			p.fail()
		}
	}
	return s
}

func (p *parser) parseDBOption() *Option {
	t := p.tok()
	if t.Kind != TokIdent {
		p.fail()
	}
	o := &Option{Pos: t.Pos, Name: t.Upper}
	switch {
	case t.Upper == "PARTNER":
		p.next()
		switch {
		case p.acceptOp("="):
			o.Eq = true
			o.Value = p.parseStringOrVar()
		case p.isWord("OFF") || p.isWord("FAILOVER") || p.isWord("FORCE_SERVICE_ALLOW_DATA_LOSS") ||
			p.isWord("RESUME") || p.isWord("SUSPEND"):
			o.Word = p.next().Upper
		case p.acceptWord("SAFETY"):
			if !p.isWord("FULL") && !p.isWord("OFF") {
				p.fail()
			}
			o.Word = "SAFETY " + p.next().Upper
		case p.acceptWord("TIMEOUT"):
			o.Word = "TIMEOUT"
			if p.tok().Kind != TokInt {
				p.fail()
			}
			o.Value = p.parsePrimary(false)
		default:
			p.fail()
		}
	case t.Upper == "WITNESS":
		p.next()
		if p.acceptOp("=") {
			o.Eq = true
			o.Value = p.parseStringOrVar()
		} else {
			if !p.isWord("OFF") {
				p.fail()
			}
			o.Word = p.next().Upper
		}
	case dbStateOptions[t.Upper]:
		p.next()
	case dbOnOffOptions[t.Upper]:
		p.next()
		o.Word = p.parseOnOff()
	case t.Upper == "TARGET_RECOVERY_TIME":
		p.next()
		p.expectOp("=")
		o.Eq = true
		if p.tok().Kind != TokInt {
			p.fail()
		}
		o.Value = p.parsePrimary(false)
		if !p.isWord("SECONDS") && !p.isWord("MINUTES") {
			p.fail()
		}
		o.Unit = p.next().Upper
	case t.Upper == "COMPATIBILITY_LEVEL":
		p.next()
		p.expectOp("=")
		o.Eq = true
		if p.tok().Kind != TokInt {
			p.fail()
		}
		o.Value = p.parsePrimary(false)
	case dbWordOptions[t.Upper] != nil:
		p.next()
		w := p.tok()
		ok := false
		for _, allowed := range dbWordOptions[t.Upper] {
			ok = ok || w.isWord(allowed)
		}
		if !ok {
			p.fail()
		}
		p.next()
		o.Word = w.Upper
	case t.Upper == "HADR" || t.Upper == "FILESTREAM" || t.Upper == "CONTAINMENT" || t.Upper == "QUERY_STORE" ||
		t.Upper == "CHANGE_TRACKING" || t.Upper == "DELAYED_DURABILITY" || t.Upper == "MEMORY_OPTIMIZED_ELEVATE_TO_SNAPSHOT":
		p.unsupported(t.Pos.Line, "ALTER DATABASE SET "+t.Upper)
	default:
		p.fail()
	}
	return o
}

// parseStringOrVar reads a string constant or a variable.
func (p *parser) parseStringOrVar() Expr {
	t := p.tok()
	if t.Kind != TokString && t.Kind != TokNString && t.Kind != TokVar {
		p.fail()
	}
	return p.parsePrimary(false)
}

// ---------------------------------------------------------------------------
// Endpoints and logins

func (p *parser) parseEndpointSpec(e *EndpointSpec, create bool) {
	any := false
	if p.acceptWord("AUTHORIZATION") {
		n := p.parseIdent()
		e.Authorization = &n
		any = true
	}
	if p.isWord("STATE") {
		p.next()
		p.expectOp("=")
		if !p.isWord("STARTED") && !p.isWord("STOPPED") && !p.isWord("DISABLED") {
			p.fail()
		}
		e.State = p.next().Upper
		any = true
	}
	if p.acceptWord("AS") {
		if !p.isWord("TCP") {
			if p.tok().Kind == TokIdent {
				p.unsupported(p.tok().Pos.Line, "endpoint protocol "+p.tok().Upper)
			}
			p.fail()
		}
		e.Protocol = p.next().Upper
		e.ProtocolOpts = p.parseEndpointOptions(map[string]bool{"LISTENER_PORT": true, "LISTENER_IP": true})
		any = true
	} else if create {
		p.fail()
	}
	if p.acceptWord("FOR") {
		if !p.isWord("DATABASE_MIRRORING") {
			if p.tok().Kind == TokIdent {
				p.unsupported(p.tok().Pos.Line, "endpoint payload "+p.tok().Upper)
			}
			p.fail()
		}
		e.Payload = p.next().Upper
		e.PayloadOptions = p.parseEndpointOptions(map[string]bool{"ROLE": true, "AUTHENTICATION": true, "ENCRYPTION": true})
		any = true
	} else if create {
		p.fail()
	}
	if !any {
		p.fail()
	}
}

// parseEndpointOptions reads ( NAME = value [, ...] ) where value is a
// number, a string, a keyword sequence, or a parenthesised address kept as
// text (LISTENER_IP = (10.0.0.1)).
func (p *parser) parseEndpointOptions(known map[string]bool) []*Option {
	p.expectOp("(")
	var opts []*Option
	for {
		t := p.tok()
		if t.Kind != TokIdent || !known[t.Upper] {
			p.fail()
		}
		p.next()
		o := &Option{Pos: t.Pos, Name: t.Upper}
		p.expectOp("=")
		o.Eq = true
		switch v := p.tok(); {
		case v.isOp("("):
			open := p.next()
			for !p.isOp(")") {
				if p.tok().Kind == TokEOF {
					p.fail()
				}
				p.next()
			}
			close := p.next()
			o.Word = p.src[open.Pos.Offset : close.Pos.Offset+1]
		case v.Kind == TokIdent:
			o.Word = p.wordsUntil(func(Token) bool { return false })
			if p.isWord("CERTIFICATE") {
				p.fail()
			}
		default:
			p.parseOptionValue(o)
		}
		opts = append(opts, o)
		if !p.acceptOp(",") {
			break
		}
	}
	p.expectOp(")")
	return opts
}

var loginOptions = map[string]bool{
	"SID": true, "DEFAULT_DATABASE": true, "DEFAULT_LANGUAGE": true, "CHECK_EXPIRATION": true,
	"CHECK_POLICY": true, "CREDENTIAL": true,
}

func (p *parser) parseCreateLogin(pos Pos) Stmt {
	s := &CreateLoginStmt{Pos: pos, Name: p.parseIdent()}
	if p.acceptWord("FROM") {
		if !p.isWord("WINDOWS") {
			if p.tok().Kind == TokIdent {
				p.unsupported(pos.Line, "CREATE LOGIN FROM "+p.tok().Upper)
			}
			p.fail()
		}
		p.next()
		s.FromWindows = true
		if p.acceptWord("WITH") {
			s.Options = p.parseLoginOptions()
		}
		return s
	}
	p.expectWord("WITH")
	p.expectWord("PASSWORD")
	p.expectOp("=")
	t := p.tok()
	if t.Kind != TokString && t.Kind != TokNString && t.Kind != TokBinary {
		p.fail()
	}
	s.Password = p.parsePrimary(false)
	for p.isWord("HASHED") || p.isWord("MUST_CHANGE") {
		s.Options = append(s.Options, &Option{Pos: p.tok().Pos, Name: p.next().Upper})
	}
	if p.acceptOp(",") {
		s.Options = append(s.Options, p.parseLoginOptions()...)
	}
	return s
}

func (p *parser) parseLoginOptions() []*Option {
	var opts []*Option
	for {
		t := p.tok()
		if t.Kind != TokIdent || !loginOptions[t.Upper] {
			p.fail()
		}
		p.next()
		o := &Option{Pos: t.Pos, Name: t.Upper}
		p.expectOp("=")
		o.Eq = true
		switch t.Upper {
		case "DEFAULT_DATABASE", "DEFAULT_LANGUAGE", "CREDENTIAL":
			o.Value = p.parseNameValue()
		case "CHECK_EXPIRATION", "CHECK_POLICY":
			o.Word = p.parseOnOff()
		default:
			p.parseOptionValue(o)
		}
		opts = append(opts, o)
		if !p.acceptOp(",") {
			return opts
		}
	}
}
