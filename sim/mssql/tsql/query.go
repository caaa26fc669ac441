package tsql

// parseSelect reads a query: SELECT ... [UNION ...] [ORDER BY ...].
func (p *parser) parseSelect() *SelectStmt {
	p.enter()
	defer p.leave()
	s := &SelectStmt{Pos: p.tok().Pos}
	s.Body = p.parseUnion()
	if p.isWord("ORDER") {
		p.next()
		p.expectWord("BY")
		s.OrderBy = p.parseOrderList()
		if p.isWord("OFFSET") {
			p.next()
			s.Offset = p.parseScalar()
			if !p.acceptWord("ROWS") {
				p.expectWord("ROW")
			}
			if p.isWord("FETCH") {
				p.next()
				if !p.acceptWord("NEXT") {
					p.expectWord("FIRST")
				}
				s.Fetch = p.parseScalar()
				if !p.acceptWord("ROWS") {
					p.expectWord("ROW")
				}
				p.expectWord("ONLY")
			}
		}
	}
	switch {
	case p.isWord("FOR"):
		p.unsupported(p.tok().Pos.Line, "SELECT ... FOR")
	case p.isWord("OPTION") && p.peek(1).isOp("(") && p.peek(2).isWord("MAXRECURSION"):
		s.MaxRecursion = p.parseMaxRecursion()
	case p.isWord("OPTION"):
		p.unsupported(p.tok().Pos.Line, "query hints (OPTION)")
	case p.isWord("COMPUTE"):
		p.unsupported(p.tok().Pos.Line, "COMPUTE")
	}
	return s
}

func (p *parser) parseUnion() QueryExpr {
	left := p.parseIntersect()
	for {
		var op SetOpKind
		switch {
		case p.isWord("UNION"):
			op = SetUnion
			if p.peek(1).isWord("ALL") {
				p.next()
				op = SetUnionAll
			}
		case p.isWord("EXCEPT"):
			op = SetExcept
		default:
			return left
		}
		p.next()
		right := p.parseIntersect()
		left = &SetOpExpr{Pos: left.Position(), Op: op, Left: left, Right: right}
	}
}

func (p *parser) parseIntersect() QueryExpr {
	left := p.parseQueryPrimary()
	for p.isWord("INTERSECT") {
		p.next()
		right := p.parseQueryPrimary()
		left = &SetOpExpr{Pos: left.Position(), Op: SetIntersect, Left: left, Right: right}
	}
	return left
}

func (p *parser) parseQueryPrimary() QueryExpr {
	if p.isOp("(") {
		p.enter()
		defer p.leave()
		p.next()
		q := p.parseSelect()
		p.expectOp(")")
		return q
	}
	if !p.isWord("SELECT") {
		p.fail()
	}
	return p.parseQuerySpec()
}

func (p *parser) parseQuerySpec() *QuerySpec {
	t := p.expectWord("SELECT")
	q := &QuerySpec{Pos: t.Pos}
	if p.acceptWord("DISTINCT") {
		q.Distinct = true
	} else {
		p.acceptWord("ALL")
	}
	if p.isWord("TOP") {
		q.Top = p.parseTop(true)
	}
	q.Items = append(q.Items, p.parseSelectItem())
	for p.acceptOp(",") {
		q.Items = append(q.Items, p.parseSelectItem())
	}
	if p.isWord("INTO") {
		p.unsupported(p.tok().Pos.Line, "SELECT INTO")
	}
	if p.acceptWord("FROM") {
		q.From = p.parseFromList()
	}
	if p.acceptWord("WHERE") {
		q.Where = p.parseCond()
	}
	if p.isWord("GROUP") {
		p.next()
		p.expectWord("BY")
		if p.isWord("ALL") || p.isWord("ROLLUP") || p.isWord("CUBE") || p.isWord("GROUPING") {
			p.unsupported(p.tok().Pos.Line, "GROUP BY "+p.tok().Upper)
		}
		q.GroupBy = p.parseScalarList()
	}
	if p.acceptWord("HAVING") {
		q.Having = p.parseCond()
	}
	return q
}

