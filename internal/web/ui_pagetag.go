package web

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// A page that opts in (view.Revalidate) is sent with a weak ETag and "private, no-cache": the
// browser keeps it, asks again on every visit with If-None-Match, and is answered 304 without the
// template being executed when nothing the page shows has changed. The tag is a hash of every
// input of the template: the view, walked field by field (exported or not, so a field added
// later is covered without anyone remembering to), the template's name, the time zone the
// functions format in, and the running executable (templates, catalogues, functions and asset
// names are all compiled in, so a new release never meets an old tag; replicas of one image
// agree). A value the walk cannot hash (a func, a channel, a map with keys other than strings, a
// structure deeper than maxTagDepth) means no tag: the page is rendered and sent no-store.

// maxTagDepth bounds the walk; the document page's view is about 6 levels deep.
const maxTagDepth = 24

// buildKey is the SHA-256 of the running executable, read once (about 40 MB at some GB/s); if it
// cannot be read, random bytes: tags then only hold within this process, which is still correct.
var buildKey = sync.OnceValue(func() []byte {
	h := sha256.New()
	if name, err := os.Executable(); err == nil {
		if f, err := os.Open(name); err == nil {
			_, cerr := io.Copy(h, f)
			_ = f.Close()
			if cerr == nil {
				return h.Sum(nil)
			}
		}
	}
	return []byte(rand.Text())
})

// pageSum returns the hash of everything template name reads when rendered from v, or false if
// v holds a value the walk does not hash. The page's ETag (pageTag) and its key in the page cache
// are made from it.
func (u *ui) pageSum(name string, v view) ([32]byte, bool) {
	b := make([]byte, 0, 8<<10)
	b = append(b, buildKey()...)
	b = appendTagString(b, name)
	b = appendTagString(b, u.loc.String())
	b, ok := appendTagValue(b, reflect.ValueOf(v), 0)
	if !ok {
		return [32]byte{}, false
	}
	return sha256.Sum256(b), true
}

// pageTag is the weak ETag of the page whose pageSum is sum.
func pageTag(sum [32]byte) string {
	return `W/"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
}

var timeType = reflect.TypeFor[time.Time]()

// appendTagValue appends an unambiguous encoding of v to b: every value starts with a letter
// naming its kind, strings and sequences carry their length, numbers end with ';'.
func appendTagValue(b []byte, v reflect.Value, depth int) ([]byte, bool) {
	if depth > maxTagDepth {
		return b, false
	}
	switch v.Kind() {
	case reflect.Invalid:
		return append(b, 'z'), true
	case reflect.Bool:
		if v.Bool() {
			return append(b, 'T'), true
		}
		return append(b, 'F'), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return append(strconv.AppendInt(append(b, 'i'), v.Int(), 10), ';'), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return append(strconv.AppendUint(append(b, 'u'), v.Uint(), 10), ';'), true
	case reflect.Float32, reflect.Float64:
		return append(strconv.AppendFloat(append(b, 'f'), v.Float(), 'g', -1, 64), ';'), true
	case reflect.String:
		return appendTagString(b, v.String()), true
	case reflect.Pointer:
		if v.IsNil() {
			return append(b, 'n'), true
		}
		return appendTagValue(append(b, 'p'), v.Elem(), depth+1)
	case reflect.Interface:
		if v.IsNil() {
			return append(b, 'n'), true
		}
		e := v.Elem()
		return appendTagValue(appendTagString(append(b, 'I'), e.Type().String()), e, depth+1)
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return append(b, 'n'), true
		}
		b = append(strconv.AppendInt(append(b, '['), int64(v.Len()), 10), ';')
		if v.Type().Elem().Kind() == reflect.Uint8 && v.Kind() == reflect.Slice {
			return append(b, v.Bytes()...), true
		}
		for i := range v.Len() {
			var ok bool
			if b, ok = appendTagValue(b, v.Index(i), depth+1); !ok {
				return b, false
			}
		}
		return b, true
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String {
			return b, false
		}
		if v.IsNil() {
			return append(b, 'n'), true
		}
		keys := v.MapKeys()
		slices.SortFunc(keys, func(x, y reflect.Value) int { return strings.Compare(x.String(), y.String()) })
		b = append(strconv.AppendInt(append(b, 'm'), int64(len(keys)), 10), ';')
		for _, k := range keys {
			var ok bool
			if b, ok = appendTagValue(appendTagString(b, k.String()), v.MapIndex(k), depth+1); !ok {
				return b, false
			}
		}
		return b, true
	case reflect.Struct:
		if v.Type() == timeType && v.CanInterface() {
			// The instant and the zone: time.Time's fields include a pointer to its Location.
			t := v.Interface().(time.Time)
			return appendTagString(t.AppendFormat(append(b, 't'), time.RFC3339Nano), t.Location().String()), true
		}
		if v.Type() == timeType {
			return b, false
		}
		b = append(b, '{')
		for i := range v.NumField() {
			var ok bool
			if b, ok = appendTagValue(b, v.Field(i), depth+1); !ok {
				return b, false
			}
		}
		return append(b, '}'), true
	}
	return b, false // func, chan, complex, unsafe pointer
}

func appendTagString(b []byte, s string) []byte {
	b = append(strconv.AppendInt(append(b, 's'), int64(len(s)), 10), ':')
	return append(b, s...)
}
