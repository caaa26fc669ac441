package sqltypes

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/pchatdr/harness/sqlerr"
)

// Convert converts v, of type from, to type to with CAST semantics: every
// conversion SQL Server allows explicitly, its errors (245, 8114, 8115, 220,
// 232, 241, 242, 248, 529, 8169, 8170), silent truncation of strings and
// binaries to the target length, and rounding of decimals and times to the
// target scale. NULL converts to NULL (after the allowed-ness check, so
// CAST(NULL-int AS uniqueidentifier) still fails). Whether a value fits an
// INSERT target is Fits' business (error 2628 belongs to the engine).
func Convert(v Value, from, to Type) (Value, error) {
	return convert(v, from, to, -1)
}

// ConvertImplicit is Convert for an assignment or comparison without CAST:
// it first refuses what SQL Server only converts explicitly (error 257, e.g.
// varchar to varbinary or datetime to int).
func ConvertImplicit(v Value, from, to Type) (Value, error) {
	if !ImplicitAllowed(from.Kind, to.Kind) {
		return nil, sqlerr.New(sqlerr.ImplicitConversionNotAllowed, from.Name(), to.Name())
	}
	return convert(v, from, to, -1)
}

// ConvertStyle is CONVERT(to, v, style). Styles apply to date/time <->
// string (0/100, 1/101, 3/103, 102, 104, 105, 108, 110, 111, 12/112, 20/120,
// 21/121, 23, 126, 127), binary <-> string (0 raw, 1 '0x' hex, 2 bare hex)
// and float -> string (0-3); elsewhere the style is ignored as SQL Server
// does. An unknown style for a date/time or binary conversion is error 281.
func ConvertStyle(v Value, from, to Type, style int) (Value, error) {
	if style < 0 {
		return nil, sqlerr.New(sqlerr.InvalidStyle, style, from.Name(), to.Name())
	}
	dateStr := (from.Kind.IsDateTime() && to.Kind.IsString()) || (from.Kind.IsString() && to.Kind.IsDateTime())
	if dateStr && !validDateStyle(style) {
		return nil, sqlerr.New(sqlerr.InvalidStyle, style, from.Name(), to.Name())
	}
	binStr := (from.Kind.IsBinary() && to.Kind.IsString()) || (from.Kind.IsString() && to.Kind.IsBinary())
	if binStr && style > 2 {
		return nil, sqlerr.New(sqlerr.InvalidStyle, style, from.Name(), to.Name())
	}
	return convert(v, from, to, style)
}

// ExplicitAllowed reports whether CAST from one kind to another is allowed.
// Deviation: binary <-> decimal and date/datetime2 -> binary, which SQL Server
// allows through its internal storage formats, are refused here.
func ExplicitAllowed(f, t Kind) bool {
	if f == t || f == KindInvalid {
		return true
	}
	switch {
	case f == KindVariant:
		return !t.IsLOB() && t != KindXML
	case t == KindVariant:
		return !f.IsLOB() && f != KindXML
	}
	if ok, decided := lobAllowed(f, t); decided {
		return ok
	}
	if f.IsString() || t.IsString() {
		return true
	}
	switch {
	case f.IsNumeric():
		// money -> binary (SQL Server's 8-byte image) is refused like
		// decimal's.
		return t.IsNumeric() || t == KindDateTime || t == KindSmallDateTime || (t.IsBinary() && f != KindDecimal && !f.IsMoney())
	case f == KindDateTime:
		return t.IsNumeric() || t.IsDateTime() || t.IsBinary()
	case f == KindDate:
		return t.IsDateTime() && t != KindTime
	case f == KindTime:
		return t.IsDateTime() && t != KindDate
	case f == KindDateTime2 || f == KindSmallDateTime || f == KindDateTimeOffset:
		return t.IsDateTime()
	case f == KindUniqueIdentifier:
		return t.IsBinary()
	case f.IsBinary():
		return t.IsBinary() || t.IsInteger() || t == KindBit || t == KindDateTime || t == KindUniqueIdentifier
	}
	return false
}

