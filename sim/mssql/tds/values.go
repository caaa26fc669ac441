package tds

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/big"
	"reflect"
	"time"
)

// Wire values. Encoders take exactly these Go types (plus the few lenient
// integer/float forms noted below): nil, int64, bool, float64, string,
// []byte, time.Time, Decimal and [16]byte (a GUID in RFC 4122 byte order).
// Named types with one of those underlying types (sqltypes.GUID,
// sqltypes.Decimal) are accepted too. Decoders return the same set.

const (
	plpNull     = 0xFFFFFFFFFFFFFFFF
	plpUnknown  = 0xFFFFFFFFFFFFFFFE
	shortLenNul = 0xFFFF
)

// EncodeError says a value does not fit its declared type. Nothing of the
// value has been written when it is returned, so the stream stays valid.
type EncodeError struct {
	Type  TypeInfo
	Value string // a short description, never the value itself
	Why   string
}

func (e *EncodeError) Error() string {
	return fmt.Sprintf("tds: cannot encode %s as %v: %s", e.Value, e.Type, e.Why)
}

func encErr(t TypeInfo, v any, why string, args ...any) error {
	return &EncodeError{Type: t, Value: fmt.Sprintf("%T", v), Why: fmt.Sprintf(why, args...)}
}

// appendValue encodes v as a ROW/RETURNVALUE value of type t. On error b
// is returned unchanged.
func appendValue(b []byte, t TypeInfo, v any) ([]byte, error) {
	start := len(b)
	out, err := appendValue0(b, t, v)
	if err != nil {
		var ee *EncodeError
		if !errors.As(err, &ee) {
			err = &EncodeError{Type: t, Value: fmt.Sprintf("%T", v), Why: err.Error()}
		}
		return b[:start], err
	}
	return out, nil
}

