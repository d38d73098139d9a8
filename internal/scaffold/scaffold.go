package scaffold

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"
)

// MaxNameLen is the longest agent name: the manifest's limit.
const MaxNameLen = 64

var (
	// ErrBadName is returned for a name that cannot be an agent's.
	ErrBadName = errors.New("invalid agent name")
	// ErrExists is returned when the project's directory exists and is not empty.
	ErrExists = errors.New("directory exists and is not empty")
)

// validName is what a name must be to serve as the directory, the Go module path, the
// file name NAME.wasm and the manifest's name at once.
var validName = regexp.MustCompile(`^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$`)

//go:embed templates
var templates embed.FS

// Project is what the templates see.
type Project struct {
	Name        string
	GoVersion   string // the go line of the SDK's go.mod
	SDKModule   string
	AIOSVersion string
}

// CheckName returns an error wrapping ErrBadName when name cannot be an agent's name.
func CheckName(name string) error {
	if len(name) > MaxNameLen || !validName.MatchString(name) {
		return fmt.Errorf("%w %q: use 1 to %d of a-z, 0-9, - and _, starting and ending with a letter or digit", ErrBadName, name, MaxNameLen)
	}
	return nil
}

// WriteGo writes a Go agent project called name into dir, which must be missing or empty:
// main.go, go.mod, agent.toml, Makefile, .gitignore, and the SDK in third_party/sdk-go.
// aiosVersion is noted in go.mod. It returns the paths written, relative to dir; on an error
// it removes what it wrote.
func WriteGo(dir, name, aiosVersion string) ([]string, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	files, err := goFiles(Project{Name: name, GoVersion: sdkGoVersion(), SDKModule: sdkModule, AIOSVersion: aiosVersion})
	if err != nil {
		return nil, err
	}
	return writeProject(dir, files)
}

// writeProject writes files into dir, which must be missing or empty, or removes what it
// wrote when it cannot write them all.
func writeProject(dir string, files []projectFile) ([]string, error) {
	created, err := makeEmptyDir(dir)
	if err != nil {
		return nil, err
	}
	var written []string
	for _, f := range files {
		if err := writeNew(filepath.Join(dir, filepath.FromSlash(f.name)), f.data); err != nil {
			undo(dir, created, written)
			return nil, err
		}
		written = append(written, f.name)
	}
	return written, nil
}

// writeNew writes a file that must not exist yet, creating its directory.
func writeNew(p string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(p), err)
	}
	// O_EXCL: never overwrite a file that appeared since the directory was checked.
	out, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("create %s: %w", p, err)
	}
	_, err = out.Write(data)
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// undo removes a half-written project: the directory if WriteGo created it, else what it
// wrote into the empty directory it was given.
func undo(dir string, created bool, written []string) {
	if created {
		os.RemoveAll(dir)
		return
	}
	for _, name := range written {
		top, _, _ := strings.Cut(name, "/")
		os.RemoveAll(filepath.Join(dir, top))
	}
}

type projectFile struct {
	name string // slash-separated, relative to the project
	data []byte
}

// goFiles renders the Go templates and lists the SDK's files.
func goFiles(p Project) ([]projectFile, error) {
	var files []projectFile
	err := fs.WalkDir(templates, "templates/go", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		src, err := templates.ReadFile(name)
		if err != nil {
			return err
		}
		t, err := template.New(name).Option("missingkey=error").Parse(string(src))
		if err != nil {
			return fmt.Errorf("template %s: %w", name, err)
		}
		var buf bytes.Buffer
		if err := t.Execute(&buf, p); err != nil {
			return fmt.Errorf("template %s: %w", name, err)
		}
		out := strings.TrimSuffix(path.Base(name), ".tmpl")
		if out == "gitignore" { // a dotfile in the embedded tree would be left out by go:embed
			out = ".gitignore"
		}
		files = append(files, projectFile{name: out, data: buf.Bytes()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, f := range sdkFiles() {
		files = append(files, projectFile{name: "third_party/sdk-go/" + f.Name, data: f.Data})
	}
	return files, nil
}

// sdkGoVersion is the go line of the embedded SDK's go.mod: the project needs no newer Go.
func sdkGoVersion() string {
	for _, f := range sdkFiles() {
		if f.Name != "go.mod" {
			continue
		}
		for _, line := range strings.Split(string(f.Data), "\n") {
			if v, ok := strings.CutPrefix(strings.TrimSpace(line), "go "); ok {
				return strings.TrimSpace(v)
			}
		}
	}
	return "1.26"
}

// makeEmptyDir creates dir, or accepts it when it exists and is empty. created says which.
func makeEmptyDir(dir string) (created bool, err error) {
	err = os.Mkdir(dir, 0o755)
	if err == nil {
		return true, nil
	}
	if !errors.Is(err, fs.ErrExist) {
		return false, fmt.Errorf("create %s: %w", dir, err)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return false, fmt.Errorf("%s: %w", dir, err)
	}
	if len(entries) > 0 {
		return false, fmt.Errorf("%s: %w", dir, ErrExists)
	}
	return false, nil
}
