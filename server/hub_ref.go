package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"unicode"
)

// maxRefLen bounds a hub reference in a request; real ones are far shorter.
const maxRefLen = 512

// Puller fetches the bundle a hub reference (HOST/REPOSITORY[:TAG|@DIGEST]) names and returns
// its bytes; the server verifies them against its own trust configuration afterwards. An error
// wrapping fs.ErrNotExist says the reference names nothing (404); others say the hub could not
// be used (502).
type Puller func(ctx context.Context, ref string) ([]byte, error)

// pullRef fetches ref with the server's Puller.
func (s *Server) pullRef(ctx context.Context, ref string) ([]byte, int, error) {
	if s.opts.Pull == nil {
		return nil, http.StatusBadRequest, errors.New("ref: this server pulls no hub references (it runs uploaded modules and files under --modules-dir)")
	}
	if len(ref) > maxRefLen {
		return nil, http.StatusBadRequest, fmt.Errorf("ref: longer than %d bytes", maxRefLen)
	}
	for _, r := range ref {
		if !unicode.IsPrint(r) || unicode.IsSpace(r) {
			return nil, http.StatusBadRequest, fmt.Errorf("ref %s: a hub reference holds no spaces or control characters", quote(ref))
		}
	}
	raw, err := s.opts.Pull(ctx, ref)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, http.StatusNotFound, fmt.Errorf("ref %s: %w", quote(ref), err)
	case err != nil:
		return nil, http.StatusBadGateway, fmt.Errorf("ref %s: pull: %w", quote(ref), err)
	}
	return raw, 0, nil
}
