// Package console is the kernel's web console: static HTML, CSS and JavaScript, embedded in the
// binary, that show a tenant's runs (with their live event streams), usage, pending approvals
// and audit log by calling the kernel's HTTP API from the browser. Nothing is fetched from
// elsewhere and nothing is built: the files in static/ are served as they are.
//
// # Notes
//
// The files are public: they hold no data. The page asks for a bearer token when the API
// answers 401, keeps it in the tab's sessionStorage and sends it in the Authorization header of
// each API request, never in a URL.
package console

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

//go:embed static
var static embed.FS

// Prefix is the path the console's assets are served under; the page itself is at "/".
const Prefix = "/console/"

// contentSecurityPolicy lets the page run only its own scripts and styles and talk only to its
// own origin: no inline script or style, no frames, no form posts, no plugins.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// Handler serves the console: GET / is the page, GET /console/NAME its assets; any other path
// is 404. Every response carries the strict headers above.
func Handler() http.Handler {
	files, err := fs.Sub(static, "static")
	if err != nil {
		panic(err) // the embedded tree is fixed at build time
	}
	assets := http.StripPrefix(Prefix, http.FileServerFS(files))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cache-Control", "no-cache")
		switch {
		case r.URL.Path == "/":
			http.ServeFileFS(w, r, files, "index.html")
		case isAsset(r.URL.Path):
			assets.ServeHTTP(w, r)
		default:
			http.NotFound(w, r)
		}
	})
}

// isAsset reports whether p names a file under Prefix: clean, not the directory itself (no
// listings) and not the page under another name.
func isAsset(p string) bool {
	name, ok := strings.CutPrefix(p, Prefix)
	return ok && name != "" && path.Clean(p) == p && !strings.Contains(name, "/") && name != "index.html"
}