func appendValue0(b []byte, t TypeInfo, v any) ([]byte, error) {
	if v != nil {
		v = normalize(v)
	}
	if v == nil {
		return appendNull(b, t)
	}
	if t.ID == TypeVariant {
		return appendVariant(b, t, v)
	}
	switch t.ID {
	case TypeIntN, TypeInt1, TypeInt2, TypeInt4, TypeInt8:
		i, ok := asInt64(v)
		if !ok {
			return b, encErr(t, v, "want an integer")
		}
		n := t.fixedSize()
		var lo, hi int64
		switch n {
		case 1:
			lo, hi = 0, 255
		case 2:
			lo, hi = math.MinInt16, math.MaxInt16
		case 4:
			lo, hi = math.MinInt32, math.MaxInt32
		default:
			lo, hi = math.MinInt64, math.MaxInt64
		}
		if i < lo || i > hi {
			return b, encErr(t, v, "%d is out of range", i)
		}
		if t.ID == TypeIntN {
			b = append(b, byte(n))
		}
		return appendUintN(b, uint64(i), n), nil
	case TypeBitN, TypeBit:
		x, ok := v.(bool)
		if !ok {
			i, isInt := asInt64(v)
			if !isInt {
				return b, encErr(t, v, "want a bool")
			}
			x = i != 0
		}
		if t.ID == TypeBitN {
			b = append(b, 1)
		}
		if x {
			return append(b, 1), nil
		}
		return append(b, 0), nil
	case TypeFltN, TypeFlt4, TypeFlt8:
		var f float64
		switch x := v.(type) {
		case float64:
			f = x
		case float32:
			f = float64(x)
		default:
			i, ok := asInt64(v)
			if !ok {
				return b, encErr(t, v, "want a float64")
			}
			f = float64(i)
		}
		n := t.fixedSize()
		if t.ID == TypeFltN {
			b = append(b, byte(n))
		}
		if n == 4 {
			return appendU32(b, math.Float32bits(float32(f))), nil
		}
		return appendU64(b, math.Float64bits(f)), nil
	case TypeDecimalN, TypeNumericN:
		d, ok := asDecimal(v)
		if !ok {
			return b, encErr(t, v, "want a Decimal")
		}
		mag, neg, err := rescale(d, t.Precision, t.Scale)
		if err != nil {
			return b, encErr(t, v, "%v", err)
		}
		size := decimalSize(t.Precision)
		b = append(b, byte(size))
		if neg {
			b = append(b, 0)
		} else {
			b = append(b, 1)
		}
		return appendMagnitude(b, mag, size-1), nil
	case TypeMoneyN, TypeMoney, TypeMoney4:
		d, ok := asDecimal(v)
		if !ok {
			return b, encErr(t, v, "want a Decimal")
		}
		mag, neg, err := rescale(d, 19, 4)
		if err != nil {
			return b, encErr(t, v, "%v", err)
		}
		if !mag.IsInt64() {
			return b, encErr(t, v, "out of range")
		}
		m := mag.Int64()
		if neg {
			m = -m
		}
		n := t.fixedSize()
		if t.ID == TypeMoneyN {
			b = append(b, byte(n))
		}
		if n == 4 {
			if m < math.MinInt32 || m > math.MaxInt32 {
				return b, encErr(t, v, "out of range")
			}
			return appendU32(b, uint32(int32(m))), nil
		}
		b = appendU32(b, uint32(uint64(m)>>32))
		return appendU32(b, uint32(uint64(m))), nil
	case TypeDateTimeN, TypeDateTime, TypeDateTim4:
		tm, ok := v.(time.Time)
		if !ok {
			return b, encErr(t, v, "want a time.Time")
		}
		n := t.fixedSize()
		if t.ID == TypeDateTimeN {
			b = append(b, byte(n))
		}
		if n == 4 {
			return appendSmallDateTime(b, tm)
		}
		return appendDateTime(b, tm)
	case TypeDateN:
		tm, ok := v.(time.Time)
		if !ok {
			return b, encErr(t, v, "want a time.Time")
		}
		return appendDate(append(b, 3), tm)
	case TypeTimeN:
		tm, ok := v.(time.Time)
		if !ok {
			return b, encErr(t, v, "want a time.Time")
		}
		return appendTime(append(b, byte(timeSize(t.Scale))), tm, t.Scale), nil
	case TypeDateTime2N:
		tm, ok := v.(time.Time)
		if !ok {
			return b, encErr(t, v, "want a time.Time")
		}
		return appendDateTime2(append(b, byte(timeSize(t.Scale)+3)), tm, t.Scale)
	case TypeDateTimeOffsetN:
		tm, ok := v.(time.Time)
		if !ok {
			return b, encErr(t, v, "want a time.Time")
		}
		return appendDateTimeOffset(append(b, byte(timeSize(t.Scale)+5)), tm, t.Scale)
	case TypeGUID:
		g, ok := v.([16]byte)
		if !ok {
			return b, encErr(t, v, "want a [16]byte GUID")
		}
		return appendGUID(append(b, 16), g), nil
	case TypeNVarChar, TypeNChar, TypeXML:
		s, ok := v.(string)
		if !ok {
			return b, encErr(t, v, "want a string")
		}
		n := 2 * utf16Len(s)
		if t.Max {
			return appendU32(appendUTF16(appendPLPHeader(b, n), s), 0), nil
		}
		if n > t.Size {
			return b, encErr(t, v, "value is %d bytes, the type holds %d", n, t.Size)
		}
		if t.ID == TypeNChar {
			b = appendU16(b, uint16(t.Size))
			b = appendUTF16(b, s)
			for ; n < t.Size; n += 2 {
				b = append(b, ' ', 0)
			}
			return b, nil
		}
		return appendUTF16(appendU16(b, uint16(n)), s), nil
	case TypeBigVarChar, TypeBigChar:
		s, ok := v.(string)
		if !ok {
			return b, encErr(t, v, "want a string")
		}
		coll := t.collation()
		n := charsLen(coll, s)
		enc := func(b []byte) []byte { return appendChars(b, coll, s) }
		if t.Max {
			return appendU32(enc(appendPLPHeader(b, n)), 0), nil
		}
		if n > t.Size {
			return b, encErr(t, v, "value is %d bytes, the type holds %d", n, t.Size)
		}
		if t.ID == TypeBigChar {
			b = enc(appendU16(b, uint16(t.Size)))
			for ; n < t.Size; n++ {
				b = append(b, ' ')
			}
			return b, nil
		}
		return enc(appendU16(b, uint16(n))), nil
	case TypeText, TypeNText, TypeImage:
		return appendLongLen(b, t, v)
	case TypeBigVarBin, TypeBigBinary:
		p, ok := v.([]byte)
		if !ok {
			return b, encErr(t, v, "want a []byte")
		}
		if t.Max {
			return appendU32(append(appendPLPHeader(b, len(p)), p...), 0), nil
		}
		if len(p) > t.Size {
			return b, encErr(t, v, "value is %d bytes, the type holds %d", len(p), t.Size)
		}
		if t.ID == TypeBigBinary {
			b = append(appendU16(b, uint16(t.Size)), p...)
			for n := len(p); n < t.Size; n++ {
				b = append(b, 0)
			}
			return b, nil
		}
		return append(appendU16(b, uint16(len(p))), p...), nil
	}
	return b, encErr(t, v, "unsupported type")
}

