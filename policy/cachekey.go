package policy

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
)

// cacheKey identifies an input for the decision cache: its canonical encoding itself, an exact
// key rather than a hash of it, so inputs that differ in anything the policy may read never
// share an entry (the encoding is injective: every string and list is length-prefixed, every
// argument tagged with its type).
//
// The key covers the whole agent (identity and declared capabilities), the call, every
// argument, and only those usage fields that some loaded policy reads (usageMask). The default
// policy reads no usage, so per-call counters do not defeat the cache; an operator policy that
// reads input.usage.output_tokens puts exactly that field into the key.
type cacheKey string

// maxCacheKey bounds the encoding of an input whose decision is cached: the cache keeps its
// keys (at most DefaultCacheSize of them by default, so 32 MiB at worst), and a larger input (a
// very long argument or manifest) is decided afresh each time instead.
const maxCacheKey = 8 << 10

// usageMask says which usage fields go into the cache key: index i is usageFields[i] of
// input.usage, index len(usageFields)+i the same field of input.tenant_usage.
type usageMask [2 * len(usageFields)]bool

// key computes in's cache key under mask. It reports false, with no error, for an input whose
// encoding is longer than maxCacheKey.
func (in *Input) key(mask *usageMask) (cacheKey, bool, error) {
	var buf [512]byte
	b := buf[:0]
	a := &in.Agent
	for _, s := range [...]string{a.Name, a.Version, a.Digest, a.Publisher, a.Tenant, in.Call} {
		b = appendString(b, s)
	}
	c := &a.Capabilities
	for _, l := range [...][]string{c.Calls, c.Models, c.Classes, c.Tools, c.Hosts, c.Memory} {
		b = appendStrings(b, l)
	}
	b = binary.AppendUvarint(b, uint64(len(in.Args)))
	var names [8]string
	for _, k := range appendSortedKeys(names[:0], in.Args) {
		var err error
		if b, err = appendArg(appendString(b, k), in.Args[k], 0); err != nil {
			return "", false, fmt.Errorf("argument %q: %w", k, err)
		}
	}
	for doc, u := range [...]Usage{in.Usage, in.TenantUsage} {
		for i, n := range u.values() {
			if mask[doc*len(usageFields)+i] {
				b = binary.AppendVarint(b, n)
			}
		}
	}
	if len(b) > maxCacheKey {
		return "", false, nil
	}
	return cacheKey(b), true, nil
}

// Type tags keep encodings of different types apart ("1" and 1, [] and {}).
const (
	tagNull byte = iota
	tagFalse
	tagTrue
	tagString
	tagInt
	tagFloat
	tagNumber
	tagArray
	tagObject
)

func appendString(b []byte, s string) []byte {
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

func appendStrings(b []byte, ss []string) []byte {
	b = binary.AppendUvarint(b, uint64(len(ss)))
	for _, s := range ss {
		b = appendString(b, s)
	}
	return b
}

// appendArg appends the canonical encoding of an argument value: every value tagged with its
// JSON type, so a []string and a []any of the same strings encode alike and no two different
// values share an encoding; maps in key order. It accepts exactly the types argTerm does.
func appendArg(b []byte, v any, depth int) ([]byte, error) {
	if depth > maxArgDepth {
		return nil, fmt.Errorf("nested deeper than %d levels", maxArgDepth)
	}
	switch v := v.(type) {
	case nil:
		return append(b, tagNull), nil
	case bool:
		if v {
			return append(b, tagTrue), nil
		}
		return append(b, tagFalse), nil
	case string:
		return appendString(append(b, tagString), v), nil
	case int:
		return binary.AppendVarint(append(b, tagInt), int64(v)), nil
	case int64:
		return binary.AppendVarint(append(b, tagInt), v), nil
	case float64:
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, fmt.Errorf("number %v is not finite", v)
		}
		return binary.LittleEndian.AppendUint64(append(b, tagFloat), math.Float64bits(v)), nil
	case json.Number:
		return appendString(append(b, tagNumber), string(v)), nil
	case []string:
		b = binary.AppendUvarint(append(b, tagArray), uint64(len(v)))
		for _, e := range v {
			b = appendString(append(b, tagString), e)
		}
		return b, nil
	case []any:
		b = binary.AppendUvarint(append(b, tagArray), uint64(len(v)))
		var err error
		for _, e := range v {
			if b, err = appendArg(b, e, depth+1); err != nil {
				return nil, err
			}
		}
		return b, nil
	case map[string]string:
		b = binary.AppendUvarint(append(b, tagObject), uint64(len(v)))
		for _, k := range appendSortedKeys(nil, v) {
			b = appendString(append(appendString(b, k), tagString), v[k])
		}
		return b, nil
	case map[string]any:
		b = binary.AppendUvarint(append(b, tagObject), uint64(len(v)))
		var err error
		for _, k := range appendSortedKeys(nil, v) {
			if b, err = appendArg(appendString(b, k), v[k], depth+1); err != nil {
				return nil, fmt.Errorf("%q: %w", k, err)
			}
		}
		return b, nil
	default:
		return nil, fmt.Errorf("unsupported type %T", v)
	}
}

// appendSortedKeys appends m's keys to ks, sorted, and returns the extended slice.
func appendSortedKeys[V any](ks []string, m map[string]V) []string {
	ks = slices.Grow(ks, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}