// ImplicitAllowed reports whether SQL Server converts between the kinds
// without CAST (assignment, comparison, arithmetic).
func ImplicitAllowed(f, t Kind) bool {
	if !ExplicitAllowed(f, t) {
		return false
	}
	switch {
	case f == KindXML && t != KindXML, f == KindVariant && t != KindVariant:
		return false
	case f.IsString() && t.IsBinary():
		return false
	case f == KindDateTime && t.IsNumeric():
		return false
	case f.IsBinary() && t == KindDateTime:
		return false
	}
	return true
}

func convert(v Value, from, to Type, style int) (Value, error) {
	v = normalize(v)
	if x, ok := v.(Variant); ok {
		if to.Kind == KindVariant {
			return x, nil
		}
		if !ExplicitAllowed(KindVariant, to.Kind) {
			return nil, sqlerr.New(sqlerr.ExplicitConversionNotAllowed, "sql_variant", to.Name())
		}
		return convert(x.V, x.Type, to, style)
	}
	if from.Kind == KindInvalid {
		from = LiteralType(v)
	}
	if !ExplicitAllowed(from.Kind, to.Kind) {
		return nil, sqlerr.New(sqlerr.ExplicitConversionNotAllowed, from.Name(), to.Name())
	}
	if v == nil {
		return nil, nil
	}
	switch {
	case to.Kind.IsInteger():
		return toInteger(v, from, to)
	case to.Kind == KindBit:
		return toBit(v, from, to)
	case to.Kind == KindDecimal:
		return toDecimal(v, from, to)
	case to.Kind.IsMoney():
		return toMoney(v, from, to)
	case to.Kind == KindXML:
		return toXML(v, from, to)
	case to.Kind == KindVariant:
		return toVariant(v, from)
	case to.Kind == KindFloat || to.Kind == KindReal:
		return toFloat(v, from, to)
	case to.Kind.IsString():
		return toString(v, from, to, style)
	case to.Kind.IsDateTime():
		return toDateTime(v, from, to, style)
	case to.Kind == KindUniqueIdentifier:
		return toGUID(v, from, to)
	case to.Kind.IsBinary():
		return toBinary(v, from, to, style)
	}
	return nil, sqlerr.New(sqlerr.ExplicitConversionNotAllowed, from.Name(), to.Name())
}

// normalize maps the Go types a caller might hand in (int, int32, float32,
// uint8...) to the package's dynamic types.
func normalize(v Value) Value {
	switch x := v.(type) {
	case int:
		return int64(x)
	case int32:
		return int64(x)
	case int16:
		return int64(x)
	case int8:
		return int64(x)
	case uint8:
		return int64(x)
	case uint16:
		return int64(x)
	case uint32:
		return int64(x)
	case float32:
		return float64(x)
	case *Decimal:
		if x == nil {
			return nil
		}
		return *x
	}
	return v
}

func intRange(k Kind) (int64, int64) {
	switch k {
	case KindTinyInt:
		return 0, 255
	case KindSmallInt:
		return math.MinInt16, math.MaxInt16
	case KindInt:
		return math.MinInt32, math.MaxInt32
	case KindBit:
		return 0, 1
	}
	return math.MinInt64, math.MaxInt64
}

func intWidth(k Kind) int {
	switch k {
	case KindTinyInt, KindBit:
		return 1
	case KindSmallInt:
		return 2
	case KindInt:
		return 4
	}
	return 8
}

// intOverflow is the error for an integer that does not fit an integer kind:
// 220 names the value for the small kinds, 8115 the "expression" otherwise.
func intOverflow(to Type, x int64) error {
	if to.Kind == KindTinyInt || to.Kind == KindSmallInt {
		return sqlerr.New(sqlerr.ArithmeticOverflowValue, to.Name(), x)
	}
	return sqlerr.New(sqlerr.ArithmeticOverflowConvert, "expression", to.Name())
}