// appendPLPHeader starts a PLP value of known length n sent as one chunk:
// the total, then (for a non-empty value) the chunk length. The caller
// appends the n bytes and the zero-length terminator chunk.
func appendPLPHeader(b []byte, n int) []byte {
	b = appendU64(b, uint64(n))
	if n > 0 {
		b = appendU32(b, uint32(n))
	}
	return b
}

func appendNull(b []byte, t TypeInfo) ([]byte, error) {
	switch t.ID {
	case TypeIntN, TypeBitN, TypeFltN, TypeMoneyN, TypeDateTimeN, TypeGUID,
		TypeDecimalN, TypeNumericN, TypeDateN, TypeTimeN, TypeDateTime2N, TypeDateTimeOffsetN:
		return append(b, 0), nil
	case TypeNVarChar, TypeNChar, TypeBigVarChar, TypeBigChar, TypeBigVarBin, TypeBigBinary, TypeXML:
		if t.Max {
			return appendU64(b, plpNull), nil
		}
		return appendU16(b, shortLenNul), nil
	case TypeText, TypeNText, TypeImage:
		return appendLongLen(b, t, nil)
	case TypeVariant:
		return appendU32(b, 0), nil
	}
	return b, encErr(t, nil, "the type cannot hold NULL")
}

// appendGUID writes SQL Server's mixed-endian order: the first three
// groups little-endian, the last eight bytes as they are.
func appendGUID(b []byte, g [16]byte) []byte {
	return append(b, g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6],
		g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15])
}

func decodeGUID(w []byte) [16]byte {
	return [16]byte{w[3], w[2], w[1], w[0], w[5], w[4], w[7], w[6],
		w[8], w[9], w[10], w[11], w[12], w[13], w[14], w[15]}
}

