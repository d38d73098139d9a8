package oci

import (
	"encoding/json"
	"fmt"
)

// Media types of a bundle artifact.
const (
	// ConfigMediaType is the wasm artifact config.
	ConfigMediaType = "application/vnd.wasm.config.v0+json"
	// LayerMediaType is the wasm module layer.
	LayerMediaType = "application/wasm"
	// LegacyLayerMediaType is the older layer type, accepted on pull and never written.
	LegacyLayerMediaType = "application/vnd.wasm.content.layer.v1+wasm"
)

// Annotation keys written on a bundle's manifest (OCI image-spec predefined keys).
const (
	AnnotationTitle       = "org.opencontainers.image.title"
	AnnotationVersion     = "org.opencontainers.image.version"
	AnnotationDescription = "org.opencontainers.image.description"
	AnnotationAuthors     = "org.opencontainers.image.authors"
	AnnotationLicenses    = "org.opencontainers.image.licenses"
	AnnotationCreated     = "org.opencontainers.image.created"
)

// wasmConfig is the config blob of the wasm artifact layout.
type wasmConfig struct {
	Author       string   `json:"author,omitempty"`
	Architecture string   `json:"architecture"`
	OS           string   `json:"os"`
	LayerDigests []string `json:"layerDigests"`
}

// configBlob encodes the config for a bundle layer. It carries no timestamp, so the same
// bundle always gives the same config digest.
func configBlob(author, layerDigest string) ([]byte, error) {
	data, err := json.Marshal(wasmConfig{
		Author:       author,
		Architecture: "wasm",
		OS:           "wasip1",
		LayerDigests: []string{layerDigest},
	})
	if err != nil {
		return nil, fmt.Errorf("encode wasm config: %w", err)
	}
	return data, nil
}

func isLayerMediaType(mt string) bool {
	return mt == LayerMediaType || mt == LegacyLayerMediaType
}