func b2i(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func toInteger(v Value, from, to Type) (Value, error) {
	lo, hi := intRange(to.Kind)
	switch x := v.(type) {
	case int64:
		if x < lo || x > hi {
			return nil, intOverflow(to, x)
		}
		return x, nil
	case bool:
		return b2i(x), nil
	case Decimal:
		if from.Kind.IsMoney() {
			x = moneyToInt(x)
		}
		i, ok := x.Int64()
		if !ok || i < lo || i > hi {
			return nil, sqlerr.New(sqlerr.ArithmeticOverflowConvert, from.Name(), to.Name())
		}
		return i, nil
	case float64:
		t := math.Trunc(x)
		// float64(MaxInt64) rounds up to 2^63, hence >= for bigint
		if math.IsNaN(t) || t < float64(lo) || t > float64(hi) || (to.Kind == KindBigInt && t >= 1<<63) {
			return nil, sqlerr.New(sqlerr.ArithmeticOverflowType, to.Name(), x)
		}
		return int64(t), nil
	case string:
		return parseIntString(x, from, to)
	case []byte:
		w := intWidth(to.Kind)
		var buf [8]byte
		src := x
		if len(src) > w {
			src = src[len(src)-w:]
		}
		copy(buf[8-len(src):], src)
		u := binary.BigEndian.Uint64(buf[:])
		switch w {
		case 1:
			return int64(uint8(u)), nil
		case 2:
			return int64(int16(u)), nil
		case 4:
			return int64(int32(u)), nil
		}
		return int64(u), nil
	case time.Time:
		days := math.Floor(datetimeDays(x) + 0.5)
		return toInteger(days, TypeFloat, to)
	}
	return nil, sqlerr.New(sqlerr.ExplicitConversionNotAllowed, from.Name(), to.Name())
}

// parseIntString follows SQL Server: surrounding spaces ignored, an optional
// sign, digits only ('1.5' and '1e3' fail with 245), ” is 0.
func parseIntString(s string, from, to Type) (Value, error) {
	t := strings.Trim(s, " \t\r\n")
	if t == "" {
		return int64(0), nil
	}
	body := t
	if body[0] == '+' || body[0] == '-' {
		body = body[1:]
	}
	if body == "" || !allDigits(body) {
		return nil, sqlerr.New(sqlerr.ConversionFailed, from.Name(), s, to.Name())
	}
	n, err := strconv.ParseInt(t, 10, 64)
	lo, hi := intRange(to.Kind)
	if err != nil || n < lo || n > hi {
		switch to.Kind {
		case KindTinyInt:
			return nil, sqlerr.New(sqlerr.ConversionOverflowColumn, from.Name(), s, "INT1")
		case KindSmallInt:
			return nil, sqlerr.New(sqlerr.ConversionOverflowColumn, from.Name(), s, "INT2")
		case KindInt:
			return nil, sqlerr.New(sqlerr.ConversionOverflowInt, from.Name(), s, "int")
		}
		return nil, sqlerr.New(sqlerr.ConvertError, from.Name(), to.Name())
	}
	return n, nil
}

func toBit(v Value, from, to Type) (Value, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case int64:
		return x != 0, nil
	case Decimal:
		return x.Sign() != 0, nil
	case float64:
		return x != 0, nil
	case string:
		t := strings.TrimSpace(x)
		switch strings.ToLower(t) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		i, err := parseIntString(x, from, TypeBigInt)
		if err != nil {
			return nil, sqlerr.New(sqlerr.ConversionFailed, from.Name(), x, to.Name())
		}
		return i.(int64) != 0, nil
	case []byte:
		for _, b := range x {
			if b != 0 {
				return true, nil
			}
		}
		return false, nil
	case time.Time:
		return datetimeDays(x) != 0, nil
	}
	return nil, sqlerr.New(sqlerr.ExplicitConversionNotAllowed, from.Name(), to.Name())
}

