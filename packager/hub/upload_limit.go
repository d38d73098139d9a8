package hub

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

// DefaultMaxUpload is the largest blob a hub accepts when Config.MaxUpload is zero. A bundle is
// at most a few tens of MiB (bundle.MaxBundleSize); anything far larger is a mistake or abuse
// of the disk.
const DefaultMaxUpload = 64 << 20

// errUploadTooLarge ends the reading of a request body that went past the cap.
var errUploadTooLarge = errors.New("blob upload larger than the hub's limit")

// uploadLimit refuses blob uploads larger than max with 413 Request Entity Too Large, counting
// what earlier chunks of the same upload session already stored, so a blob cannot be grown
// past the cap a chunk at a time. A body is never read past the cap, so an oversized upload
// costs the hub at most max bytes of disk and none of memory.
type uploadLimit struct {
	next http.Handler
	max  int64
}

func (u *uploadLimit) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	session, ok := blobUpload(r)
	if !ok {
		u.next.ServeHTTP(w, r)
		return
	}
	room := u.max
	if session {
		room -= u.stored(r)
	}
	if room < 0 || r.ContentLength > room {
		u.refuse(w)
		return
	}
	body := &cappedBody{rc: r.Body, room: room}
	r.Body = body
	u.next.ServeHTTP(&cappedWriter{ResponseWriter: w, body: body, limit: u}, r)
}

// blobUpload reports whether r writes blob data: a POST that starts an upload (and may carry
// the whole blob), or a PATCH or PUT to an upload session (session true).
func blobUpload(r *http.Request) (isUpload, session bool) {
	if r.Method != http.MethodPost && r.Method != http.MethodPatch && r.Method != http.MethodPut {
		return false, false
	}
	_, rest, found := strings.Cut(r.URL.Path, "/blobs/uploads/")
	if !found || !strings.HasPrefix(r.URL.Path, "/v2/") {
		return false, false
	}
	return true, rest != ""
}

// stored asks the registry how many bytes the upload session of r already holds (its upload
// status, the Range header "0-END"); 0 if it cannot say, and the registry then refuses the
// chunk itself.
func (u *uploadLimit) stored(r *http.Request) int64 {
	status := r.Clone(r.Context())
	status.Method, status.Body, status.ContentLength = http.MethodGet, http.NoBody, 0
	status.Header.Del("Content-Range")
	rec := &headerRecorder{header: http.Header{}}
	u.next.ServeHTTP(rec, status)
	if rec.code != http.StatusNoContent {
		return 0
	}
	_, end, ok := strings.Cut(rec.header.Get("Range"), "-")
	n, err := strconv.ParseInt(end, 10, 64)
	if !ok || err != nil || n <= 0 {
		return 0 // "0-0" is both an empty and a one-byte upload: the cap may be off by that byte
	}
	return n + 1
}

// refuse answers 413 with an OCI error body.
func (u *uploadLimit) refuse(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Connection", "close") // the rest of the body is not read
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	fmt.Fprintf(w, `{"errors":[{"code":"SIZE_INVALID","message":"blob larger than this hub accepts (%d bytes; aios hub serve --max-upload)"}]}`+"\n", u.max)
}

// cappedBody reads a request body up to room bytes; past that, reads fail.
type cappedBody struct {
	rc     io.ReadCloser
	room   int64
	tooBig bool
}

func (b *cappedBody) Read(p []byte) (int, error) {
	if b.tooBig {
		return 0, errUploadTooLarge
	}
	if int64(len(p)) > b.room+1 {
		p = p[:b.room+1]
	}
	n, err := b.rc.Read(p)
	if int64(n) > b.room {
		b.tooBig = true
		return int(b.room), errUploadTooLarge
	}
	b.room -= int64(n)
	return n, err
}

func (b *cappedBody) Close() error { return b.rc.Close() }

// cappedWriter turns the registry's answer to a body that went past the cap into a 413.
type cappedWriter struct {
	http.ResponseWriter
	body    *cappedBody
	limit   *uploadLimit
	wrote   bool
	refused bool
}

func (w *cappedWriter) WriteHeader(code int) {
	if w.wrote {
		return
	}
	w.wrote = true
	if w.body.tooBig {
		w.refused = true
		w.limit.refuse(w.ResponseWriter)
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *cappedWriter) Write(p []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	if w.refused {
		return len(p), nil
	}
	return w.ResponseWriter.Write(p)
}

// headerRecorder keeps the status and headers of an internal request and drops its body.
type headerRecorder struct {
	header http.Header
	code   int
}

func (r *headerRecorder) Header() http.Header { return r.header }
func (r *headerRecorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
}
func (r *headerRecorder) Write(p []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return len(p), nil
}
