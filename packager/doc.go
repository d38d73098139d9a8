// Package packager turns agent modules into bundles and moves bundles between machines.
//
// The work is split into rooms, each with one purpose:
//
//   - [github.com/aiosys/aios/packager/bundle]: the bundle file format (docs/BUNDLE.md): the
//     manifest and signature custom sections, Ed25519 keys, signing, verification against a
//     trust policy, and inspection.
//   - [github.com/aiosys/aios/packager/oci]: publishing bundles to any OCI registry, pulling
//     them into a local OCI layout cache, and searching a registry, with oras-go.
//   - [github.com/aiosys/aios/packager/hub]: a local OCI registry (the "hub") built on the
//     reference implementation, distribution/v3.
//
// packager imports nothing of kernel or runtime; the CLI and the wiring point compose it with
// them.
package packager