func toDecimal(v Value, from, to Type) (Value, error) {
	var d Decimal
	ok := true
	switch x := v.(type) {
	case int64:
		d = decimalFromInt(x)
	case bool:
		d = decimalFromInt(b2i(x))
	case Decimal:
		d = x
	case float64:
		d, ok = decimalFromFloat(x)
	case string:
		d, ok = parseDecimal(x)
		if !ok {
			if strings.TrimSpace(x) == "" {
				return nil, sqlerr.New(sqlerr.ConvertError, from.Name(), to.Name())
			}
			return nil, sqlerr.New(sqlerr.ConvertError, from.Name(), to.Name())
		}
	case time.Time:
		d, ok = decimalFromFloat(datetimeDays(x))
	default:
		return nil, sqlerr.New(sqlerr.ExplicitConversionNotAllowed, from.Name(), to.Name())
	}
	p, s := to.Precision, to.Scale
	if p == 0 {
		p, s = 18, 0
	}
	if ok {
		d = d.Rescale(s, false)
		ok = d.fitsPrecision(p)
	}
	if !ok {
		return nil, sqlerr.New(sqlerr.ArithmeticOverflowConvert, from.Name(), to.Name())
	}
	return d, nil
}

func toFloat(v Value, from, to Type) (Value, error) {
	var f float64
	switch x := v.(type) {
	case int64:
		f = float64(x)
	case bool:
		f = float64(b2i(x))
	case Decimal:
		f = x.Float()
	case float64:
		f = x
	case string:
		t := strings.Trim(x, " \t\r\n")
		if t == "" {
			f = 0
			break
		}
		if strings.Trim(t, "0123456789+-.eE") != "" {
			return nil, sqlerr.New(sqlerr.ConvertError, from.Name(), to.Name())
		}
		var err error
		f, err = strconv.ParseFloat(t, 64)
		if err != nil {
			return nil, sqlerr.New(sqlerr.ConvertError, from.Name(), to.Name())
		}
	case time.Time:
		f = datetimeDays(x)
	default:
		return nil, sqlerr.New(sqlerr.ExplicitConversionNotAllowed, from.Name(), to.Name())
	}
	if to.Kind == KindReal {
		r := float32(f)
		if math.IsInf(float64(r), 0) && !math.IsInf(f, 0) {
			return nil, sqlerr.New(sqlerr.ArithmeticOverflowConvert, from.Name(), to.Name())
		}
		f = float64(r)
	}
	return f, nil
}

// formatFloat renders a float as CONVERT styles 0-3 do: style 0 (CAST) at
// most six significant digits, scientific with a three-digit exponent when
// needed ('1.23457e+006'); 1 and 2 always scientific with 8 and 16 digits;
// 3 seventeen digits.
func formatFloat(f float64, real bool, style int) string {
	bits := 64
	if real {
		bits = 32
	}
	var s string
	switch style {
	case 1:
		s = strconv.FormatFloat(f, 'e', 7, bits)
	case 2:
		s = strconv.FormatFloat(f, 'e', 15, bits)
	case 3:
		s = strconv.FormatFloat(f, 'g', 17, bits)
	default:
		s = strconv.FormatFloat(f, 'g', 6, bits)
	}
	// C's printf on Windows writes three exponent digits.
	if i := strings.IndexAny(s, "eE"); i >= 0 && len(s)-i-2 < 3 {
		s = s[:i+2] + strings.Repeat("0", 3-(len(s)-i-2)) + s[i+2:]
	}
	return s
}

