package engine

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/pchatdr/harness/sim/mssql/rowstore"
	"github.com/pchatdr/harness/sim/mssql/sqltypes"
	"github.com/pchatdr/harness/sim/mssql/storage/rowseg"
)

// walLog is what the engine needs from a database's durable log
// (sim/mssql/storage.Log, adapted in storage_adapter.go). Keeping it an
// interface lets tempdb run without one and tests inject failures.
type walLog interface {
	Append(ctx context.Context, payload []byte) (uint64, error)
	Replay(from uint64, fn func(lsn uint64, payload []byte) error) error
	WriteSnapshot(lsn uint64, write func(io.Writer) error) error
	LatestSnapshot() (lsn uint64, open func() (io.ReadCloser, error), ok bool, err error)
	LastLSN() uint64
	Close() error
}

// Log operations. A commit's payload is a sequence of operations, each
// [kind byte][uvarint length][body]; a snapshot is the same sequence that
// rebuilds the state from nothing, so one decoder serves both.
const (
	opInsert      byte = 1  // table id, row id, row
	opDelete      byte = 2  // table id, row id
	opCreateTable byte = 3  // TableDef JSON
	opDropTable   byte = 4  // table id
	opCounters    byte = 5  // table id, identity, identUsed, next row id (snapshots)
	opIndex       byte = 6  // table id, IndexDef JSON
	opIdentity    byte = 12 // table id, identity value handed out (keepIdentities)
	opDBMeta      byte = 10 // DBMeta JSON (master only)
	opDBDrop      byte = 11 // database id (master only)
)

func appendOp(dst []byte, kind byte, body []byte) []byte {
	dst = append(dst, kind)
	dst = binary.AppendUvarint(dst, uint64(len(body)))
	return append(dst, body...)
}

func encInsert(tableID int, rowID int64, vals []Value) []byte {
	b := make([]byte, 0, 64)
	b = binary.AppendUvarint(b, uint64(tableID))
	b = binary.AppendUvarint(b, uint64(rowID))
	b = sqltypes.AppendRow(b, vals)
	return appendOp(nil, opInsert, b)
}

// appendInsert appends encInsert's bytes for one row to dst, building the
// operation's body in scratch; both come back for reuse, so a full backup
// or a checkpoint encodes millions of rows without two allocations and
// their copies per row (the profile of a 256 MiB failback: a fifth of its
// CPU in encInsert's allocations and the garbage collector behind them).
func appendInsert(dst, scratch []byte, tableID int, rowID int64, vals []Value) (op, body []byte) {
	b := binary.AppendUvarint(scratch[:0], uint64(tableID))
	b = binary.AppendUvarint(b, uint64(rowID))
	b = sqltypes.AppendRow(b, vals)
	return appendOp(dst, opInsert, b), b
}

func encDelete(tableID int, rowID int64) []byte {
	b := binary.AppendUvarint(nil, uint64(tableID))
	b = binary.AppendUvarint(b, uint64(rowID))
	return appendOp(nil, opDelete, b)
}

func encJSON(kind byte, v any) []byte {
	j, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("engine: encode log op: %v", err)) // only plain structs are encoded
	}
	return appendOp(nil, kind, j)
}

func encID(kind byte, id int) []byte {
	return appendOp(nil, kind, binary.AppendUvarint(nil, uint64(id)))
}

var errBadOp = errors.New("engine: malformed log operation")

// forEachOp walks a payload.
func forEachOp(p []byte, fn func(kind byte, body []byte) error) error {
	for len(p) > 0 {
		kind := p[0]
		n, w := binary.Uvarint(p[1:])
		if w <= 0 || uint64(len(p)-1-w) < n {
			return errBadOp
		}
		body := p[1+w : 1+w+int(n)]
		p = p[1+w+int(n):]
		if err := fn(kind, body); err != nil {
			return err
		}
	}
	return nil
}

func readUvarints(b []byte, n int) ([]uint64, []byte, error) {
	out := make([]uint64, n)
	for i := range out {
		v, w := binary.Uvarint(b)
		if w <= 0 {
			return nil, nil, errBadOp
		}
		out[i] = v
		b = b[w:]
	}
	return out, b, nil
}

