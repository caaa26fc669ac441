package sqltypes

import (
	"encoding/xml"
	"errors"
	"io"
	"strings"

	"github.com/pchatdr/harness/sqlerr"
)

// text, ntext, image and xml. text and ntext are character kinds (IsString)
// and image a binary kind (IsBinary), all of unlimited length; xml holds
// the string of a well-formed document or fragment. What sets them apart
// from varchar(max), nvarchar(max) and varbinary(max), from Microsoft's
// data type pages and the conversion chart of "CAST and CONVERT":
//   - text and ntext convert only to and from the character types and xml,
//     image only to the binary types and xml and from them and the
//     (non-LOB) character types (529 otherwise);
//   - xml converts to and from the character and binary types, from them
//     only if it is well-formed (9400), and to them only explicitly (257);
//     xml to binary (SQL Server's internal binary XML) is refused;
//   - none of them can be compared or sorted (engine: 402, 306, 305).
//
// Deviations: an xml value keeps the text it was given, where SQL Server
// stores a parsed form and gives back its own serialisation (attribute
// quotes, empty elements); the XML methods (.value, .query) are not
// modelled.

// The LOB types and xml.
var (
	TypeText  = Type{Kind: KindText, Length: MaxLength}
	TypeNText = Type{Kind: KindNText, Length: MaxLength}
	TypeImage = Type{Kind: KindImage, Length: MaxLength}
	TypeXML   = Type{Kind: KindXML, Length: MaxLength}
)

// IsLOB reports text, ntext and image, which cannot be compared or sorted
// except with IS NULL (and LIKE for text and ntext).
func (k Kind) IsLOB() bool { return k == KindText || k == KindNText || k == KindImage }

// lobAllowed is the conversion chart's rule for the LOB kinds and xml;
// decided is false when neither kind is one of them.
func lobAllowed(f, t Kind) (allowed, decided bool) {
	plainString := func(k Kind) bool { return k.IsString() && !k.IsLOB() }
	plainBinary := func(k Kind) bool { return k.IsBinary() && !k.IsLOB() }
	switch {
	case f == KindInvalid:
		return true, true
	case f == KindText || f == KindNText:
		return t.IsString() || t == KindXML, true
	case f == KindImage:
		return t.IsBinary() || t == KindXML, true
	case f == KindXML:
		return plainString(t) || t == KindXML, true
	case t == KindText || t == KindNText:
		return f.IsString(), true
	case t == KindImage:
		return f.IsBinary() || plainString(f), true
	case t == KindXML:
		return f.IsString() || plainBinary(f) || f == KindImage, true
	}
	return false, false
}

// toXML converts a character or binary value to xml, checking that it is
// well-formed XML content (a document or a fragment).
func toXML(v Value, from, to Type) (Value, error) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case []byte:
		s = string(x)
		if len(x) >= 2 && x[0] == 0xFF && x[1] == 0xFE {
			s = decodeNVarChar(x[2:])
		}
	default:
		return nil, sqlerr.New(sqlerr.ExplicitConversionNotAllowed, from.Name(), to.Name())
	}
	if err := checkXML(s); err != nil {
		return nil, err
	}
	return s, nil
}

// checkXML parses s as XML content; the first error is SQL Server's 9400
// with the line and character where the parser stopped.
func checkXML(s string) error {
	d := xml.NewDecoder(strings.NewReader("<r>" + strings.TrimPrefix(xmlDeclStrip(s), "\ufeff") + "</r>"))
	for {
		_, err := d.Token()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			line, col := d.InputPos()
			if line == 1 {
				col -= len("<r>")
			}
			if col < 1 {
				col = 1
			}
			why := "illegal xml character"
			var se *xml.SyntaxError
			if errors.As(err, &se) {
				why = se.Msg
				if strings.Contains(why, "unexpected EOF") || strings.Contains(why, "</r>") {
					why = "unexpected end of input"
				}
			}
			return sqlerr.New(sqlerr.XMLParse, line, col, why)
		}
	}
}

// xmlDeclStrip drops a leading XML declaration, which may not appear
// inside the wrapper element the check puts around a fragment.
func xmlDeclStrip(s string) string {
	t := strings.TrimLeft(s, " \t\r\n")
	if strings.HasPrefix(t, "<?xml") {
		if i := strings.Index(t, "?>"); i >= 0 {
			return t[i+2:]
		}
	}
	return s
}