func toString(v Value, from, to Type, style int) (Value, error) {
	var s string
	numeric := false // ints/bit: too long -> '*' (varchar) or 8115
	exact := false   // decimal/float: too long -> 8115
	switch x := v.(type) {
	case int64:
		s, numeric = strconv.FormatInt(x, 10), true
	case bool:
		s, numeric = strconv.FormatInt(b2i(x), 10), true
	case Decimal:
		s, exact = x.String(), true
		if from.Kind.IsMoney() {
			s = formatMoney(x, style)
		}
	case float64:
		s, exact = formatFloat(x, from.Kind == KindReal, style), true
	case string:
		s = x
	case []byte:
		switch style {
		case 1:
			s = "0x" + strings.ToUpper(hex.EncodeToString(x))
		case 2:
			s = strings.ToUpper(hex.EncodeToString(x))
		default:
			if to.Kind.IsUnicode() {
				s = decodeNVarChar(x)
			} else {
				s = decodeVarChar(x, to)
			}
		}
	case time.Time:
		var ok bool
		if s, ok = formatDateTime(x, from, style); !ok {
			return nil, sqlerr.New(sqlerr.InvalidStyle, style, from.Name(), to.Name())
		}
	case GUID:
		s = x.String()
		if to.Length != MaxLength && to.Length < 36 {
			return nil, sqlerr.New(sqlerr.GUIDResultSpace)
		}
	default:
		return nil, sqlerr.New(sqlerr.ExplicitConversionNotAllowed, from.Name(), to.Name())
	}
	if !to.Kind.IsUnicode() {
		s = toCodePage(s, to)
	}
	if to.Length != MaxLength && to.Length > 0 && charLen(s, to) > to.Length {
		switch {
		case numeric && !to.Kind.IsUnicode():
			s = "*"
		case numeric:
			return nil, sqlerr.New(sqlerr.ArithmeticOverflowConvert, "expression", to.Name())
		case exact:
			return nil, sqlerr.New(sqlerr.ArithmeticOverflowConvert, from.Name(), to.Name())
		default:
			s = truncChars(s, to.Length, to)
		}
	}
	if (to.Kind == KindChar || to.Kind == KindNChar) && to.Length > 0 {
		if n := charLen(s, to); n < to.Length {
			s += strings.Repeat(" ", to.Length-n)
		}
	}
	return s, nil
}

func toDateTime(v Value, from, to Type, style int) (Value, error) {
	switch x := v.(type) {
	case string:
		p, ok := parseDateTimeString(x, style == 3 || style == 103 || style == 104 || style == 105)
		if !ok || ((to.Kind == KindDateTime || to.Kind == KindSmallDateTime) && (p.fracDigits > 3 || p.hasOffset)) {
			return nil, sqlerr.New(sqlerr.DateConversionFailed)
		}
		if to.Kind == KindDateTimeOffset {
			// The literal's offset, +00:00 without one; the wall clock
			// is the string's.
			w := p.t
			p.t = time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), OffsetZone(p.offset))
			return fitTime(p.t, to, to)
		}
		return fitTime(p.t, from, to)
	case time.Time:
		return fitTime(x, from, to)
	}
	if to.Kind == KindSmallDateTime {
		// Numbers become a smalldatetime through datetime (days since
		// 1900-01-01), then round to the minute.
		dt, err := toDateTime(v, from, TypeDateTime, style)
		if err != nil {
			return nil, err
		}
		return fitTime(dt.(time.Time), from, to)
	}
	if to.Kind != KindDateTime {
		return nil, sqlerr.New(sqlerr.ExplicitConversionNotAllowed, from.Name(), to.Name())
	}
	switch x := v.(type) {
	case int64:
		if x < -53690 || x > 2958463 {
			return nil, sqlerr.New(sqlerr.ArithmeticOverflowConvert, "expression", to.Name())
		}
		return epoch1900.AddDate(0, 0, int(x)), nil
	case bool:
		return epoch1900.AddDate(0, 0, int(b2i(x))), nil
	case Decimal, float64:
		f := x
		if d, isDec := x.(Decimal); isDec {
			f = d.Float()
		}
		t, ok := datetimeFromDays(f.(float64))
		if !ok {
			return nil, sqlerr.New(sqlerr.ArithmeticOverflowConvert, "expression", to.Name())
		}
		return t, nil
	case []byte:
		var buf [8]byte
		src := x
		if len(src) > 8 {
			src = src[len(src)-8:]
		}
		copy(buf[8-len(src):], src)
		days := int32(binary.BigEndian.Uint32(buf[:4]))
		ticks := binary.BigEndian.Uint32(buf[4:])
		if ticks >= 300*86400 || days < -53690 || days > 2958463 {
			return nil, sqlerr.New(sqlerr.ArithmeticOverflowConvert, "expression", to.Name())
		}
		return roundDateTime(epoch1900.AddDate(0, 0, int(days)).Add(time.Duration(int64(ticks) * 1e9 / 300))), nil
	}
	return nil, sqlerr.New(sqlerr.ExplicitConversionNotAllowed, from.Name(), to.Name())
}

