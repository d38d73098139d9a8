package config

import (
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/aiosys/aios/kernel/tools"
)

// validateTools checks the [[tools]] entries: known kinds, distinct valid names, bounds that
// make sense, and the keys each kind needs and no others.
func validateTools(entries []Tool) []error {
	var errs []error
	entryAt := map[string]int{}
	toolAt := map[string]string{} // tool name -> the entry that offers it
	for i, t := range entries {
		label := toolLabel(i, t.Name)
		fail := func(format string, args ...any) {
			errs = append(errs, fmt.Errorf("%s: %s", label, fmt.Sprintf(format, args...)))
		}
		switch {
		case t.Name == "":
			fail("name is missing")
		case !toolName.MatchString(t.Name):
			fail("name must be 1 to 64 letters, digits, '_' or '-'")
		}
		if j, dup := entryAt[t.Name]; dup && t.Name != "" {
			fail("tools[%d] has the same name; give each entry its own", j)
		}
		entryAt[t.Name] = i
		offer := func(name string) {
			if other, dup := toolAt[name]; dup {
				fail("tool %q is offered by %s too", name, other)
			}
			toolAt[name] = label
		}
		if err := t.Policy.Rate.Validate(); err != nil {
			fail("%v", err)
		}
		if t.Policy.MaxOutput < 0 || t.Policy.MaxOutput > maxToolOutput {
			fail("max_output must be at most 1GiB")
		}
		if t.Policy.Timeout < 0 {
			fail("timeout %s is negative", t.Policy.Timeout)
		}
		keys := t.kindKeys()
		switch t.Kind {
		case tools.KindHTTPFetch:
			offer(t.Name)
			errs = append(errs, prefixed(label, keys.only("allow_hosts", "allow_addresses", "max_redirects"), t.validateHTTPFetch())...)
		case tools.KindMCP:
			errs = append(errs, prefixed(label, keys.only("command", "url", "env", "tools"), t.validateMCP())...)
		case tools.KindExtism:
			for _, fn := range t.Functions {
				if toolName.MatchString(fn.Name) {
					offer(fn.Name)
				}
			}
			errs = append(errs, prefixed(label, keys.only("path", "functions"), t.validateExtism())...)
		case "":
			fail("kind is missing (http_fetch, mcp or extism)")
		default:
			fail("kind %q is not http_fetch, mcp or extism", t.Kind)
		}
	}
	return errs
}

func prefixed(label string, lists ...[]error) []error {
	var out []error
	for _, l := range lists {
		for _, err := range l {
			out = append(out, fmt.Errorf("%s: %w", label, err))
		}
	}
	return out
}

// kindKeys are the kind-specific keys an entry sets.
type kindKeys []string

func (t Tool) kindKeys() kindKeys {
	var k kindKeys
	add := func(set bool, key string) {
		if set {
			k = append(k, key)
		}
	}
	add(len(t.AllowHosts) > 0, "allow_hosts")
	add(len(t.AllowAddresses) > 0, "allow_addresses")
	add(t.MaxRedirects != 0, "max_redirects")
	add(len(t.Command) > 0, "command")
	add(t.URL != "", "url")
	add(len(t.Env) > 0, "env")
	add(len(t.Tools) > 0, "tools")
	add(t.Path != "", "path")
	add(len(t.Functions) > 0, "functions")
	return k
}

// only reports the keys not among allowed.
func (k kindKeys) only(allowed ...string) []error {
	var errs []error
	for _, key := range k {
		ok := false
		for _, a := range allowed {
			ok = ok || a == key
		}
		if !ok {
			errs = append(errs, fmt.Errorf("%s does not apply to this kind", key))
		}
	}
	return errs
}

