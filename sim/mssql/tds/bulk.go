package tds

import "fmt"

// Tokens of a BULK_LOAD message besides COLMETADATA, ROW and DONE.
const TokenNBCRow = 0xD2 // ROW with a null bitmap (TDS 7.3+)

// BulkLoad is a BULK_LOAD message (packet type 7): the rows of a bulk
// insert the client announced with an INSERT BULK statement, described by
// its own COLMETADATA (MS-TDS 2.2.6.1).
type BulkLoad struct {
	Columns []Column
	Rows    [][]any
}

// maxBulkColumns is SQL Server's column limit of a table.
const maxBulkColumns = 4096

// readBulkLoad decodes COLMETADATA, then ROW and NBCROW tokens up to DONE
// or the end of the message.
// The text, ntext and image types (which need text pointers) and
// metadata-less loads are refused.
func readBulkLoad(r *reader, level int) (*BulkLoad, error) {
	if tok := r.u8("token"); r.err == nil && tok != TokenColMetadata {
		return nil, fmt.Errorf("bulk load: %w: starts with token 0x%02X, want COLMETADATA (0x81)", ErrMalformed, tok)
	}
	n := int(r.u16("column count"))
	if r.err == nil && (n == 0 || n == 0xFFFF || n > maxBulkColumns) {
		return nil, fmt.Errorf("bulk load: %w: %d columns", ErrMalformed, n)
	}
	bl := &BulkLoad{}
	for i := 0; i < n && r.err == nil; i++ {
		if level != 0 && level < Level72 {
			r.u16("user type")
		} else {
			r.u32("user type")
		}
		flags := r.u16("column flags")
		t := readTypeInfo(r)
		if r.err != nil {
			break
		}
		switch t.ID {
		case TypeText, TypeNText, TypeImage:
			return nil, fmt.Errorf("bulk load: %w: column %d is %v; send (max) types instead", ErrMalformed, i+1, t)
		}
		name := r.bVarChar("column name")
		bl.Columns = append(bl.Columns, Column{Name: name, Type: t, Nullable: flags&0x0001 != 0})
	}
	for r.err == nil {
		if r.remaining() == 0 {
			// FreeTDS's bcp ends the message after its last row; go-mssqldb
			// sends a DONE. SQL Server takes both.
			return bl, nil
		}
		tok := r.u8("token")
		switch tok {
		case TokenDone:
			r.bytes(r.remaining(), "") // DONE's fields say nothing a server uses
			return bl, nil
		case TokenRow, TokenNBCRow:
			var nulls []byte
			if tok == TokenNBCRow {
				nulls = r.bytes((len(bl.Columns)+7)/8, "null bitmap")
			}
			row := make([]any, len(bl.Columns))
			for i, c := range bl.Columns {
				if nulls != nil && nulls[i/8]&(1<<(i%8)) != 0 {
					continue
				}
				row[i] = readValue(r, c.Type)
			}
			if r.err == nil {
				bl.Rows = append(bl.Rows, row)
			}
		default:
			return nil, fmt.Errorf("bulk load: %w: token 0x%02X after row %d", ErrMalformed, tok, len(bl.Rows))
		}
	}
	return nil, fmt.Errorf("bulk load: %w", r.err)
}