// applyOp applies one committed operation to d during recovery (no
// transaction, so versions are committed at once).
func (d *Database) applyOp(kind byte, body []byte) error {
	switch kind {
	case opInsert:
		ids, rest, err := readUvarints(body, 2)
		if err != nil {
			return err
		}
		t := d.tablesByID[int(ids[0])]
		if t == nil {
			return fmt.Errorf("engine: insert into unknown table %d: %w", ids[0], errBadOp)
		}
		// A row headed for the segment is decoded only as far as its keys
		// and identity need (its stored bytes are what the segment keeps);
		// any other row is decoded whole. Both check the whole encoding.
		id := int64(ids[1])
		partial := t.SegMayTake(id)
		var vals []Value
		var after []byte
		if partial {
			vals, after, err = sqltypes.ReadRowPart(rest, t.SegCols(), t.SegScratch)
			t.SegScratch = vals
		} else {
			vals, after, err = sqltypes.ReadRow(rest)
		}
		if err != nil {
			return fmt.Errorf("engine: decode row: %w", err)
		}
		t.Forget(id)
		// A restored or recovered row is committed: kept compactly in the
		// table's segment, its stored bytes as they are, when order allows.
		if !t.segAppend(id, rest[:len(rest)-len(after)], vals, d.segRefs, len(body)-len(rest)) {
			if partial {
				// Decoded above without error: cannot fail now.
				if vals, _, err = sqltypes.ReadRow(rest); err != nil {
					return fmt.Errorf("engine: decode row: %w", err)
				}
			}
			t.ApplyCommitted(id, vals)
		}
		t.NoteIdentityOf(vals)
	case opDelete:
		ids, _, err := readUvarints(body, 2)
		if err != nil {
			return err
		}
		if t := d.tablesByID[int(ids[0])]; t != nil {
			t.Forget(int64(ids[1]))
		}
	case opCreateTable:
		var def TableDef
		if err := json.Unmarshal(body, &def); err != nil {
			return fmt.Errorf("engine: decode table: %w", err)
		}
		t := newTable(d, def)
		d.tables[tableKey(def.Schema, def.Name)] = t
		d.tablesByID[def.ID] = t
		if def.ID >= d.nextObject {
			d.nextObject = def.ID + 1
		}
	case opDropTable:
		ids, _, err := readUvarints(body, 1)
		if err != nil {
			return err
		}
		if t := d.tablesByID[int(ids[0])]; t != nil {
			delete(d.tablesByID, t.ID)
			delete(d.tables, tableKey(t.Schema, t.Name))
		}
	case opCounters:
		ids, rest, err := readUvarints(body, 1)
		if err != nil {
			return err
		}
		t := d.tablesByID[int(ids[0])]
		if t == nil {
			return errBadOp
		}
		ident, w := binary.Varint(rest)
		if w <= 0 || len(rest) < w+1 {
			return errBadOp
		}
		t.Identity = ident
		t.IdentUsed = rest[w] == 1
		next, w2 := binary.Varint(rest[w+1:])
		if w2 <= 0 {
			return errBadOp
		}
		if next > t.NextRow {
			t.NextRow = next
		}
	case opIndex:
		ids, rest, err := readUvarints(body, 1)
		if err != nil {
			return err
		}
		t := d.tablesByID[int(ids[0])]
		if t == nil {
			return errBadOp
		}
		var ix IndexDef
		if err := json.Unmarshal(rest, &ix); err != nil {
			return fmt.Errorf("engine: decode index: %w", err)
		}
		t.AddIndex(ix)
	case opIdentity:
		ids, rest, err := readUvarints(body, 1)
		if err != nil {
			return err
		}
		v, w := binary.Varint(rest)
		if w <= 0 {
			return errBadOp
		}
		// A table the log does not know (created by a transaction that
		// had not committed when the value was logged, and never did)
		// has nothing to keep.
		if t := d.tablesByID[int(ids[0])]; t != nil {
			if ic := t.IdentityCol(); ic >= 0 && rowstore.MovesIdentity(t.Identity, t.IdentUsed, v, t.Cols[ic].Incr) {
				t.Identity, t.IdentUsed = v, true
			}
		}
	case opDBMeta, opDBDrop:
		return d.inst.applyMasterOp(kind, body)
	case opModule, opDropModule:
		return d.applyModuleOp(kind, body)
	default:
		return fmt.Errorf("engine: log operation kind %d: %w", kind, errBadOp)
	}
	return nil
}

// stateCopy is a database's committed state captured under the commit
// gate: definitions and counters copied, rows by reference (a row version's
// values never change once created), so the gate is held only for a
// pointer walk and the encoding happens outside it.
type stateCopy struct {
	master []byte
	tables []tableCopy
}

