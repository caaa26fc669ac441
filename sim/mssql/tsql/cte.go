package tsql

import "strings"

// cteDef is one common table expression of a WITH clause.
type cteDef struct {
	name  Ident
	query *SelectStmt
	cols  []Ident
	rec   *RecursiveCTE // set when the definition refers to itself
}

// parseWithCTE reads WITH name [(columns)] AS (query) [, ...] SELECT ....
// A non-recursive common table expression is a named derived table, so
// each reference to one becomes a DerivedTable over its query (the AST
// needs nothing new and the engine runs it as any derived table). A
// recursive one, or one ahead of INSERT, UPDATE or DELETE, is refused as
// unsupported rather than misread.
func (p *parser) parseWithCTE() Stmt {
	t := p.next() // WITH
	saved := p.ctes
	defs := make(map[string]*cteDef, len(saved)+1)
	for k, v := range saved {
		defs[k] = v
	}
	p.ctes = defs
	defer func() { p.ctes = saved }()
	local := map[string]bool{}
	var recs []*RecursiveCTE
	for {
		name := p.parseIdent()
		key := strings.ToLower(name.Name)
		if local[key] {
			p.failf(ErrDuplicateCTE, "Duplicate common table expression name '%s' was specified.", name.Name)
		}
		local[key] = true
		var cols []Ident
		if p.acceptOp("(") {
			cols = p.parseIdentList()
			p.expectOp(")")
		}
		p.expectWord("AS")
		outer, outerRec := p.cteDefining, p.cteRec
		p.cteDefining = key
		p.cteRec = &RecursiveCTE{Name: name, Columns: cols, MaxRecursion: -1}
		q := p.parseParenQuery()
		rec := p.recursiveCTE(q)
		p.cteDefining, p.cteRec = outer, outerRec
		defs[key] = &cteDef{name: name, query: q, cols: cols, rec: rec}
		if rec != nil {
			recs = append(recs, rec)
		}
		if !p.acceptOp(",") {
			break
		}
	}
	if !p.isWord("SELECT") {
		p.unsupported(t.Pos.Line, "common table expressions with "+p.tok().Upper)
	}
	s := p.parseSelect()
	if s.MaxRecursion != nil {
		for _, r := range recs {
			r.MaxRecursion = *s.MaxRecursion
		}
	}
	return s
}

// cteRef turns a one-part table name that names a common table expression
// into its derived table; nil when it names none.
func (p *parser) cteRef(name ObjectName) TableSource {
	if len(name.Parts) != 1 || p.ctes == nil && p.cteDefining == "" {
		return nil
	}
	key := strings.ToLower(name.Parts[0].Name)
	if key == p.cteDefining {
		ref := &CTERef{Pos: name.Pos, CTE: p.cteRec, Alias: name.Parts[0], Self: true}
		if a := p.parseAlias(false); a != nil {
			ref.Alias = *a
		}
		return ref
	}
	d := p.ctes[key]
	if d == nil {
		return nil
	}
	if d.rec != nil {
		ref := &CTERef{Pos: name.Pos, CTE: d.rec, Alias: d.name}
		if a := p.parseAlias(false); a != nil {
			ref.Alias = *a
		}
		return ref
	}
	dt := &DerivedTable{Pos: name.Pos, Query: d.query, Alias: d.name, Columns: d.cols}
	if a := p.parseAlias(false); a != nil {
		dt.Alias = *a
	}
	return dt
}