func (t Tool) validateHTTPFetch() []error {
	var errs []error
	if len(t.AllowHosts) == 0 {
		errs = append(errs, errors.New(`allow_hosts is empty, so every fetch would be refused; list the hosts ("*" for any, with policy grants deciding)`))
	}
	for _, h := range t.AllowHosts {
		if err := tools.CheckHostPattern(h); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

func (t Tool) validateMCP() []error {
	var errs []error
	switch {
	case len(t.Command) > 0 && t.URL != "":
		errs = append(errs, errors.New("set command (a stdio server) or url (a streamable HTTP server), not both"))
	case len(t.Command) == 0 && t.URL == "":
		errs = append(errs, errors.New("set command (a stdio server) or url (a streamable HTTP server)"))
	case len(t.Command) > 0 && strings.TrimSpace(t.Command[0]) == "":
		errs = append(errs, errors.New("command[0], the program, is empty"))
	case t.URL != "":
		u, err := url.Parse(t.URL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Errorf("url %q is not an http or https URL", t.URL))
		}
		if len(t.Env) > 0 {
			errs = append(errs, errors.New("env applies to a stdio server (command), not to url"))
		}
	}
	for _, arg := range t.Command {
		if strings.ContainsRune(arg, 0) {
			errs = append(errs, errors.New("command holds a NUL byte"))
		}
	}
	for _, e := range t.Env {
		name, _, _ := strings.Cut(e, "=")
		if name == "" || strings.ContainsAny(e, "\x00") || strings.ContainsAny(name, " \t\n") {
			errs = append(errs, fmt.Errorf("env entry %q: want NAME=value, or NAME to pass aios's own value through", e))
		}
	}
	for _, name := range t.Tools {
		if name == "" {
			errs = append(errs, errors.New("tools holds an empty name"))
		}
	}
	if t.Description != "" {
		errs = append(errs, errors.New("description does not apply to mcp: the server describes its tools"))
	}
	return errs
}

func (t Tool) validateExtism() []error {
	var errs []error
	if t.Path == "" {
		errs = append(errs, errors.New("path, the plugin's .wasm file, is missing"))
	}
	if len(t.Functions) == 0 {
		errs = append(errs, errors.New("no [[tools.functions]]: list the plugin's functions to offer as tools"))
	}
	if t.Description != "" {
		errs = append(errs, errors.New("description does not apply to extism: describe each of its functions"))
	}
	for j, fn := range t.Functions {
		if !toolName.MatchString(fn.Name) {
			errs = append(errs, fmt.Errorf("functions[%d]: name must be 1 to 64 letters, digits, '_' or '-'", j))
			continue
		}
		if err := tools.CheckSchema(fn.Parameters); err != nil {
			errs = append(errs, fmt.Errorf("functions[%d] %q: parameters: %w", j, fn.Name, err))
		}
	}
	return errs
}

// ToolOptions returns the tool manager's options: each entry's policy, by its name.
func (c Config) ToolOptions() tools.Options {
	opts := tools.Options{Sources: map[string]tools.Policy{}}
	for _, t := range c.Tools {
		opts.Sources[t.Name] = t.Policy
	}
	return opts
}

// HTTPFetchConfig returns the configuration of an http_fetch entry's tool.
func (t Tool) HTTPFetchConfig() tools.HTTPFetchConfig {
	return tools.HTTPFetchConfig{Name: t.Name, Description: t.Description, AllowHosts: t.AllowHosts, AllowAddresses: t.AllowAddresses, MaxRedirects: t.MaxRedirects}
}

// BuiltinTools returns the sources of the http_fetch entries; the caller builds the mcp and
// extism entries' and closes them all (tools.Manager.Close does).
func (c Config) BuiltinTools() ([]tools.Source, error) {
	var out []tools.Source
	for i, t := range c.Tools {
		if t.Kind != tools.KindHTTPFetch {
			continue
		}
		h, err := tools.NewHTTPFetch(t.HTTPFetchConfig())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", toolLabel(i, t.Name), err)
		}
		out = append(out, h)
	}
	return out, nil
}
