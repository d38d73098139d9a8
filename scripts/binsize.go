//go:build ignore

// binsize prints where the bytes of a Go binary go: the file size of each module (or, with
// -pkg, each package) whose code and data the binary holds, and of the tables that are not
// one package's (pclntab, DWARF, symbol table). Symbols in .bss take no file bytes and are left
// out. It needs the symbol table, so measure a binary built without -ldflags=-s
// (make build-debug); scripts/binsize.sh wraps it.
//
//	go run scripts/binsize.go [-pkg] [-top N] bin/aios-debug
package main

import (
	"debug/buildinfo"
	"debug/elf"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"
)

func main() {
	byPkg := flag.Bool("pkg", false, "one row per package instead of per module")
	top := flag.Int("top", 30, "rows to print (0: all)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: go run scripts/binsize.go [-pkg] [-top N] BINARY")
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *byPkg, *top); err != nil {
		fmt.Fprintln(os.Stderr, "binsize:", err)
		os.Exit(1)
	}
}

func run(path string, byPkg bool, top int) error {
	st, err := os.Stat(path)
	if err != nil {
		return err
	}
	info, err := buildinfo.ReadFile(path)
	if err != nil {
		return fmt.Errorf("%s: no Go build info: %w", path, err)
	}
	mods := []string{info.Main.Path}
	for _, d := range info.Deps {
		mods = append(mods, d.Path)
	}
	// Longest module path first, so a nested module wins over its parent.
	sort.Slice(mods, func(i, j int) bool { return len(mods[i]) > len(mods[j]) })

	f, err := elf.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	syms, err := f.Symbols()
	if err != nil {
		return fmt.Errorf("%s: %w (built with -ldflags=-s? measure an unstripped binary)", path, err)
	}
	sizes := map[string]uint64{}
	attributed := map[elf.SectionIndex]uint64{}
	for _, s := range syms {
		if s.Size == 0 || int(s.Section) >= len(f.Sections) || s.Section == elf.SHN_UNDEF {
			continue
		}
		sec := f.Sections[s.Section]
		if sec.Type == elf.SHT_NOBITS {
			continue
		}
		attributed[s.Section] += s.Size
		sizes[owner(s.Name, mods, byPkg)] += s.Size
	}
	// What no symbol covers: pclntab, DWARF, symbol and string tables, alignment.
	for i, sec := range f.Sections {
		if sec.Type == elf.SHT_NOBITS || sec.Type == elf.SHT_NULL {
			continue
		}
		size := sec.FileSize // DWARF sections are compressed; Size is the uncompressed size
		rest := size - min(size, attributed[elf.SectionIndex(i)])
		if rest == 0 {
			continue
		}
		name := "(other sections)"
		switch {
		case strings.HasPrefix(sec.Name, ".debug"):
			name = "(DWARF debug info)"
		case sec.Name == ".symtab" || sec.Name == ".strtab":
			name = "(symbol table)"
		case sec.Name == ".gopclntab":
			name = "(pclntab: func tables)"
		case sec.Name == ".rodata" || sec.Name == ".text" || sec.Name == ".noptrdata" || sec.Name == ".data":
			name = "(unnamed " + sec.Name + ")"
		}
		sizes[name] += rest
	}
	type row struct {
		name string
		size uint64
	}
	var rows []row
	var sum uint64
	for n, s := range sizes {
		rows = append(rows, row{n, s})
		sum += s
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].size > rows[j].size })
	total := uint64(st.Size())
	fmt.Printf("%s: %.1f MB file\n", path, mb(total))
	fmt.Printf("%9s %6s  %s\n", "MB", "%", "owner")
	for i, r := range rows {
		if top > 0 && i == top {
			var rest uint64
			for _, r := range rows[i:] {
				rest += r.size
			}
			fmt.Printf("%9.2f %5.1f%%  (%d more)\n", mb(rest), pct(rest, total), len(rows)-i)
			break
		}
		fmt.Printf("%9.2f %5.1f%%  %s\n", mb(r.size), pct(r.size, total), r.name)
	}
	if sum < total {
		fmt.Printf("%9.2f %5.1f%%  (headers and padding)\n", mb(total-sum), pct(total-sum, total))
	}
	return nil
}

// owner returns the module (or package) a symbol belongs to.
func owner(sym string, mods []string, byPkg bool) string {
	name := trimSymbol(sym)
	for _, m := range mods {
		if !strings.HasPrefix(name, m) || len(name) == len(m) || (name[len(m)] != '.' && name[len(m)] != '/') {
			continue
		}
		if !byPkg {
			return m
		}
		return m + pkgOf(name[len(m):])
	}
	if byPkg {
		return pkgOf(name)
	}
	if strings.HasPrefix(name, "go:") || strings.HasPrefix(sym, "type:") && !strings.Contains(name, ".") {
		return "(runtime tables: go:*, type:*)"
	}
	return "std"
}

// trimSymbol turns a linker symbol into one that starts with its package path:
// "type:*github.com/a/b.T" -> "github.com/a/b.T", "go:itab.*x/y.T,z.I" -> "x/y.T".
func trimSymbol(s string) string {
	for _, p := range []string{"type:.eq.", "type:.hash.", "type:.namedata.", "type:", "go:itab.", "go:info."} {
		if strings.HasPrefix(s, p) {
			s = s[len(p):]
			break
		}
	}
	s = strings.TrimLeft(s, "*[]0123456789")
	if i := strings.IndexAny(s, "[,"); i >= 0 {
		s = s[:i]
	}
	return s
}

// pkgOf returns the package path prefix of name: up to the first dot after the last slash.
func pkgOf(name string) string {
	slash := strings.LastIndex(name, "/")
	if i := strings.Index(name[slash+1:], "."); i >= 0 {
		return name[:slash+1+i]
	}
	return name
}

func mb(n uint64) float64 { return float64(n) / 1e6 }

func pct(n, total uint64) float64 { return 100 * float64(n) / float64(total) }