// fitTime rounds t to the target's precision and checks its range (242).
// A datetimeoffset converts to the other kinds by its local wall clock (the
// offset is dropped, as SQL Server does); the others become a
// datetimeoffset at +00:00.
func fitTime(t time.Time, from, to Type) (Value, error) {
	if to.Kind == KindDateTimeOffset {
		loc := t.Location()
		if from.Kind != KindDateTimeOffset {
			loc = OffsetZone(0)
		}
		t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), loc)
		t = roundDateTime2(t, to.Scale)
		if t.Year() < 1 || t.Year() > 9999 {
			return nil, sqlerr.New(sqlerr.DateOutOfRange, from.Name(), to.Name())
		}
		return t, nil
	}
	t = time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC)
	switch to.Kind {
	case KindSmallDateTime:
		// 29.998 seconds or less round down, 29.999 and more up
		// (Microsoft's smalldatetime page).
		t = t.Add(30*time.Second + 1500*time.Microsecond).Truncate(time.Minute)
		if t.Before(epoch1900) || !t.Before(time.Date(2079, 6, 7, 0, 0, 0, 0, time.UTC)) {
			return nil, sqlerr.New(sqlerr.DateOutOfRange, from.Name(), to.Name())
		}
	case KindTime:
		t = roundDateTime2(t, to.Scale)
		t = epoch1900.Add(t.Sub(truncDate(t)))
		if t.Day() != 1 { // rounded up to midnight
			t = epoch1900
		}
	case KindDateTime:
		t = roundDateTime(t)
		if t.Before(minDateTime) || t.After(maxDateTime) {
			return nil, sqlerr.New(sqlerr.DateOutOfRange, from.Name(), to.Name())
		}
	case KindDateTime2:
		t = roundDateTime2(t, to.Scale)
		if t.Before(minDate2) || t.Year() > 9999 {
			return nil, sqlerr.New(sqlerr.DateOutOfRange, from.Name(), to.Name())
		}
	case KindDate:
		t = truncDate(t)
		if t.Before(minDate2) || t.Year() > 9999 {
			return nil, sqlerr.New(sqlerr.DateOutOfRange, from.Name(), to.Name())
		}
	}
	return t, nil
}

// ParseGUID reads a uniqueidentifier string: 36 characters, optionally in
// braces. Like SQL Server it ignores anything after the first 36 characters.
func ParseGUID(s string) (GUID, bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "{") {
		if len(s) < 38 || s[37] != '}' {
			return GUID{}, false
		}
		s = s[1:37]
	}
	if len(s) < 36 {
		return GUID{}, false
	}
	s = s[:36]
	if s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return GUID{}, false
	}
	h := s[0:8] + s[9:13] + s[14:18] + s[19:23] + s[24:36]
	var g GUID
	if _, err := hex.Decode(g[:], []byte(h)); err != nil {
		return GUID{}, false
	}
	return g, true
}

// guidWire converts between RFC byte order and SQL Server's storage order
// (first three groups little-endian); it is its own inverse.
func guidWire(g GUID) GUID {
	return GUID{g[3], g[2], g[1], g[0], g[5], g[4], g[7], g[6], g[8], g[9], g[10], g[11], g[12], g[13], g[14], g[15]}
}

func toGUID(v Value, from, to Type) (Value, error) {
	switch x := v.(type) {
	case GUID:
		return x, nil
	case string:
		g, ok := ParseGUID(x)
		if !ok {
			return nil, sqlerr.New(sqlerr.GUIDConversionFailed)
		}
		return g, nil
	case []byte:
		var g GUID
		copy(g[:], x)
		return guidWire(g), nil
	}
	return nil, sqlerr.New(sqlerr.ExplicitConversionNotAllowed, from.Name(), to.Name())
}

