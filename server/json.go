package server

import (
	"encoding/json"
	"net/http"

	"github.com/aiosys/aios/client"
)

// writeJSON writes v as the response's JSON body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// writeError writes an error body: {"error": msg}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, client.ErrorBody{Error: msg})
}