// normalize maps named types onto the base wire types so the glue layer
// can pass its own named types (sqltypes.GUID, sqltypes.Decimal) as they are.
func normalize(v any) any {
	switch t := v.(type) {
	case int64, bool, float64, string, []byte, time.Time, Decimal, [16]byte, Variant:
		return v
	case *Decimal:
		if t != nil {
			return *t
		}
		return nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Pointer:
		if rv.IsNil() {
			return nil
		}
		return normalize(rv.Elem().Interface())
	case reflect.Array:
		if rv.Len() == 16 && rv.Type().Elem().Kind() == reflect.Uint8 {
			var g [16]byte
			reflect.Copy(reflect.ValueOf(&g).Elem(), rv)
			return g
		}
	case reflect.Struct:
		dt := reflect.TypeFor[Decimal]()
		if rv.Type().ConvertibleTo(dt) {
			return rv.Convert(dt).Interface()
		}
	case reflect.String:
		return rv.String()
	case reflect.Slice:
		if rv.Type().Elem().Kind() == reflect.Uint8 {
			return rv.Bytes()
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int()
	case reflect.Uint8, reflect.Uint16, reflect.Uint32:
		return int64(rv.Uint())
	case reflect.Bool:
		return rv.Bool()
	case reflect.Float32, reflect.Float64:
		return rv.Float()
	}
	return v
}

func asInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func asDecimal(v any) (Decimal, bool) {
	switch x := v.(type) {
	case Decimal:
		if x.Unscaled == nil {
			return x, false
		}
		return x, true
	case int64:
		return Decimal{Unscaled: big.NewInt(x)}, true
	}
	return Decimal{}, false
}

var bigPow10 = func() [39]*big.Int {
	var t [39]*big.Int
	t[0] = big.NewInt(1)
	for i := 1; i < len(t); i++ {
		t[i] = new(big.Int).Mul(t[i-1], big.NewInt(10))
	}
	return t
}()

// rescale brings d to the given scale (exactly: digits that would be lost
// are an error, rounding is the engine's business) and checks it fits the
// precision. It returns the magnitude and the sign.
func rescale(d Decimal, prec, scale uint8) (*big.Int, bool, error) {
	u := new(big.Int).Set(d.Unscaled)
	if d.Scale > 38 {
		return nil, false, fmt.Errorf("scale %d is above 38", d.Scale)
	}
	if d.Scale < scale {
		u.Mul(u, bigPow10[scale-d.Scale])
	} else if d.Scale > scale {
		var rem big.Int
		u.QuoRem(u, bigPow10[d.Scale-scale], &rem)
		if rem.Sign() != 0 {
			return nil, false, fmt.Errorf("%s has more than %d decimal places", d, scale)
		}
	}
	neg := u.Sign() < 0
	u.Abs(u)
	if u.Cmp(bigPow10[prec]) >= 0 {
		return nil, false, fmt.Errorf("%s needs more than %d digits", d, prec)
	}
	return u, neg, nil
}

func appendMagnitude(b []byte, mag *big.Int, n int) []byte {
	var tmp [16]byte
	be := mag.FillBytes(tmp[:n])
	for i := n - 1; i >= 0; i-- {
		b = append(b, be[i])
	}
	return b
}

// readValue decodes a parameter value of type t (after its TYPE_INFO).
// Byte slices are copied: the message buffer is reused.
func readValue(r *reader, t TypeInfo) any {
	if r.err != nil {
		return nil
	}
	switch t.ID {
	case TypeNull:
		return nil
	case TypeInt1, TypeBit, TypeInt2, TypeInt4, TypeInt8, TypeFlt4, TypeFlt8,
		TypeMoney, TypeMoney4, TypeDateTime, TypeDateTim4:
		return fixedValue(r, t, r.bytes(t.fixedSize(), "value"))
	case TypeIntN, TypeBitN, TypeFltN, TypeMoneyN, TypeDateTimeN, TypeGUID,
		TypeDecimalN, TypeNumericN, TypeDateN, TypeTimeN, TypeDateTime2N, TypeDateTimeOffsetN:
		n := int(r.u8("value length"))
		if n == 0 || r.err != nil {
			return nil
		}
		return byteLenValue(r, t, r.bytes(n, "value"))
	case TypeNVarChar, TypeNChar, TypeBigVarChar, TypeBigChar, TypeBigVarBin, TypeBigBinary, TypeXML:
		var raw []byte
		if t.Max {
			var null bool
			raw, null = readPLP(r)
			if null {
				return nil
			}
		} else {
			n := int(r.u16("value length"))
			if n == shortLenNul {
				return nil
			}
			if r.err == nil && n > t.Size {
				r.fail("value of %d bytes is longer than its declared %v", n, t)
				return nil
			}
			raw = r.bytes(n, "value")
		}
		if r.err != nil {
			return nil
		}
		switch t.ID {
		case TypeNVarChar, TypeNChar, TypeXML:
			return decodeUTF16(raw)
		case TypeBigVarChar, TypeBigChar:
			return decodeChars(t.collation(), raw)
		}
		return append([]byte{}, raw...)
	case TypeText, TypeNText, TypeImage:
		n := r.u32("value length")
		if n == 0xFFFFFFFF || r.err != nil {
			return nil
		}
		if int64(n) > int64(r.remaining()) {
			r.fail("%v value claims %d bytes, %d left", t, n, r.remaining())
			return nil
		}
		raw := r.bytes(int(n), "value")
		switch t.ID {
		case TypeNText:
			if len(raw)%2 != 0 {
				r.fail("ntext value has an odd number (%d) of bytes", len(raw))
				return nil
			}
			return decodeUTF16(raw)
		case TypeText:
			return decodeChars(t.collation(), raw)
		}
		return append([]byte{}, raw...)
	}
	r.fail("data type 0x%02X is not supported", t.ID)
	return nil
}

func fixedValue(r *reader, t TypeInfo, v []byte) any {
	if r.err != nil {
		return nil
	}
	switch t.ID {
	case TypeInt1:
		return int64(v[0])
	case TypeBit:
		return v[0] != 0
	case TypeInt2:
		return int64(int16(binary.LittleEndian.Uint16(v)))
	case TypeInt4:
		return int64(int32(binary.LittleEndian.Uint32(v)))
	case TypeInt8:
		return int64(binary.LittleEndian.Uint64(v))
	case TypeFlt4:
		return float64(math.Float32frombits(binary.LittleEndian.Uint32(v)))
	case TypeFlt8:
		return math.Float64frombits(binary.LittleEndian.Uint64(v))
	case TypeMoney4:
		return Decimal{Unscaled: big.NewInt(int64(int32(binary.LittleEndian.Uint32(v)))), Scale: 4}
	case TypeMoney:
		m := int64(uint64(binary.LittleEndian.Uint32(v))<<32 | uint64(binary.LittleEndian.Uint32(v[4:])))
		return Decimal{Unscaled: big.NewInt(m), Scale: 4}
	case TypeDateTime:
		return decodeDateTime(v)
	case TypeDateTim4:
		return decodeSmallDateTime(v)
	}
	return nil
}

func byteLenValue(r *reader, t TypeInfo, v []byte) any {
	if r.err != nil {
		return nil
	}
	bad := func() any {
		r.fail("value length %d is invalid for %v", len(v), t)
		return nil
	}
	switch t.ID {
	case TypeIntN:
		switch len(v) {
		case 1:
			return fixedValue(r, TypeInfo{ID: TypeInt1}, v)
		case 2:
			return fixedValue(r, TypeInfo{ID: TypeInt2}, v)
		case 4:
			return fixedValue(r, TypeInfo{ID: TypeInt4}, v)
		case 8:
			return fixedValue(r, TypeInfo{ID: TypeInt8}, v)
		}
	case TypeBitN:
		if len(v) == 1 {
			return v[0] != 0
		}
	case TypeFltN:
		switch len(v) {
		case 4:
			return fixedValue(r, TypeInfo{ID: TypeFlt4}, v)
		case 8:
			return fixedValue(r, TypeInfo{ID: TypeFlt8}, v)
		}
	case TypeMoneyN:
		switch len(v) {
		case 4:
			return fixedValue(r, TypeInfo{ID: TypeMoney4}, v)
		case 8:
			return fixedValue(r, TypeInfo{ID: TypeMoney}, v)
		}
	case TypeDateTimeN:
		switch len(v) {
		case 4:
			return decodeSmallDateTime(v)
		case 8:
			return decodeDateTime(v)
		}
	case TypeGUID:
		if len(v) == 16 {
			return decodeGUID(v)
		}
	case TypeDecimalN, TypeNumericN:
		if len(v) < 2 || len(v) > 17 {
			return bad()
		}
		mag := make([]byte, len(v)-1)
		for i := range mag {
			mag[i] = v[len(v)-1-i]
		}
		u := new(big.Int).SetBytes(mag)
		if v[0] == 0 {
			u.Neg(u)
		}
		return Decimal{Unscaled: u, Scale: t.Scale}
	case TypeDateN:
		if len(v) == 3 {
			return decodeDate(v)
		}
	case TypeTimeN:
		if len(v) == timeSize(t.Scale) {
			return time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(decodeTimeNS(v, t.Scale)))
		}
	case TypeDateTime2N:
		if len(v) == timeSize(t.Scale)+3 {
			return decodeDateTime2(v, t.Scale)
		}
	case TypeDateTimeOffsetN:
		if len(v) == timeSize(t.Scale)+5 {
			return decodeDateTimeOffset(v, t.Scale)
		}
	}
	return bad()
}

// readPLP reads a partially length-prefixed value: an 8-byte total (or
// NULL / unknown marker), then chunks each with a 4-byte length, ended by
// a zero-length chunk. A known total must match the chunks.
func readPLP(r *reader) ([]byte, bool) {
	total := r.u64("PLP length")
	if r.err != nil {
		return nil, false
	}
	if total == plpNull {
		return nil, true
	}
	if total != plpUnknown && total > uint64(r.remaining()) {
		r.fail("PLP length %d exceeds the %d bytes left", total, r.remaining())
		return nil, false
	}
	var out []byte
	for {
		n := r.u32("PLP chunk length")
		if r.err != nil {
			return nil, false
		}
		if n == 0 {
			break
		}
		if uint64(n) > uint64(r.remaining()) {
			r.fail("PLP chunk of %d bytes exceeds the %d bytes left", n, r.remaining())
			return nil, false
		}
		out = append(out, r.bytes(int(n), "PLP chunk")...)
	}
	if total != plpUnknown && uint64(len(out)) != total {
		r.fail("PLP chunks hold %d bytes, the header said %d", len(out), total)
		return nil, false
	}
	if out == nil {
		out = []byte{}
	}
	return out, false
}
