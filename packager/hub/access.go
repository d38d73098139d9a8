package hub

import (
	"fmt"
	"net/http"

	"github.com/distribution/distribution/v3/registry/auth"
	// The htpasswd access controller registers itself with auth; accessController wraps it.
	_ "github.com/distribution/distribution/v3/registry/auth/htpasswd"
)

// accessControllerName is the name the hub's access controller is registered under in
// distribution's auth registry.
const accessControllerName = "aios-htpasswd"

func init() {
	if err := auth.Register(accessControllerName, auth.InitFunc(newAccessController)); err != nil {
		panic(fmt.Sprintf("register %s access controller: %v", accessControllerName, err))
	}
}

// accessController is distribution's htpasswd controller plus one rule: when anonymous pull is
// on, a request without credentials that only reads (pulls, lists the catalog or pings /v2/)
// is let through. Anything with credentials, and anything that writes, goes to htpasswd.
type accessController struct {
	htpasswd      auth.AccessController
	anonymousPull bool
}

// newAccessController takes htpasswd's options ("realm", "path") plus "anonymouspull" (bool).
func newAccessController(options map[string]any) (auth.AccessController, error) {
	anon, _ := options["anonymouspull"].(bool)
	inner := make(map[string]any, len(options))
	for k, v := range options {
		if k != "anonymouspull" {
			inner[k] = v
		}
	}
	h, err := auth.GetAccessController("htpasswd", inner)
	if err != nil {
		return nil, err
	}
	return &accessController{htpasswd: h, anonymousPull: anon}, nil
}

// Authorized implements auth.AccessController.
func (c *accessController) Authorized(r *http.Request, access ...auth.Access) (*auth.Grant, error) {
	if _, _, hasCredentials := r.BasicAuth(); !hasCredentials && c.anonymousPull && readOnly(access) {
		return &auth.Grant{User: auth.UserInfo{Name: "anonymous"}}, nil
	}
	return c.htpasswd.Authorized(r, access...)
}

// readOnly reports whether every requested access only reads.
func readOnly(access []auth.Access) bool {
	for _, a := range access {
		isPull := a.Type == "repository" && a.Action == "pull"
		isCatalog := a.Type == "registry" && a.Name == "catalog"
		if !isPull && !isCatalog {
			return false
		}
	}
	return true
}