func toBinary(v Value, from, to Type, style int) (Value, error) {
	var b []byte
	numeric := false // numbers are right-aligned: cut and padded on the left
	switch x := v.(type) {
	case int64:
		w := intWidth(from.Kind)
		var buf [8]byte
		binary.BigEndian.PutUint64(buf[:], uint64(x))
		b, numeric = buf[8-w:], true
	case bool:
		b, numeric = []byte{byte(b2i(x))}, true
	case float64:
		if from.Kind == KindReal {
			b = binary.BigEndian.AppendUint32(nil, math.Float32bits(float32(x)))
		} else {
			b = binary.BigEndian.AppendUint64(nil, math.Float64bits(x))
		}
		numeric = true
	case string:
		switch style {
		case 1, 2:
			h := x
			if style == 1 {
				if !strings.HasPrefix(strings.ToLower(h), "0x") {
					return nil, sqlerr.New(sqlerr.ConvertError, from.Name(), to.Name())
				}
				h = h[2:]
			}
			var err error
			if b, err = hex.DecodeString(h); err != nil {
				return nil, sqlerr.New(sqlerr.ConvertError, from.Name(), to.Name())
			}
		default:
			if from.Kind.IsUnicode() {
				b = encodeNVarChar(x)
			} else {
				b = encodeVarChar(x, from)
			}
		}
	case []byte:
		b = x
	case time.Time:
		d := truncDate(x)
		days := daysBetween(epoch1900, d)
		ticks := (x.Sub(d).Nanoseconds()*300 + 500_000_000) / 1_000_000_000
		b = binary.BigEndian.AppendUint32(nil, uint32(int32(days)))
		b = binary.BigEndian.AppendUint32(b, uint32(ticks))
		numeric = true
	case GUID:
		w := guidWire(x)
		b = w[:]
	default:
		return nil, sqlerr.New(sqlerr.ExplicitConversionNotAllowed, from.Name(), to.Name())
	}
	out := append([]byte(nil), b...)
	n := to.Length
	if n == MaxLength || n <= 0 {
		return out, nil
	}
	if len(out) > n {
		if numeric {
			out = out[len(out)-n:]
		} else {
			out = out[:n]
		}
	}
	if to.Kind == KindBinary && len(out) < n {
		pad := make([]byte, n-len(out))
		if numeric {
			out = append(pad, out...)
		} else {
			out = append(out, pad...)
		}
	}
	return out, nil
}

// Fits reports whether v can be stored in a column of type t without loss:
// strings and binaries within the length (trailing spaces beyond it are
// dropped silently, as SQL Server does), integers and decimals within range
// and precision, times within the type's range. v must already be of t's
// dynamic type family; the engine raises 2628/8152 when Fits is false.
func Fits(v Value, t Type) bool {
	v = normalize(v)
	switch x := v.(type) {
	case nil:
		return true
	case string:
		if !t.Kind.IsString() || t.Length == MaxLength || t.Length <= 0 {
			return true
		}
		return charLen(strings.TrimRight(x, " "), t) <= t.Length
	case []byte:
		if !t.Kind.IsBinary() || t.Length == MaxLength || t.Length <= 0 {
			return true
		}
		return len(x) <= t.Length
	case int64:
		if !t.Kind.IsInteger() {
			return true
		}
		lo, hi := intRange(t.Kind)
		return x >= lo && x <= hi
	case Decimal:
		if t.Kind.IsMoney() {
			return moneyFits(x.Rescale(4, false), t.Kind)
		}
		if t.Kind != KindDecimal || t.Precision == 0 {
			return true
		}
		return x.Rescale(t.Scale, false).fitsPrecision(t.Precision)
	case float64:
		if t.Kind == KindReal {
			return !math.IsInf(float64(float32(x)), 0) || math.IsInf(x, 0)
		}
		return true
	case time.Time:
		switch t.Kind {
		case KindDateTime:
			r := roundDateTime(x)
			return !r.Before(minDateTime) && !r.After(maxDateTime)
		case KindDateTime2, KindDate:
			return x.Year() >= 1 && x.Year() <= 9999
		}
	}
	return true
}