// parseTop reads TOP (n) | TOP n [PERCENT] [WITH TIES]; bare numbers are only
// allowed in SELECT (withoutParens).
func (p *parser) parseTop(withoutParens bool) *Top {
	t := p.expectWord("TOP")
	top := &Top{Pos: t.Pos}
	if p.isOp("(") {
		p.next()
		top.Parens = true
		top.Count = p.parseScalar()
		p.expectOp(")")
	} else {
		n := p.tok()
		if !withoutParens || (n.Kind != TokInt && n.Kind != TokDecimal && n.Kind != TokFloat) {
			p.fail()
		}
		top.Count = p.parsePrimary(false)
	}
	if p.acceptWord("PERCENT") {
		top.Percent = true
	}
	if p.isWord("WITH") && p.peek(1).isWord("TIES") {
		p.next()
		p.next()
		top.WithTies = true
	}
	return top
}

func (p *parser) isAssignOp(t Token) bool {
	if t.Kind != TokOp {
		return false
	}
	switch t.Raw {
	case "=", "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=":
		return true
	}
	return false
}

func (p *parser) parseSelectItem() *SelectItem {
	t := p.tok()
	it := &SelectItem{Pos: t.Pos}
	switch {
	case t.isOp("*"):
		p.next()
		it.Star = true
		return it
	case t.Kind == TokVar && p.isAssignOp(p.peek(1)):
		p.next()
		it.Var = t.Raw
		it.Op = p.next().Raw
		it.Expr = p.parseScalar()
		return it
	case (t.isName() || t.Kind == TokString || t.Kind == TokNString) && p.peek(1).isOp("="):
		p.next()
		p.next()
		a := identOf(t)
		if t.Kind == TokString || t.Kind == TokNString {
			a.Quoted = true
		}
		it.Alias = &a
		it.AliasEq = true
		it.Expr = p.parseScalar()
		return it
	}
	if end := p.nameEnd(p.pos); end > 0 && p.toks[end].isOp(".") && end+1 < len(p.toks) && p.toks[end+1].isOp("*") {
		q := p.parseObjectName()
		p.expectOp(".")
		p.expectOp("*")
		it.Star = true
		it.Qualifier = &q
		return it
	}
	it.Expr = p.parseScalar()
	it.Alias = p.parseAlias(true)
	return it
}

// parseAlias reads [AS] alias. Column aliases may be strings.
func (p *parser) parseAlias(allowString bool) *Ident {
	t := p.tok()
	as := false
	if t.isWord("AS") {
		as = true
		p.next()
		t = p.tok()
	}
	if t.isName() || (allowString && (t.Kind == TokString || t.Kind == TokNString)) {
		p.next()
		a := identOf(t)
		if t.Kind == TokString || t.Kind == TokNString {
			a.Quoted = true
		}
		return &a
	}
	if as {
		p.fail()
	}
	return nil
}

func (p *parser) parseOrderList() []*OrderItem {
	var items []*OrderItem
	for {
		o := &OrderItem{Pos: p.tok().Pos, Expr: p.parseScalar()}
		if p.acceptWord("DESC") {
			o.Desc = true
		} else {
			p.acceptWord("ASC")
		}
		items = append(items, o)
		if !p.acceptOp(",") {
			return items
		}
	}
}

// ---------------------------------------------------------------------------
// FROM

func (p *parser) parseFromList() []TableSource {
	list := []TableSource{p.parseJoined()}
	for p.acceptOp(",") {
		list = append(list, p.parseJoined())
	}
	return list
}

// parseJoined reads a table source followed by any number of joins.
func (p *parser) parseJoined() TableSource {
	left := p.parseTablePrimary()
	for {
		t := p.tok()
		var kind JoinKind
		switch {
		case t.isWord("JOIN"):
			kind = JoinInner
		case t.isWord("INNER"):
			p.next()
			kind = JoinInner
		case t.isWord("LEFT"), t.isWord("RIGHT"), t.isWord("FULL"):
			p.next()
			p.acceptWord("OUTER")
			kind = map[string]JoinKind{"LEFT": JoinLeft, "RIGHT": JoinRight, "FULL": JoinFull}[t.Upper]
		case t.isWord("CROSS"):
			p.next()
			if p.acceptWord("APPLY") {
				right := p.parseTablePrimary()
				left = &JoinExpr{Pos: left.Position(), Kind: JoinCrossApply, Left: left, Right: right}
				continue
			}
			kind = JoinCross
		case t.isWord("OUTER") && p.peek(1).isWord("APPLY"):
			p.next()
			p.next()
			right := p.parseTablePrimary()
			left = &JoinExpr{Pos: left.Position(), Kind: JoinOuterApply, Left: left, Right: right}
			continue
		default:
			return left
		}
		if p.isWord("HASH") || p.isWord("LOOP") || p.isWord("MERGE") || p.isWord("REMOTE") {
			p.unsupported(p.tok().Pos.Line, "join hints")
		}
		p.expectWord("JOIN")
		j := &JoinExpr{Pos: left.Position(), Kind: kind, Left: left}
		if kind == JoinCross {
			j.Right = p.parseTablePrimary()
		} else {
			j.Right = p.parseJoined()
			p.expectWord("ON")
			j.On = p.parseCond()
		}
		left = j
	}
}