type tableCopy struct {
	def       TableDef
	identity  int64
	identUsed bool
	nextRow   int64
	seg       rowseg.View // segment rows, written before rows
	rows      []*rowVersion
}

func (d *Database) collect() *stateCopy {
	d.mu.RLock()
	defer d.mu.RUnlock()
	sc := &stateCopy{}
	if d.inst.master == d {
		sc.master = d.inst.appendMasterSnapshot(nil)
	}
	// Procedures and views ride ahead of the tables (they refer to none).
	sc.master = append(sc.master, d.encodeModules()...)
	for _, t := range d.sortedTables() {
		if t.createdBy != nil {
			continue
		}
		tc := tableCopy{def: t.committedDef(), identity: t.Identity, identUsed: t.IdentUsed, nextRow: t.NextRow, seg: t.Seg.View()}
		tc.rows = make([]*rowVersion, 0, len(t.Rows)-t.Dead)
		for _, r := range t.Rows {
			if r.CommittedLive() {
				tc.rows = append(tc.rows, r)
			}
		}
		sc.tables = append(sc.tables, tc)
	}
	return sc
}

// committedDef is t's definition without the indexes an open transaction
// created: recovery rolls that transaction back, so a snapshot taken
// during CREATE INDEX's transaction must not bring the index back after a
// crash (caller holds d.mu).
func (t *Table) committedDef() TableDef {
	def := t.TableDef
	if len(t.ixPending) == 0 {
		return def
	}
	def.Indexes = nil
	for _, ix := range t.Indexes {
		if !slices.Contains(t.ixPending, ix.Name) {
			def.Indexes = append(def.Indexes, ix)
		}
	}
	return def
}

func (sc *stateCopy) encode() []byte {
	b := append([]byte(nil), sc.master...)
	for _, t := range sc.tables {
		b = append(b, encJSON(opCreateTable, t.def)...)
		c := binary.AppendUvarint(nil, uint64(t.def.ID))
		c = binary.AppendVarint(c, t.identity)
		if t.identUsed {
			c = append(c, 1)
		} else {
			c = append(c, 0)
		}
		c = binary.AppendVarint(c, t.nextRow)
		b = appendOp(b, opCounters, c)
		_ = putSegInserts(func(p []byte) error { b = append(b, p...); return nil }, t.seg, t.def.ID)
		for _, r := range t.rows {
			b = append(b, encInsert(t.def.ID, r.ID, r.Vals)...)
		}
	}
	return b
}

// liveRows approximates the number of rows a snapshot holds.
func (d *Database) liveRows() int64 {
	d.mu.RLock()
	defer d.mu.RUnlock()
	var n int64
	for _, t := range d.tablesByID {
		n += int64(len(t.Rows) - t.Dead + t.SegLive())
	}
	return n
}

// logOutweighs reports whether d's log since its last snapshot is long
// against the state a snapshot would rewrite (a record for every four
// live rows), so that replaying it would cost more than writing one.
func (d *Database) logOutweighs() bool {
	n := d.sinceCkp.Load()
	return n > 0 && n >= d.liveRows()/4
}

// recover rebuilds d from its latest snapshot and the log after it.
func (d *Database) recover() error {
	if d.log == nil {
		return nil
	}
	from := uint64(1)
	lsn, open, ok, err := d.log.LatestSnapshot()
	if err != nil {
		return fmt.Errorf("read snapshot: %w", err)
	}
	if ok {
		rc, err := open()
		if err != nil {
			return fmt.Errorf("open snapshot: %w", err)
		}
		// Streamed: a snapshot of gigabytes is never held whole beside
		// the state it rebuilds.
		or := newOpReader(rc)
		d.segRefs = d.newSegRefs(or)
		for {
			kind, body, err := or.next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err == nil {
				err = d.applyOp(kind, body)
			}
			if err != nil {
				d.segRefs = nil
				rc.Close()
				return fmt.Errorf("apply snapshot at lsn %d: %w", lsn, err)
			}
		}
		d.segRefs = nil
		rc.Close()
		// The segments read their rows from the snapshot, before the
		// log's records add rows of their own.
		if err := d.resolveSegs(lsn); err != nil {
			return fmt.Errorf("snapshot at lsn %d: %w", lsn, err)
		}
		from = lsn + 1
	}
	return d.log.Replay(from, func(l uint64, p []byte) error {
		if err := forEachOp(p, d.applyOp); err != nil {
			return fmt.Errorf("replay lsn %d: %w", l, err)
		}
		d.sinceCkp.Add(1)
		return nil
	})
}

