package lab

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// The control endpoint: HTTP on 127.0.0.1, every request with the state
// file's token as a bearer token (another local user cannot read the
// file, so cannot drive the lab).
//
//	GET  /status  StatusResult
//	POST /check   CheckResult, or 409 with {"error": ...} when busy
//	POST /down    202; ?keep=1 keeps the lab folder
const (
	pathStatus = "/status"
	pathCheck  = "/check"
	pathDown   = "/down"
)

// StatusResult is what a running lab says about itself.
type StatusResult struct {
	State
	PoolState     string   `json:"poolState,omitempty"`
	ActiveServers []string `json:"activeServers,omitempty"`
	Traffic       Traffic  `json:"traffic"`
}

type errorBody struct {
	Error string `json:"error"`
}

func (l *lab) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+pathStatus, func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		s := StatusResult{State: l.st}
		l.mu.Unlock()
		s.Token = ""
		if s.Phase == PhaseReady {
			ctx, cancel := context.WithTimeout(r.Context(), 10*time.Second)
			defer cancel()
			if st, err := l.d.Pool().State(ctx); err == nil {
				s.PoolState, s.ActiveServers = string(st.PoolState), st.ActiveServers
			}
			s.Traffic = trafficOf(l.cfg.Rate, l.traffic())
		}
		writeJSON(w, http.StatusOK, s)
	})
	mux.HandleFunc("POST "+pathCheck, func(w http.ResponseWriter, r *http.Request) {
		res, err := l.check(r.Context())
		switch {
		case errors.Is(err, ErrBusy):
			writeJSON(w, http.StatusConflict, errorBody{err.Error()})
		case err != nil:
			writeJSON(w, http.StatusInternalServerError, errorBody{err.Error()})
		default:
			writeJSON(w, http.StatusOK, res)
		}
	})
	mux.HandleFunc("POST "+pathDown, func(w http.ResponseWriter, r *http.Request) {
		keep := r.URL.Query().Get("keep") == "1"
		l.mu.Lock()
		l.keepReq = l.keepReq || keep
		l.mu.Unlock()
		l.printf("lab: stop requested (lab down)")
		w.WriteHeader(http.StatusAccepted)
		l.stop()
	})
	return l.authorized(mux)
}

func (l *lab) keepRequested() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.keepReq
}

// authorized passes requests that carry the lab's token.
func (l *lab) authorized(next http.Handler) http.Handler {
	want := []byte("Bearer " + l.st.Token)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("Authorization")), want) != 1 {
			writeJSON(w, http.StatusUnauthorized, errorBody{"the lab's token (from its state file) is required"})
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}
