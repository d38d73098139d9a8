// Package oci moves aios bundles through OCI registries with oras-go: publish a bundle as a
// CNCF wasm artifact, pull it into a local OCI image layout cache, and search a registry's
// agents. Any OCI registry is therefore a hub.
//
// The artifact follows the CNCF TAG Runtime "Wasm OCI Artifact" layout: an OCI image manifest
// whose config has media type application/vnd.wasm.config.v0+json and whose single layer,
// application/wasm, is the bundle file. Name, version and description travel in the standard
// org.opencontainers.image.* manifest annotations. See docs/BUNDLE.md.
package oci
