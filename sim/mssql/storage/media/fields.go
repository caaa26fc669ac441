package media

import (
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"sync"
	"time"
	"unicode/utf8"
)

// Tagged-field codec. A body is a run of (u16 tag, u32 length, value); the
// struct tag `media:"N"` gives a field its on-disk tag. Zero values are not
// written, so a reader that lacks a field (older file) sees its zero value and
// a reader that lacks a tag (newer file) skips it. Values:
//
//	string       UTF-8 bytes
//	bool         1 byte, 0 or 1
//	int*, uint*  8 bytes (range-checked against the Go type when read)
//	GUID         16 bytes
//	time.Time    i64 Unix seconds + u32 nanoseconds, UTC
//	[]struct     per element: u32 length + that element's body

type fieldInfo struct {
	index int
	tag   uint16
}

var fieldCache sync.Map // reflect.Type -> []fieldInfo

var timeType = reflect.TypeOf(time.Time{})

func fieldsOf(t reflect.Type) []fieldInfo {
	if v, ok := fieldCache.Load(t); ok {
		return v.([]fieldInfo)
	}
	var fs []fieldInfo
	for i := 0; i < t.NumField(); i++ {
		s := t.Field(i).Tag.Get("media")
		if s == "" || s == "-" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n <= 0 || n > math.MaxUint16 {
			panic(fmt.Sprintf("media: bad field tag %q on %s.%s", s, t.Name(), t.Field(i).Name))
		}
		fs = append(fs, fieldInfo{index: i, tag: uint16(n)})
	}
	fieldCache.Store(t, fs)
	return fs
}

// encodeFields appends the tagged fields of the struct v.
func encodeFields(dst []byte, v reflect.Value) []byte {
	for _, f := range fieldsOf(v.Type()) {
		fv := v.Field(f.index)
		if fv.IsZero() {
			continue
		}
		dst = binary.LittleEndian.AppendUint16(dst, f.tag)
		lenAt := len(dst)
		dst = append(dst, 0, 0, 0, 0)
		dst = encodeValue(dst, fv)
		binary.LittleEndian.PutUint32(dst[lenAt:], uint32(len(dst)-lenAt-4))
	}
	return dst
}

func encodeValue(dst []byte, v reflect.Value) []byte {
	switch v.Kind() {
	case reflect.String:
		return append(dst, v.String()...)
	case reflect.Bool:
		if v.Bool() {
			return append(dst, 1)
		}
		return append(dst, 0)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return binary.LittleEndian.AppendUint64(dst, uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return binary.LittleEndian.AppendUint64(dst, v.Uint())
	case reflect.Array:
		for i := 0; i < v.Len(); i++ {
			dst = append(dst, byte(v.Index(i).Uint()))
		}
		return dst
	case reflect.Struct:
		if v.Type() == timeType {
			t := v.Interface().(time.Time)
			dst = binary.LittleEndian.AppendUint64(dst, uint64(t.Unix()))
			return binary.LittleEndian.AppendUint32(dst, uint32(t.Nanosecond()))
		}
		return encodeFields(dst, v)
	case reflect.Slice:
		for i := 0; i < v.Len(); i++ {
			lenAt := len(dst)
			dst = append(dst, 0, 0, 0, 0)
			dst = encodeFields(dst, v.Index(i))
			binary.LittleEndian.PutUint32(dst[lenAt:], uint32(len(dst)-lenAt-4))
		}
		return dst
	}
	panic("media: unsupported field kind " + v.Kind().String())
}

// decodeFields fills the struct v from body. It never panics on bad input:
// every length is checked against what is left.
func decodeFields(body []byte, v reflect.Value) error {
	byTag := map[uint16]int{}
	for _, f := range fieldsOf(v.Type()) {
		byTag[f.tag] = f.index
	}
	for off := 0; off < len(body); {
		if len(body)-off < 6 {
			return fmt.Errorf("field header at %d cut short", off)
		}
		tag := binary.LittleEndian.Uint16(body[off:])
		n := int(binary.LittleEndian.Uint32(body[off+2:]))
		off += 6
		if n > len(body)-off {
			return fmt.Errorf("field %d at %d: length %d past the end", tag, off-6, n)
		}
		val := body[off : off+n]
		off += n
		idx, ok := byTag[tag]
		if !ok {
			continue // a newer writer's field
		}
		if err := decodeValue(val, v.Field(idx)); err != nil {
			return fmt.Errorf("field %d (%s): %w", tag, v.Type().Field(idx).Name, err)
		}
	}
	return nil
}

func decodeValue(val []byte, v reflect.Value) error {
	switch v.Kind() {
	case reflect.String:
		if !utf8.Valid(val) {
			return fmt.Errorf("invalid UTF-8")
		}
		v.SetString(string(val))
	case reflect.Bool:
		if len(val) != 1 || val[0] > 1 {
			return fmt.Errorf("bad bool")
		}
		v.SetBool(val[0] == 1)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if len(val) != 8 {
			return fmt.Errorf("integer of %d bytes", len(val))
		}
		x := int64(binary.LittleEndian.Uint64(val))
		if v.OverflowInt(x) {
			return fmt.Errorf("integer %d out of range", x)
		}
		v.SetInt(x)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		if len(val) != 8 {
			return fmt.Errorf("integer of %d bytes", len(val))
		}
		x := binary.LittleEndian.Uint64(val)
		if v.OverflowUint(x) {
			return fmt.Errorf("integer %d out of range", x)
		}
		v.SetUint(x)
	case reflect.Array:
		if len(val) != v.Len() {
			return fmt.Errorf("array of %d bytes, want %d", len(val), v.Len())
		}
		for i := range val {
			v.Index(i).SetUint(uint64(val[i]))
		}
	case reflect.Struct:
		if v.Type() != timeType {
			return decodeFields(val, v)
		}
		if len(val) != 12 {
			return fmt.Errorf("time of %d bytes", len(val))
		}
		sec := int64(binary.LittleEndian.Uint64(val))
		nsec := binary.LittleEndian.Uint32(val[8:])
		// Year 1..9999 bounds: SQL Server's datetime2 range, and it keeps
		// time.Unix far from overflow.
		if nsec >= 1e9 || sec < minUnix || sec > maxUnix {
			return fmt.Errorf("time out of range")
		}
		v.Set(reflect.ValueOf(time.Unix(sec, int64(nsec)).UTC()))
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 0, 0)
		for off := 0; off < len(val); {
			if len(val)-off < 4 {
				return fmt.Errorf("element header cut short")
			}
			n := int(binary.LittleEndian.Uint32(val[off:]))
			off += 4
			if n > len(val)-off {
				return fmt.Errorf("element length %d past the end", n)
			}
			e := reflect.New(v.Type().Elem()).Elem()
			if err := decodeFields(val[off:off+n], e); err != nil {
				return fmt.Errorf("element %d: %w", s.Len(), err)
			}
			s = reflect.Append(s, e)
			off += n
		}
		v.Set(s)
	default:
		return fmt.Errorf("unsupported kind %s", v.Kind())
	}
	return nil
}

var (
	minUnix = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).Unix()
	maxUnix = time.Date(9999, 12, 31, 23, 59, 59, 0, time.UTC).Unix()
)