func (p *parser) parseTablePrimary() TableSource {
	p.enter()
	defer p.leave()
	t := p.tok()
	switch {
	case t.isOp("("):
		if p.peek(1).isWord("VALUES") {
			p.next()
			p.next()
			v := &ValuesTable{Pos: t.Pos, Rows: p.parseValuesRows()}
			p.expectOp(")")
			v.Alias, v.Columns = p.parseDerivedAlias()
			return v
		}
		if p.startsQuery() {
			q := p.parseParenQuery()
			d := &DerivedTable{Pos: t.Pos, Query: q}
			d.Alias, d.Columns = p.parseDerivedAlias()
			return d
		}
		p.next()
		inner := p.parseJoined()
		p.expectOp(")")
		return inner
	case t.Kind == TokVar:
		p.next()
		return &TableVarRef{Pos: t.Pos, Name: t.Raw, Alias: p.parseAlias(false)}
	case t.isWord("OPENROWSET"), t.isWord("OPENQUERY"), t.isWord("OPENDATASOURCE"), t.isWord("OPENXML"),
		t.isWord("CONTAINSTABLE"), t.isWord("FREETEXTTABLE"):
		p.unsupported(t.Pos.Line, t.Upper)
	}
	name := p.parseObjectName()
	if ref := p.cteRef(name); ref != nil {
		return ref
	}
	if p.isOp("(") {
		call := p.parseCall(name.Pos, name).(*FuncCall)
		return &FuncTable{Pos: name.Pos, Call: call, Alias: p.parseAlias(false)}
	}
	ref := &TableRef{Pos: name.Pos, Name: name, Alias: p.parseAlias(false)}
	if p.isWord("WITH") && p.peek(1).isOp("(") {
		p.next()
		p.next()
		for {
			h := p.tok()
			if h.Kind != TokIdent {
				p.fail()
			}
			p.next()
			ref.Hints = append(ref.Hints, h.Upper)
			if !p.acceptOp(",") {
				break
			}
		}
		p.expectOp(")")
	}
	if p.isWord("TABLESAMPLE") || p.isWord("PIVOT") || p.isWord("UNPIVOT") {
		p.unsupported(p.tok().Pos.Line, p.tok().Upper)
	}
	return ref
}

// parseDerivedAlias reads the mandatory alias of a derived table and its
// optional column list.
func (p *parser) parseDerivedAlias() (Ident, []Ident) {
	a := p.parseAlias(false)
	if a == nil {
		p.fail()
	}
	var cols []Ident
	if p.isOp("(") {
		p.next()
		cols = p.parseIdentList()
		p.expectOp(")")
	}
	return *a, cols
}

func (p *parser) parseIdentList() []Ident {
	list := []Ident{p.parseIdent()}
	for p.acceptOp(",") {
		list = append(list, p.parseIdent())
	}
	return list
}

// parseValuesRows reads (v, ...), (v, ...) after VALUES.
func (p *parser) parseValuesRows() [][]Expr {
	var rows [][]Expr
	for {
		p.expectOp("(")
		var row []Expr
		for {
			row = append(row, p.parseValueOrDefault())
			if !p.acceptOp(",") {
				break
			}
		}
		p.expectOp(")")
		rows = append(rows, row)
		if !p.acceptOp(",") {
			return rows
		}
	}
}

func (p *parser) parseValueOrDefault() Expr {
	if p.isWord("DEFAULT") {
		return &DefaultExpr{Pos: p.next().Pos}
	}
	return p.parseScalar()
}