// checkpoint writes a snapshot of d's committed state to its log.
func (d *Database) checkpoint() error {
	if d.log == nil {
		return nil
	}
	d.ckpMu.Lock()
	defer d.ckpMu.Unlock()
	d.gate.Lock()
	lsn := d.log.LastLSN()
	if lsn == 0 || d.sinceCkp.Load() == 0 {
		d.gate.Unlock()
		return nil // nothing logged since the last snapshot
	}
	state := d.collect()
	d.sinceCkp.Store(0)
	d.gate.Unlock()
	// Streamed, as a full backup's payload is (the same bytes encode
	// builds): a checkpoint of a large database never holds a second copy
	// of it in memory (the profile of a 256 MiB failback spent 17% of its
	// CPU growing that one slice at shutdown).
	return d.log.WriteSnapshot(lsn, func(w io.Writer) error {
		_, err := writeStateBuf(w, state, 64<<10)
		return err
	})
}

// NextIdentity is the row store's, noted for keepIdentities.
func (t *Table) NextIdentity() int64 {
	v := t.Table.NextIdentity()
	t.noteIdentityMoved()
	return v
}

// NoteExplicitIdentity is the row store's, noted for keepIdentities.
func (t *Table) NoteExplicitIdentity(v int64) {
	t.Table.NoteExplicitIdentity(v)
	t.noteIdentityMoved()
}

func (t *Table) noteIdentityMoved() {
	t.identMoved.Store(true)
	if t.db != nil {
		t.db.inst.identMoved.Store(true)
	}
}

// keepIdentities logs, after a rollback, how far the identity counters
// that moved since it last ran have gone. A value handed out is never
// handed out again, even when its insert rolls back or fails (CREATE
// TABLE IDENTITY: "the consumed identity values are lost and won't be
// generated again"): the counter moves outside the transaction, and a
// snapshot keeps it, but the log held only the committed rows, so an
// instance rebuilt from the log alone (after a crash, or a Close that
// leaves a database to its log) handed the values a rolled-back
// transaction or a failed statement took out again
// (TestCrashKeepsHandedOutIdentities). Committed rows carry their values
// in the log already, so logging after rollbacks is enough; the record
// only raises a counter (opIdentity), so a value from before a TRUNCATE
// that commits later, or from one that rolls back, is harmless.
//
// Values an uncommitted transaction holds when the process dies are not
// logged and are handed out again after the restart (SQL Server's
// identity cache jumps instead): a crash test that needs them gone rolls
// back first.
func (inst *Instance) keepIdentities() {
	if !inst.identMoved.Swap(false) {
		return
	}
	for _, db := range inst.sortedDBs() {
		if err := db.keepIdentities(); err != nil {
			inst.logf("engine: keep identities of %s: %v", db.Name(), err)
		}
	}
}

// keepIdentities is Instance.keepIdentities for d. Only a database that
// takes changes of its own logs them: a RESTORING one (a mirror, a
// log-shipping secondary, a principal just demoted) holds the log of
// another database, which a record of its own would break.
func (d *Database) keepIdentities() error {
	m := d.Meta()
	own := m.State == StateOnline && !m.ReadOnly && d.MirroringRole() != MirrorRoleMirror
	var ops []byte
	d.mu.RLock()
	for _, t := range d.tablesByID {
		if t.identMoved.Swap(false) && own && t.IdentUsed {
			b := binary.AppendUvarint(nil, uint64(t.ID))
			ops = appendOp(ops, opIdentity, binary.AppendVarint(b, t.Identity))
		}
	}
	d.mu.RUnlock()
	if len(ops) == 0 {
		return nil
	}
	return d.appendDirect(context.Background(), ops, nil)
}

// appendDirect logs a non-transactional change (database metadata, DDL that
// SQL Server does not allow in a user transaction) and applies it with
// apply under the commit gate, so checkpoints see it exactly once.
func (d *Database) appendDirect(ctx context.Context, op []byte, apply func()) error {
	d.gate.RLock()
	defer d.gate.RUnlock()
	if d.log != nil {
		lsn, err := d.log.Append(context.WithoutCancel(ctx), op)
		if err != nil {
			return fmt.Errorf("log append %s: %w", d.Name(), err)
		}
		d.sinceCkp.Add(1)
		if d.commitHook != nil {
			d.commitHook(lsn, op)
		}
	}
	if apply != nil {
		apply()
	}
	return nil
}
