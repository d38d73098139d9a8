package config

import (
	"fmt"
	"net"
	"net/url"
)

// Serve is the [server] table: what `aios kernel serve` does when its flags do not say.
type Serve struct {
	// Listen is the address to listen on, HOST:PORT; empty: the command's default.
	Listen string
	// TokensFile maps bearer tokens to tenants (server.ParseTokens); absolute. Empty: none,
	// unless $AIOS_TOKENS_FILE names one.
	TokensFile string
	// ModulesDir is the directory POST /v1/runs may name files in; absolute. Empty: none.
	ModulesDir string
	// Durable journals every run the server starts and resumes, at start, the runs a crash
	// left running (docs/DURABLE.md).
	Durable bool
}

// Remote is the [remote] table: the kernel the remote commands (`aios run --kernel`, `ps`,
// `logs`, `top`, …) talk to when neither their flags nor the environment name one.
type Remote struct {
	// Kernel is the kernel's URL, http or https.
	Kernel string
	// TokenFile holds the bearer token (its first line); absolute. The file must not be
	// readable by group or others.
	TokenFile string
}

type fileServe struct {
	Listen     string `toml:"listen"`
	TokensFile string `toml:"tokens_file"`
	ModulesDir string `toml:"modules_dir"`
	Durable    bool   `toml:"durable"`
}

type fileRemote struct {
	Kernel    string `toml:"kernel"`
	TokenFile string `toml:"token_file"`
}

// serve converts the table; relative paths are relative to base, the file's directory.
func (f fileServe) serve(base string) (Serve, error) {
	s := Serve{Listen: f.Listen, Durable: f.Durable}
	if s.Listen != "" {
		if _, _, err := net.SplitHostPort(s.Listen); err != nil {
			return Serve{}, fmt.Errorf("server.listen %q: want HOST:PORT, e.g. \"127.0.0.1:7420\"", s.Listen)
		}
	}
	var err error
	if s.TokensFile, err = optionalPath("server.tokens_file", f.TokensFile, base); err != nil {
		return Serve{}, err
	}
	if s.ModulesDir, err = optionalPath("server.modules_dir", f.ModulesDir, base); err != nil {
		return Serve{}, err
	}
	return s, nil
}

// remote converts the table; a relative token_file is relative to base, the file's directory.
func (f fileRemote) remote(base string) (Remote, error) {
	r := Remote{Kernel: f.Kernel}
	if r.Kernel != "" {
		u, err := url.Parse(r.Kernel)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return Remote{}, fmt.Errorf("remote.kernel %q: want the kernel's URL, e.g. \"http://127.0.0.1:7420\"", r.Kernel)
		}
	}
	var err error
	if r.TokenFile, err = optionalPath("remote.token_file", f.TokenFile, base); err != nil {
		return Remote{}, err
	}
	return r, nil
}

// optionalPath expands p (see expandPath) unless it is empty; errors name key.
func optionalPath(key, p, base string) (string, error) {
	if p == "" {
		return "", nil
	}
	abs, err := expandPath(p, base)
	if err != nil {
		return "", fmt.Errorf("%s: %w", key, err)
	}
	return abs, nil
}
