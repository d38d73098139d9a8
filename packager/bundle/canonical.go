package bundle

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// canonicalJSON encodes v in the canonical form docs/BUNDLE.md defines: object keys sorted by
// their bytes, no insignificant whitespace, no HTML escaping, integers only. One value therefore
// has exactly one encoding, which is what a signature and a digest need.
func canonicalJSON(v any) ([]byte, error) {
	plain, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(plain))
	dec.UseNumber()
	var generic any
	if err := dec.Decode(&generic); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(generic); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// decodeCanonical decodes data strictly into v (unknown fields refused) and checks that data
// is exactly the canonical encoding of the result, after normalize has run. Anything else
// (whitespace, reordered or duplicated keys, non-normal values) is refused, so a stored
// section has one meaning and one spelling.
func decodeCanonical(data []byte, v any, normalize func() error) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data after the JSON object")
	}
	if err := normalize(); err != nil {
		return err
	}
	want, err := canonicalJSON(v)
	if err != nil {
		return err
	}
	if !bytes.Equal(want, data) {
		return fmt.Errorf("not in canonical form (expected %d bytes %.40q…)", len(want), want)
	}
	return nil
}

// MarshalCanonical returns the manifest's canonical JSON, the exact bytes a bundle stores and
// a signature covers. It validates and normalizes a copy of m first.
func (m Manifest) MarshalCanonical() ([]byte, error) {
	n := m.clone()
	if n.Schema == 0 {
		n.Schema = ManifestSchema
	}
	if err := n.normalize(); err != nil {
		return nil, err
	}
	data, err := canonicalJSON(n)
	if err != nil {
		return nil, fmt.Errorf("encode manifest: %w", err)
	}
	if len(data) > MaxManifestSize {
		return nil, fmt.Errorf("%w: %d bytes encoded, more than %d", ErrInvalidManifest, len(data), MaxManifestSize)
	}
	return data, nil
}

// decodeManifest reads a manifest section payload.
func decodeManifest(data []byte) (Manifest, error) {
	if len(data) > MaxManifestSize {
		return Manifest{}, fmt.Errorf("%w: section is %d bytes, more than %d", ErrInvalidManifest, len(data), MaxManifestSize)
	}
	var m Manifest
	if err := decodeCanonical(data, &m, m.normalize); err != nil {
		return Manifest{}, fmt.Errorf("%w: %v", ErrInvalidManifest, err)
	}
	return m, nil
}

// clone copies m deeply, so normalizing the copy never sorts the caller's slices.
func (m Manifest) clone() Manifest {
	c := m
	c.Authors = append([]string(nil), m.Authors...)
	c.Capabilities.Models = append([]string(nil), m.Capabilities.Models...)
	c.Capabilities.Classes = append([]string(nil), m.Capabilities.Classes...)
	c.Capabilities.Tools = append([]string(nil), m.Capabilities.Tools...)
	c.Capabilities.Memory = append([]string(nil), m.Capabilities.Memory...)
	c.Capabilities.Calls = append([]string(nil), m.Capabilities.Calls...)
	c.Preinit = m.Preinit.clone()
	return c
}
